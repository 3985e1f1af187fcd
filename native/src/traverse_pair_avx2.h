// Two rays through the 8-wide tree at once on AVX2 CPUs: a path's next ray (closest hit) and its
// shadow ray (any hit), one node of each in turn, so that the chain of dependent node loads and
// tests of one overlaps the other's. Each ray's walk is traverse8_body.h's, step for step (same
// node test, same child order, same stack), so each finds what it finds alone: same bits.
// Measured on heavy.glb and not kept (no faster than this, within noise): two samples' whole
// paths advanced side by side so that four rays (two next rays, two shadow rays) walk together;
// prefetching the hit triangle's indices when a closer hit is found. Build-side, with PGO on:
// -flto, -fomit-frame-pointer -fno-semantic-interposition, and -march=x86-64-v3 for the whole
// engine all measured within noise of the profile-guided build alone.
#pragma once

#include "traverse_avx2.h"

namespace rf {

// One ray's walk, stopped between two nodes.
struct Walk8 {
    int stackNode[kTraversalStackSize];
    float stackT[kTraversalStackSize];
    int sp;
    int node;
    float closest;
    bool found;
    bool live;
};

// What a ray's node test needs, set up once.
struct RayAvx2 {
    PackRay pr;
    SlabPlanes p;
    __m256 ix, iy, iz, ox, oy, oz;
};

__attribute__((target("avx2"), always_inline)) inline void setupRayAvx2(const Ray &r, float tmax, RayAvx2 &q, Walk8 &w) {
    q.pr = makePackRay(r);
    const RayInv ri = makeRayInv(r);
    q.p = slabPlanes(ri);
    q.ix = _mm256_set1_ps(ri.inv.x), q.iy = _mm256_set1_ps(ri.inv.y), q.iz = _mm256_set1_ps(ri.inv.z);
    q.ox = _mm256_set1_ps(ri.oInv.x), q.oy = _mm256_set1_ps(ri.oInv.y), q.oz = _mm256_set1_ps(ri.oInv.z);
    w.sp = 0;
    w.node = 0;
    w.closest = tmax;
    w.found = false;
    w.live = true;
}

// The four cache lines of node i, as traverse8_body.h asks for them.
RF_FORCEINLINE void prefetchNode8(const BVH8Node *nodes, int i) {
    const char *pf = reinterpret_cast<const char *>(&nodes[i]);
    for (int o = 0; o < 256; o += 64) __builtin_prefetch(pf + o);
}

// One node of traverse8_body.h's loop: `continue` there is a return here, `break` sets live off.
template <bool anyHit>
__attribute__((target("avx2"), always_inline)) inline void stepAvx2(const SceneView &sv, const RayAvx2 &q, uint64_t alphaKey,
                                                                    Walk8 &w, Hit &hit) {
    const BVH8Node &n = sv.nodes8[w.node];
    float closest = w.closest;
    alignas(32) float t[8];
    const SlabPlanes &p = q.p;
    __m256 nx = _mm256_sub_ps(_mm256_mul_ps(nodeLoad8(n, p.nearX), q.ix), q.ox);
    __m256 ny = _mm256_sub_ps(_mm256_mul_ps(nodeLoad8(n, p.nearY), q.iy), q.oy);
    __m256 nz = _mm256_sub_ps(_mm256_mul_ps(nodeLoad8(n, p.nearZ), q.iz), q.oz);
    __m256 fx = _mm256_sub_ps(_mm256_mul_ps(nodeLoad8(n, p.farX), q.ix), q.ox);
    __m256 fy = _mm256_sub_ps(_mm256_mul_ps(nodeLoad8(n, p.farY), q.iy), q.oy);
    __m256 fz = _mm256_sub_ps(_mm256_mul_ps(nodeLoad8(n, p.farZ), q.iz), q.oz);
    __m256 tmin = _mm256_max_ps(_mm256_max_ps(nx, ny), _mm256_max_ps(nz, _mm256_setzero_ps()));
    __m256 tfar = _mm256_min_ps(_mm256_min_ps(fx, fy), _mm256_min_ps(fz, _mm256_set1_ps(closest)));
    _mm256_store_ps(t, tmin);
    unsigned crossed = static_cast<unsigned>(_mm256_movemask_ps(_mm256_cmp_ps(tmin, tfar, _CMP_LE_OQ)));
    __m256i c = _mm256_load_si256(reinterpret_cast<const __m256i *>(n.count));
    unsigned leaves = crossed & static_cast<unsigned>(_mm256_movemask_ps(_mm256_castsi256_ps(_mm256_cmpgt_epi32(c, _mm256_setzero_si256()))));
    unsigned inner = crossed & static_cast<unsigned>(_mm256_movemask_ps(_mm256_castsi256_ps(_mm256_cmpeq_epi32(c, _mm256_setzero_si256()))));
    for (; leaves; leaves &= leaves - 1) {
        int k = lowestBit(leaves);
        if (t[k] >= closest) continue;
        for (int pk = n.child[k], e = pk + ((n.count[k] + 3) >> 2); pk < e; ++pk) {
            float th[4], uh[4], vh[4];
            unsigned lanes = intersectPack(sv.packs[pk], q.pr, closest, th, uh, vh);
            for (; lanes; lanes &= lanes - 1) {
                int j = lowestBit(lanes);
                if (!(th[j] < closest)) continue;
                uint32_t tri = sv.packTri[4 * pk + j];
                if (sv.anyAlpha != 0 && !alphaAccepts(sv, tri, uh[j], vh[j], alphaKey)) continue;
                closest = th[j];
                hit.t = th[j];
                hit.tri = tri;
                hit.u = uh[j];
                hit.v = vh[j];
                w.found = true;
                if (anyHit) {
                    w.live = false;
                    return;
                }
            }
        }
    }
    w.closest = closest;
    if (!anyHit) inner &= static_cast<unsigned>(_mm256_movemask_ps(_mm256_cmp_ps(_mm256_load_ps(t), _mm256_set1_ps(closest), _CMP_LT_OQ)));
    if (inner) {
        int a = lowestBit(inner);
        inner &= inner - 1;
        if (!inner) {
            w.node = n.child[a];
            return;
        }
        if (anyHit) {
            for (; inner; inner &= inner - 1) {
                int k = lowestBit(inner);
                w.stackNode[w.sp] = n.child[k];
                w.stackT[w.sp] = t[k];
                ++w.sp;
            }
            w.node = n.child[a];
            return;
        }
        int b = lowestBit(inner);
        inner &= inner - 1;
        if (!inner) {
            if (t[b] <= t[a]) {
                int cc = a;
                a = b;
                b = cc;
            }
            w.stackNode[w.sp] = n.child[b];
            w.stackT[w.sp] = t[b];
            ++w.sp;
            prefetchNode8(sv.nodes8, n.child[b]);
            w.node = n.child[a];
            return;
        }
        int order[8];
        const int count = orderFarToNear(a, b, inner, t, order);
        for (int i = 0; i + 1 < count; ++i) {
            w.stackNode[w.sp] = n.child[order[i]];
            w.stackT[w.sp] = t[order[i]];
            ++w.sp;
        }
        prefetchNode8(sv.nodes8, n.child[order[count - 2]]);
        w.node = n.child[order[count - 1]];
        return;
    }
    while (w.sp > 0) {
        --w.sp;
        if (w.stackT[w.sp] < closest) {
            w.node = w.stackNode[w.sp];
            if (w.sp > 0) prefetchNode8(sv.nodes8, w.stackNode[w.sp - 1]);
            return;
        }
    }
    w.live = false;
}

// The closest hit of r (returned, in hit) and whether anything blocks `shadow` within shadowTmax
// (blocked): intersectClosest and occluded, walked together.
__attribute__((target("avx2"), noinline)) inline bool traversePairAvx2(const SceneView &sv, const Ray &r, uint64_t alphaKey, Hit &hit,
                                                                       const Ray &shadow, float shadowTmax, uint64_t shadowKey, bool &blocked) {
    RayAvx2 qc, qs;
    Walk8 wc, ws;
    Hit hs;
    setupRayAvx2(r, kInfinity, qc, wc);
    setupRayAvx2(shadow, shadowTmax, qs, ws);
    while (wc.live && ws.live) {
        stepAvx2<false>(sv, qc, alphaKey, wc, hit);
        stepAvx2<true>(sv, qs, shadowKey, ws, hs);
    }
    while (wc.live) stepAvx2<false>(sv, qc, alphaKey, wc, hit);
    while (ws.live) stepAvx2<true>(sv, qs, shadowKey, ws, hs);
    blocked = ws.found;
    return wc.found;
}

}  // namespace rf
