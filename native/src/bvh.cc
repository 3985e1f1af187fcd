#include "bvh.h"

#include <algorithm>
#include <cmath>

#include "intersect.h"

namespace rf {

namespace {

constexpr int kBins = 16;

// The SAH bin of a centroid offset already scaled to [0, kBins): clamped on both sides and
// NaN-safe (comparisons with NaN are false, so it lands in bin 0), never an int cast of inf.
inline int binOf(float scaled) {
    if (!(scaled > 0.f)) return 0;
    if (scaled >= static_cast<float>(kBins - 1)) return kBins - 1;
    return static_cast<int>(scaled);
}
constexpr int kMaxLeafSize = 8;
constexpr int kMaxSahDepth = 32;  // past this, object-median splits bound the depth
constexpr float kTraversalCost = 1.0f;
constexpr float kIntersectCost = 1.0f;

struct Box {
    Vec3 lo{kInfinity, kInfinity, kInfinity};
    Vec3 hi{-kInfinity, -kInfinity, -kInfinity};
    void grow(Vec3 p) {
        lo = vmin(lo, p);
        hi = vmax(hi, p);
    }
    void grow(const Box &b) {
        lo = vmin(lo, b.lo);
        hi = vmax(hi, b.hi);
    }
    float area() const {
        Vec3 d = hi - lo;
        if (d.x < 0.f) return 0.f;
        return 2.f * (d.x * d.y + d.y * d.z + d.z * d.x);
    }
};

struct Task {
    int node;
    uint32_t begin, end;
    int depth;
};

}  // namespace

BVHBuildOutput buildBVH(const float *positions, const uint32_t *indices, size_t triCount) {
    BVHBuildOutput out;
    if (triCount == 0) return out;
    std::vector<Box> primBox(triCount);
    std::vector<Vec3> centroid(triCount);
    for (size_t i = 0; i < triCount; ++i) {
        Box b;
        for (int k = 0; k < 3; ++k) {
            const float *p = positions + 3 * static_cast<size_t>(indices[3 * i + k]);
            b.grow(Vec3(p[0], p[1], p[2]));
        }
        primBox[i] = b;
        centroid[i] = (b.lo + b.hi) * 0.5f;
    }
    std::vector<uint32_t> ids(triCount);
    for (size_t i = 0; i < triCount; ++i) ids[i] = static_cast<uint32_t>(i);

    out.nodes.reserve(2 * triCount + 1);
    out.nodes.push_back(BVHNode{});
    // A padding node so that every pair of siblings starts at an even index: with 64-byte
    // aligned storage, the two child boxes a traversal step reads share one cache line.
    out.nodes.push_back(BVHNode{});
    std::vector<Task> tasks;
    tasks.push_back({0, 0, static_cast<uint32_t>(triCount), 1});
    while (!tasks.empty()) {
        Task task = tasks.back();
        tasks.pop_back();
        out.depth = std::max(out.depth, task.depth);
        Box bounds, cbounds;
        for (uint32_t i = task.begin; i < task.end; ++i) {
            bounds.grow(primBox[ids[i]]);
            cbounds.grow(centroid[ids[i]]);
        }
        BVHNode &node = out.nodes[task.node];
        node.bmin = bounds.lo;
        node.bmax = bounds.hi;
        uint32_t count = task.end - task.begin;
        auto makeLeaf = [&]() {
            BVHNode &n = out.nodes[task.node];
            n.first = static_cast<int32_t>(task.begin);
            n.count = static_cast<int32_t>(count);
        };
        if (count <= 2) {
            makeLeaf();
            continue;
        }
        Vec3 cext = cbounds.hi - cbounds.lo;
        int bestAxis = -1, bestSplit = -1;
        float bestCost = kInfinity;
        if (task.depth < kMaxSahDepth && bounds.area() > 0.f) {
            for (int axis = 0; axis < 3; ++axis) {
                float ext = cext[axis];
                if (!(ext > 0.f)) continue;
                Box binBox[kBins];
                uint32_t binCount[kBins] = {};
                float scale = kBins * (1.f - 1e-6f) / ext;
                // A denormal extent (a creator's 1e-41 coordinates) makes the scale infinite:
                // bin indices would be NaN/inf cast to int, an out-of-bounds write.
                if (!std::isfinite(scale)) continue;
                float base = cbounds.lo[axis];
                for (uint32_t i = task.begin; i < task.end; ++i) {
                    uint32_t id = ids[i];
                    int b = binOf((centroid[id][axis] - base) * scale);
                    binCount[b]++;
                    binBox[b].grow(primBox[id]);
                }
                float leftArea[kBins], rightArea[kBins];
                uint32_t leftCount[kBins], rightCount[kBins];
                Box acc;
                uint32_t n = 0;
                for (int b = 0; b < kBins - 1; ++b) {
                    acc.grow(binBox[b]);
                    n += binCount[b];
                    leftArea[b] = acc.area();
                    leftCount[b] = n;
                }
                acc = Box();
                n = 0;
                for (int b = kBins - 1; b > 0; --b) {
                    acc.grow(binBox[b]);
                    n += binCount[b];
                    rightArea[b - 1] = acc.area();
                    rightCount[b - 1] = n;
                }
                for (int b = 0; b < kBins - 1; ++b) {
                    if (leftCount[b] == 0 || rightCount[b] == 0) continue;
                    float cost = leftArea[b] * leftCount[b] + rightArea[b] * rightCount[b];
                    if (cost < bestCost) {
                        bestCost = cost;
                        bestAxis = axis;
                        bestSplit = b;
                    }
                }
            }
        }
        uint32_t mid = task.begin;
        if (bestAxis >= 0) {
            float sah = kTraversalCost + kIntersectCost * bestCost / bounds.area();
            if (sah >= kIntersectCost * count && count <= kMaxLeafSize) {
                makeLeaf();
                continue;
            }
            float scale = kBins * (1.f - 1e-6f) / cext[bestAxis];
            float base = cbounds.lo[bestAxis];
            int axis = bestAxis, split = bestSplit;
            uint32_t *m = std::partition(ids.data() + task.begin, ids.data() + task.end,
                                         [&](uint32_t id) {
                                             int b = binOf((centroid[id][axis] - base) * scale);
                                             return b <= split;
                                         });
            mid = static_cast<uint32_t>(m - ids.data());
        }
        if (mid == task.begin || mid == task.end) {
            // No useful SAH split (coincident centroids or depth limit): object median.
            if (count <= kMaxLeafSize) {
                makeLeaf();
                continue;
            }
            int axis = cext.x >= cext.y && cext.x >= cext.z ? 0 : (cext.y >= cext.z ? 1 : 2);
            mid = task.begin + count / 2;
            std::nth_element(ids.data() + task.begin, ids.data() + mid, ids.data() + task.end,
                             [&](uint32_t a, uint32_t b) {
                                 float ca = centroid[a][axis], cb = centroid[b][axis];
                                 return ca < cb || (ca == cb && a < b);
                             });
        }
        int left = static_cast<int>(out.nodes.size());
        out.nodes.push_back(BVHNode{});
        out.nodes.push_back(BVHNode{});
        out.nodes[task.node].first = left;
        out.nodes[task.node].count = 0;
        tasks.push_back({left + 1, mid, task.end, task.depth + 1});
        tasks.push_back({left, task.begin, mid, task.depth + 1});
    }
    CHECK(out.depth < kTraversalStackSize2);
    out.tris.resize(triCount);
    for (size_t i = 0; i < triCount; ++i) {
        uint32_t t = ids[i];
        const float *p0 = positions + 3 * static_cast<size_t>(indices[3 * t]);
        const float *p1 = positions + 3 * static_cast<size_t>(indices[3 * t + 1]);
        const float *p2 = positions + 3 * static_cast<size_t>(indices[3 * t + 2]);
        Vec3 v0(p0[0], p0[1], p0[2]), v1(p1[0], p1[1], p1[2]), v2(p2[0], p2[1], p2[2]);
        out.tris[i] = TriAccel{v0, v1 - v0, v2 - v0};
    }
    out.triOrder = std::move(ids);
    collapseToWide(out);
    return out;
}

}  // namespace rf
