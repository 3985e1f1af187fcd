// The CPU's tree: the binary BVH collapsed to 4-wide nodes whose leaves keep their triangles in
// packs of four (structure of arrays), so one SSE step tests four boxes or four triangles.
#include <algorithm>

#include "bvh.h"
#include "intersect.h"

namespace rf {

namespace {

// A subtree with at most this many triangles becomes one leaf (one pack): testing four
// triangles at once costs about what one box step does.
constexpr int kPackLeaf = 4;

float nodeArea(const BVHNode &n) {
    Vec3 d = n.bmax - n.bmin;
    return 2.f * (d.x * d.y + d.y * d.z + d.z * d.x);
}

struct Range {
    int32_t begin, end;  // triangles [begin, end) in BVH order
};

// Every binary subtree covers a contiguous run of the BVH order; children come after their
// parent in the array, so one backwards pass finds each run.
std::vector<Range> subtreeRanges(const NodeVector &nodes) {
    std::vector<Range> r(nodes.size(), Range{0, 0});
    for (size_t i = nodes.size(); i-- > 0;) {
        const BVHNode &n = nodes[i];
        if (i == 1) continue;  // the padding node
        if (n.count > 0) {
            r[i] = Range{n.first, n.first + n.count};
        } else if (n.first > 0) {
            r[i] = Range{r[n.first].begin, r[n.first + 1].end};
        }
    }
    return r;
}

// Appends the packs of triangles [begin, end); returns the first pack's index.
int32_t appendPacks(BVHBuildOutput &bvh, Range range) {
    int32_t first = static_cast<int32_t>(bvh.packs.size());
    for (int32_t i = range.begin; i < range.end; i += 4) {
        TriPack4 p{};
        for (int j = 0; j < 4; ++j) {
            uint32_t slot = static_cast<uint32_t>(i + j);
            if (i + j >= range.end) {
                bvh.packTri.push_back(0);
                continue;
            }
            const TriAccel &t = bvh.tris[slot];
            p.v0x[j] = t.v0.x;
            p.v0y[j] = t.v0.y;
            p.v0z[j] = t.v0.z;
            p.e1x[j] = t.e1.x;
            p.e1y[j] = t.e1.y;
            p.e1z[j] = t.e1.z;
            p.e2x[j] = t.e2.x;
            p.e2y[j] = t.e2.y;
            p.e2z[j] = t.e2.z;
            bvh.packTri.push_back(bvh.triOrder[slot]);
        }
        bvh.packs.push_back(p);
    }
    return first;
}

}  // namespace

void collapseToBVH4(BVHBuildOutput &bvh) {
    bvh.nodes4.clear();
    bvh.packs.clear();
    bvh.packTri.clear();
    bvh.depth4 = 0;
    if (bvh.nodes.empty()) return;
    const std::vector<Range> ranges = subtreeRanges(bvh.nodes);
    auto isLeaf = [&](int i) {
        return bvh.nodes[i].count > 0 || ranges[i].end - ranges[i].begin <= kPackLeaf;
    };
    struct Task {
        int node2;  // binary node whose children become this 4-wide node's children
        int node4;
        int depth;
    };
    bvh.nodes4.push_back(BVH4Node{});
    bvh.packs.reserve(bvh.tris.size() / 2 + 1);
    bvh.packTri.reserve(2 * bvh.tris.size() + 4);
    std::vector<Task> tasks;
    tasks.push_back({0, 0, 1});
    while (!tasks.empty()) {
        Task task = tasks.back();
        tasks.pop_back();
        bvh.depth4 = std::max(bvh.depth4, task.depth);
        // Gather up to four children, opening the largest inner child each time.
        int kids[4];
        int n = 0;
        if (isLeaf(task.node2)) {
            kids[n++] = task.node2;  // a leaf root: one leaf child
        } else {
            const BVHNode &root = bvh.nodes[task.node2];
            kids[n++] = root.first;
            kids[n++] = root.first + 1;
            while (n < 4) {
                int best = -1;
                float bestArea = -1.f;
                for (int k = 0; k < n; ++k) {
                    const BVHNode &c = bvh.nodes[kids[k]];
                    if (!isLeaf(kids[k]) && nodeArea(c) > bestArea) {
                        bestArea = nodeArea(c);
                        best = k;
                    }
                }
                if (best < 0) break;
                int open = kids[best];
                kids[best] = bvh.nodes[open].first;
                kids[n++] = bvh.nodes[open].first + 1;
            }
        }
        BVH4Node out{};
        for (int k = 0; k < 4; ++k) {
            if (k >= n) {
                out.bminX[k] = out.bminY[k] = out.bminZ[k] = 0.f;
                out.bmaxX[k] = out.bmaxY[k] = out.bmaxZ[k] = 0.f;
                out.child[k] = 0;
                out.count[k] = -1;
                continue;
            }
            const BVHNode &c = bvh.nodes[kids[k]];
            out.bminX[k] = c.bmin.x;
            out.bminY[k] = c.bmin.y;
            out.bminZ[k] = c.bmin.z;
            out.bmaxX[k] = c.bmax.x;
            out.bmaxY[k] = c.bmax.y;
            out.bmaxZ[k] = c.bmax.z;
            if (isLeaf(kids[k])) {
                Range r = ranges[kids[k]];
                out.child[k] = appendPacks(bvh, r);
                out.count[k] = r.end - r.begin;
            } else {
                int index = static_cast<int>(bvh.nodes4.size());
                bvh.nodes4.push_back(BVH4Node{});
                out.child[k] = index;
                out.count[k] = 0;
                tasks.push_back({kids[k], index, task.depth + 1});
            }
        }
        bvh.nodes4[task.node4] = out;
    }
    CHECK(3 * bvh.depth4 < kTraversalStackSize);
}

}  // namespace rf
