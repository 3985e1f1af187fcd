// The CPU's 4-wide traversal with SSE, written to keep the branch predictor out of the way: each
// slab test reads the near and far planes the ray's direction signs pick (no per-axis min/max),
// leaf and inner children come out of the node as two bit masks, and one or two inner children
// (the common cases) skip the general sort. Any-hit queries (shadow rays) do not sort at all:
// whether something blocks the ray does not depend on the order the children are visited in.
// A closest hit is the nearest accepted triangle whatever the order; only two triangles hit at
// exactly the same distance could tell orders apart (see bvh.test.ts), as between the CPU's and
// the GPU's trees.
#pragma once

#include <emmintrin.h>

#include "pack_intersect.h"
#include "scene_view.h"

namespace rf {

// The planes a ray's slab test needs, chosen once per ray: byte offsets into a BVH4Node of the
// near and far arrays of each axis (bminX at 0 ... bmaxZ at 80), and the ray's terms.
struct SlabRay {
    __m128 ix, iy, iz, ox, oy, oz;
    int nearX, nearY, nearZ, farX, farY, farZ;
};

RF_FORCEINLINE SlabRay makeSlabRay(const RayInv &ri) {
    SlabRay s;
    s.ix = _mm_set1_ps(ri.inv.x);
    s.iy = _mm_set1_ps(ri.inv.y);
    s.iz = _mm_set1_ps(ri.inv.z);
    s.ox = _mm_set1_ps(ri.oInv.x);
    s.oy = _mm_set1_ps(ri.oInv.y);
    s.oz = _mm_set1_ps(ri.oInv.z);
    // Multiplying by a negative reciprocal swaps which plane is entered first. The products
    // and differences round monotonically, so the plane picked here holds the same value
    // min/max of both would (ties give equal values either way).
    s.nearX = std::signbit(ri.inv.x) ? 48 : 0;
    s.nearY = std::signbit(ri.inv.y) ? 64 : 16;
    s.nearZ = std::signbit(ri.inv.z) ? 80 : 32;
    s.farX = s.nearX ^ 48;
    s.farY = s.nearY ^ 80;
    s.farZ = s.nearZ ^ 112;
    return s;
}

RF_FORCEINLINE __m128 loadAt(const BVH4Node &n, int byteOffset) {
    return _mm_load_ps(reinterpret_cast<const float *>(reinterpret_cast<const char *>(&n) + byteOffset));
}

// Entry distances of the four child boxes; *hitMask gets the children whose box the ray
// crosses within [0, tmax] (empty slots included: the caller masks them by count).
RF_FORCEINLINE __m128 slabTest4(const BVH4Node &n, const SlabRay &s, __m128 tmax, unsigned &hitMask) {
    __m128 nx = _mm_sub_ps(_mm_mul_ps(loadAt(n, s.nearX), s.ix), s.ox);
    __m128 ny = _mm_sub_ps(_mm_mul_ps(loadAt(n, s.nearY), s.iy), s.oy);
    __m128 nz = _mm_sub_ps(_mm_mul_ps(loadAt(n, s.nearZ), s.iz), s.oz);
    __m128 fx = _mm_sub_ps(_mm_mul_ps(loadAt(n, s.farX), s.ix), s.ox);
    __m128 fy = _mm_sub_ps(_mm_mul_ps(loadAt(n, s.farY), s.iy), s.oy);
    __m128 fz = _mm_sub_ps(_mm_mul_ps(loadAt(n, s.farZ), s.iz), s.oz);
    __m128 tmin = _mm_max_ps(_mm_max_ps(nx, ny), _mm_max_ps(nz, _mm_setzero_ps()));
    __m128 tfar = _mm_min_ps(_mm_min_ps(fx, fy), _mm_min_ps(fz, tmax));
    hitMask = static_cast<unsigned>(_mm_movemask_ps(_mm_cmple_ps(tmin, tfar)));
    return tmin;
}

// Bit k set where count[k] > 0 (a leaf) and where count[k] == 0 (an inner node).
RF_FORCEINLINE void childKinds(const BVH4Node &n, unsigned &leaves, unsigned &inner) {
    __m128i c = _mm_load_si128(reinterpret_cast<const __m128i *>(n.count));
    leaves = static_cast<unsigned>(_mm_movemask_ps(_mm_castsi128_ps(_mm_cmpgt_epi32(c, _mm_setzero_si128()))));
    inner = static_cast<unsigned>(_mm_movemask_ps(_mm_castsi128_ps(_mm_cmpeq_epi32(c, _mm_setzero_si128()))));
}

template <bool anyHit>
inline bool traverse4Sse(const SceneView &sv, const Ray &r, float tmax, uint64_t alphaKey, Hit &hit) {
    const SlabRay s = makeSlabRay(makeRayInv(r));
    const PackRay pr = makePackRay(r);
    const BVH4Node *nodes = sv.nodes4;
    const TriPack4 *packs = sv.packs;
    const uint32_t *packTri = sv.packTri;
    const bool alpha = sv.anyAlpha != 0;
    bool found = false;
    float closest = tmax;
    int stackNode[kTraversalStackSize];
    float stackT[kTraversalStackSize];
    int sp = 0;
    int node = 0;
    while (true) {
        const BVH4Node &n = nodes[node];
        unsigned hitMask;
        __m128 tv = slabTest4(n, s, _mm_set1_ps(closest), hitMask);
        unsigned leaves, inner;
        childKinds(n, leaves, inner);
        leaves &= hitMask;
        inner &= hitMask;
        for (unsigned m = inner; m; m &= m - 1) prefetchLines(&nodes[n.child[lowestBit(m)]], sizeof(BVH4Node));
        alignas(16) float t[4];
        _mm_store_ps(t, tv);
        // Leaves first, in slot order (they may shorten the ray).
        for (; leaves; leaves &= leaves - 1) {
            int k = lowestBit(leaves);
            if (t[k] >= closest) continue;
            for (int pk = n.child[k], e = pk + ((n.count[k] + 3) >> 2); pk < e; ++pk) {
                float th[4], uh[4], vh[4];
                unsigned lanes = intersectPack(packs[pk], pr, closest, th, uh, vh);
                // Lanes in order, each against the closest hit so far.
                for (; lanes; lanes &= lanes - 1) {
                    int j = lowestBit(lanes);
                    if (!(th[j] < closest)) continue;
                    uint32_t tri = packTri[4 * pk + j];
                    if (alpha && !alphaAccepts(sv, tri, uh[j], vh[j], alphaKey)) continue;
                    closest = th[j];
                    hit.t = th[j];
                    hit.tri = tri;
                    hit.u = uh[j];
                    hit.v = vh[j];
                    found = true;
                    if (anyHit) return true;
                }
            }
        }
        // Inner children still in front of the closest hit.
        if (!anyHit) inner &= static_cast<unsigned>(_mm_movemask_ps(_mm_cmplt_ps(tv, _mm_set1_ps(closest))));
        if (inner) {
            int a = lowestBit(inner);
            inner &= inner - 1;
            if (!inner) {  // one child: straight down
                node = n.child[a];
                continue;
            }
            if (anyHit) {  // any order will do: push all but the first
                for (; inner; inner &= inner - 1) {
                    int k = lowestBit(inner);
                    stackNode[sp] = n.child[k];
                    stackT[sp] = t[k];
                    ++sp;
                }
                node = n.child[a];
                continue;
            }
            int b = lowestBit(inner);
            inner &= inner - 1;
            if (!inner) {  // two children: the nearer next, the farther waits
                if (t[b] < t[a]) {
                    int c = a;
                    a = b;
                    b = c;
                }
                stackNode[sp] = n.child[b];
                stackT[sp] = t[b];
                ++sp;
                node = n.child[a];
                continue;
            }
            // Three or four: sort far to near, push all but the nearest.
            int order[4] = {a, b, 0, 0};
            int count = 2;
            for (; inner; inner &= inner - 1) order[count++] = lowestBit(inner);
            for (int i = 1; i < count; ++i) {
                int k = order[i];
                int j = i - 1;
                while (j >= 0 && t[order[j]] < t[k]) {
                    order[j + 1] = order[j];
                    --j;
                }
                order[j + 1] = k;
            }
            for (int i = 0; i + 1 < count; ++i) {
                stackNode[sp] = n.child[order[i]];
                stackT[sp] = t[order[i]];
                ++sp;
            }
            node = n.child[order[count - 1]];
            continue;
        }
        // Pop the nearest node still in front of the closest hit.
        bool next = false;
        while (sp > 0) {
            --sp;
            if (stackT[sp] < closest) {
                node = stackNode[sp];
                next = true;
                break;
            }
        }
        if (!next) break;
    }
    return found;
}

}  // namespace rf
