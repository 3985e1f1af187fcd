// The CPU's tree: the binary BVH collapsed to 8-wide nodes whose leaves keep their triangles in
// packs of four (structure of arrays), so one SIMD step tests eight boxes (AVX2; two SSE steps
// elsewhere) or four triangles. Eight children a node: a ray goes down about half as many
// levels as in a 4-wide tree (measured on heavy.glb with AVX2: ~12 % less time per sample).
#include <algorithm>
#include <cstdlib>
#include <cstring>

#include "bvh.h"
#include "intersect.h"

namespace rf {

namespace {

// A subtree with at most this many triangles becomes one leaf (one pack): testing four
// triangles at once costs about what one box step does. (8, two packs a leaf, measured the same
// CPU time per sample on heavy.glb: fewer nodes, more triangle tests.)
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

// Collapses the binary tree into W-wide nodes: each node adopts grandchildren, opening its
// largest inner child each time, until it has W children. Leaves are the binary subtrees of at
// most kPackLeaf triangles (or binary leaves); `leafPack` maps such a binary node to the first
// of its packs, appending them the first time it is met.
template <int W, typename Node, typename NodeVec>
int collapse(BVHBuildOutput &bvh, const std::vector<Range> &ranges, std::vector<int32_t> &leafPack,
             NodeVec &nodesOut) {
    nodesOut.clear();
    int depthOut = 0;
    auto isLeaf = [&](int i) {
        return bvh.nodes[i].count > 0 || ranges[i].end - ranges[i].begin <= kPackLeaf;
    };
    struct Task {
        int node2;  // binary node whose children become this node's children
        int nodeW;
        int depth;
    };
    nodesOut.push_back(Node{});
    std::vector<Task> tasks;
    tasks.push_back({0, 0, 1});
    while (!tasks.empty()) {
        Task task = tasks.back();
        tasks.pop_back();
        depthOut = std::max(depthOut, task.depth);
        int kids[W];
        int n = 0;
        if (isLeaf(task.node2)) {
            kids[n++] = task.node2;  // a leaf root: one leaf child
        } else {
            const BVHNode &root = bvh.nodes[task.node2];
            kids[n++] = root.first;
            kids[n++] = root.first + 1;
            while (n < W) {
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
        Node out{};
        for (int k = 0; k < W; ++k) {
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
                if (leafPack[kids[k]] < 0) leafPack[kids[k]] = appendPacks(bvh, r);
                out.child[k] = leafPack[kids[k]];
                out.count[k] = r.end - r.begin;
            } else {
                int index = static_cast<int>(nodesOut.size());
                nodesOut.push_back(Node{});
                out.child[k] = index;
                out.count[k] = 0;
                tasks.push_back({kids[k], index, task.depth + 1});
            }
        }
        nodesOut[task.nodeW] = out;
    }
    return depthOut;
}

}  // namespace

CpuTraversal detectCpuTraversal() {
    int best = RF_TRAVERSE_SSE ? kTraversalSse : kTraversalScalar;
#if RF_HAS_AVX2_PATH
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx2")) best = kTraversalAvx2;
#endif
    const char *want = std::getenv("RAYFARM_TRAVERSAL");
    if (want && std::strcmp(want, "scalar") == 0) best = kTraversalScalar;
    if (want && std::strcmp(want, "sse") == 0 && best > kTraversalSse) best = kTraversalSse;
    return static_cast<CpuTraversal>(best);
}

void collapseToWide(BVHBuildOutput &bvh) {
    bvh.nodes8.clear();
    bvh.packs.clear();
    bvh.packTri.clear();
    bvh.depth8 = 0;
    if (bvh.nodes.empty()) return;
    const std::vector<Range> ranges = subtreeRanges(bvh.nodes);
    std::vector<int32_t> leafPack(bvh.nodes.size(), -1);
    bvh.packs.reserve(bvh.tris.size() / 2 + 1);
    bvh.packTri.reserve(2 * bvh.tris.size() + 4);
    bvh.depth8 = collapse<8, BVH8Node>(bvh, ranges, leafPack, bvh.nodes8);
    CHECK(7 * bvh.depth8 < kTraversalStackSize);
}

}  // namespace rf
