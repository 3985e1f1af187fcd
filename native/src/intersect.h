// Ray queries: triangle test, alpha (mask / stochastic blend) test, BVH traversal.
#pragma once

#include "pack_intersect.h"
#include "rng.h"
#include "scene_view.h"
#include "texture.h"

#if !RF_IS_GPU_CODE && defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace rf {

constexpr int kTraversalStackSize = 96;  // 4-wide: up to 3 entries per level
constexpr int kTraversalStackSize2 = 64;  // binary: one entry per level

struct Hit {
    float t;
    uint32_t tri;  // original triangle index
    float u, v;    // barycentrics of vertex 1 and vertex 2
};

RF_CPU_GPU inline float surfaceAlpha(const SceneView &sv, const MaterialRec &m, uint32_t tri,
                                     float b1, float b2) {
    float a = m.alpha;
    if (m.baseColorTex >= 0 && sv.uvs) {
        uint32_t i0 = sv.indices[3 * tri], i1 = sv.indices[3 * tri + 1],
                 i2 = sv.indices[3 * tri + 2];
        float b0 = 1.f - b1 - b2;
        float u = b0 * sv.uvs[2 * i0] + b1 * sv.uvs[2 * i1] + b2 * sv.uvs[2 * i2];
        float v = b0 * sv.uvs[2 * i0 + 1] + b1 * sv.uvs[2 * i1 + 1] + b2 * sv.uvs[2 * i2 + 1];
        a *= sampleTexture(sv, m.baseColorTex, u, v).a;
    }
    return a;
}

// True when the surface is really there at this point. Masked materials compare alpha with
// the cutoff; blended ones keep the hit with probability alpha, decided by a hash of the
// ray's key and the triangle so every query of the same ray agrees.
RF_CPU_GPU inline bool alphaAccepts(const SceneView &sv, uint32_t tri, float b1, float b2,
                                    uint64_t alphaKey) {
    const MaterialRec &m = sv.materials[sv.materialIndex[tri]];
    if (m.alphaMode == kAlphaOpaque) return true;
    float a = surfaceAlpha(sv, m, tri, b1, b2);
    if (m.alphaMode == kAlphaMask) return a >= m.alphaCutoff;
    return bitsToFloat(mix64(alphaKey ^ (static_cast<uint64_t>(tri) * 0x9E3779B97F4A7C15ull))) < a;
}

struct RayInv {
    Vec3 inv;
    Vec3 oInv;  // o * inv
};

RF_CPU_GPU RF_FORCEINLINE float safeInv(float d) {
    return fabsf(d) > 1e-30f ? 1.f / d : copysignf(1e30f, d);
}

// What every slab test of a ray needs: its reciprocal direction and origin times it.
RF_CPU_GPU RF_FORCEINLINE RayInv makeRayInv(const Ray &r) {
    RayInv ri;
    ri.inv = Vec3(safeInv(r.d.x), safeInv(r.d.y), safeInv(r.d.z));
    ri.oInv = r.o * ri.inv;
    return ri;
}

// Slab tests of the four child boxes of a node: writes each entry distance and returns a bit
// mask of the children hit (empty slots never are). SSE on the CPU, a loop on the GPU; both compute the same values
// (min/max of non-NaN floats, same operation order).
RF_CPU_GPU RF_FORCEINLINE unsigned intersectBoxes4(const BVH4Node &n, const RayInv &ri,
                                                   float tmax, float t[4]) {
#if !RF_IS_GPU_CODE && defined(__SSE2__)
    __m128 ix = _mm_set1_ps(ri.inv.x), iy = _mm_set1_ps(ri.inv.y), iz = _mm_set1_ps(ri.inv.z);
    __m128 ox = _mm_set1_ps(ri.oInv.x), oy = _mm_set1_ps(ri.oInv.y), oz = _mm_set1_ps(ri.oInv.z);
    __m128 tx0 = _mm_sub_ps(_mm_mul_ps(_mm_load_ps(n.bminX), ix), ox);
    __m128 tx1 = _mm_sub_ps(_mm_mul_ps(_mm_load_ps(n.bmaxX), ix), ox);
    __m128 ty0 = _mm_sub_ps(_mm_mul_ps(_mm_load_ps(n.bminY), iy), oy);
    __m128 ty1 = _mm_sub_ps(_mm_mul_ps(_mm_load_ps(n.bmaxY), iy), oy);
    __m128 tz0 = _mm_sub_ps(_mm_mul_ps(_mm_load_ps(n.bminZ), iz), oz);
    __m128 tz1 = _mm_sub_ps(_mm_mul_ps(_mm_load_ps(n.bmaxZ), iz), oz);
    __m128 tmin = _mm_max_ps(_mm_max_ps(_mm_min_ps(tx0, tx1), _mm_min_ps(ty0, ty1)),
                             _mm_max_ps(_mm_min_ps(tz0, tz1), _mm_setzero_ps()));
    __m128 tfar = _mm_min_ps(_mm_min_ps(_mm_max_ps(tx0, tx1), _mm_max_ps(ty0, ty1)),
                             _mm_min_ps(_mm_max_ps(tz0, tz1), _mm_set1_ps(tmax)));
    __m128 hit = _mm_and_ps(_mm_cmple_ps(tmin, tfar),
                            _mm_castsi128_ps(_mm_cmpgt_epi32(
                                _mm_load_si128(reinterpret_cast<const __m128i *>(n.count)),
                                _mm_set1_epi32(-1))));
    _mm_storeu_ps(t, tmin);
    return static_cast<unsigned>(_mm_movemask_ps(hit));
#else
    unsigned mask = 0;
    for (int k = 0; k < 4; ++k) {
        float tx0 = n.bminX[k] * ri.inv.x - ri.oInv.x, tx1 = n.bmaxX[k] * ri.inv.x - ri.oInv.x;
        float ty0 = n.bminY[k] * ri.inv.y - ri.oInv.y, ty1 = n.bmaxY[k] * ri.inv.y - ri.oInv.y;
        float tz0 = n.bminZ[k] * ri.inv.z - ri.oInv.z, tz1 = n.bmaxZ[k] * ri.inv.z - ri.oInv.z;
        float tmin = maxf(maxf(minf(tx0, tx1), minf(ty0, ty1)), maxf(minf(tz0, tz1), 0.f));
        float tfar = minf(minf(maxf(tx0, tx1), maxf(ty0, ty1)), minf(maxf(tz0, tz1), tmax));
        t[k] = tmin;
        if (tmin <= tfar && n.count[k] >= 0) mask |= 1u << k;
    }
    return mask;
#endif
}

// Hints the cache to fetch [p, p + bytes) (a no-op on the GPU).
RF_CPU_GPU RF_FORCEINLINE void prefetchLines(const void *p, size_t bytes) {
#if !RF_IS_GPU_CODE
    const char *c = static_cast<const char *>(p);
    for (size_t o = 0; o < bytes; o += 64) __builtin_prefetch(c + o);
#else
    (void)p;
    (void)bytes;
#endif
}

// 4-wide traversal (the CPU's).
template <bool anyHit>
RF_CPU_GPU inline bool traverse4(const SceneView &sv, const Ray &r, float tmax, uint64_t alphaKey,
                                 Hit &hit) {
    const RayInv ri = makeRayInv(r);
    const PackRay pr = makePackRay(r);
    bool found = false;
    float closest = tmax;
    // Inner children wait on the stack with their entry distance, so that a closer hit found in
    // the meantime lets traversal skip them without touching their nodes.
    int stackNode[kTraversalStackSize];
    float stackT[kTraversalStackSize];
    int sp = 0;
    int node = 0;
    while (true) {
        const BVH4Node &n = sv.nodes4[node];
        float t[4];
        unsigned mask = intersectBoxes4(n, ri, closest, t);
        // Ask for every child hit at once: their loads overlap instead of waiting in turn.
        for (unsigned m = mask; m; m &= m - 1) {
            int k = lowestBit(m);
            if (n.count[k] == 0) prefetchLines(&sv.nodes4[n.child[k]], sizeof(BVH4Node));
            else prefetchLines(&sv.packs[n.child[k]], sizeof(TriPack4));
        }
        // Leaves first (they may shorten the ray), then inner children nearest first.
        int inner[4];
        int innerCount = 0;
        while (mask) {
            int k = lowestBit(mask);
            mask &= mask - 1;
            if (n.count[k] == 0) {
                inner[innerCount++] = k;
                continue;
            }
            if (t[k] >= closest) continue;
            for (int pk = n.child[k], e = pk + ((n.count[k] + 3) >> 2); pk < e; ++pk) {
                float th[4], uh[4], vh[4];
                unsigned lanes = intersectPack(sv.packs[pk], pr, closest, th, uh, vh);
                // Lanes in order, each against the closest hit so far: what testing the
                // triangles one by one finds.
                while (lanes) {
                    int j = lowestBit(lanes);
                    lanes &= lanes - 1;
                    if (!(th[j] < closest)) continue;
                    uint32_t tri = sv.packTri[4 * pk + j];
                    if (sv.anyAlpha && !alphaAccepts(sv, tri, uh[j], vh[j], alphaKey)) continue;
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
        // Sort the (at most four) inner children far to near; push all but the nearest, which
        // is visited next.
        for (int a = 1; a < innerCount; ++a) {
            int k = inner[a];
            int b = a - 1;
            while (b >= 0 && t[inner[b]] < t[k]) {
                inner[b + 1] = inner[b];
                --b;
            }
            inner[b + 1] = k;
        }
        for (int a = 0; a + 1 < innerCount; ++a) {
            if (t[inner[a]] >= closest) continue;
            stackNode[sp] = n.child[inner[a]];
            stackT[sp] = t[inner[a]];
            ++sp;
        }
        if (innerCount > 0 && t[inner[innerCount - 1]] < closest) {
            node = n.child[inner[innerCount - 1]];
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

// Slab test; returns the entry distance or kInfinity on a miss.
RF_CPU_GPU RF_FORCEINLINE float intersectBox(const BVHNode &n, const RayInv &ri, float tmax) {
    float tx0 = n.bmin.x * ri.inv.x - ri.oInv.x, tx1 = n.bmax.x * ri.inv.x - ri.oInv.x;
    float ty0 = n.bmin.y * ri.inv.y - ri.oInv.y, ty1 = n.bmax.y * ri.inv.y - ri.oInv.y;
    float tz0 = n.bmin.z * ri.inv.z - ri.oInv.z, tz1 = n.bmax.z * ri.inv.z - ri.oInv.z;
    float tmin = maxf(maxf(minf(tx0, tx1), minf(ty0, ty1)), maxf(minf(tz0, tz1), 0.f));
    float tfar = minf(minf(maxf(tx0, tx1), maxf(ty0, ty1)), minf(maxf(tz0, tz1), tmax));
    return tmin <= tfar ? tmin : kInfinity;
}

// Binary-BVH traversal (the GPU's: fewer registers and a smaller stack than 4-wide).
template <bool anyHit>
RF_CPU_GPU inline bool traverse2(const SceneView &sv, const Ray &r, float tmax, uint64_t alphaKey,
                                Hit &hit) {
    const RayInv ri = makeRayInv(r);
    bool found = false;
    float closest = tmax;
    // Far children wait on the stack with their entry distance, so that a closer hit found in
    // the meantime lets traversal skip them without touching their nodes.
    int stackNode[kTraversalStackSize2];
    float stackT[kTraversalStackSize2];
    int sp = 0;
    int node = 0;
    if (intersectBox(sv.nodes2[0], ri, closest) == kInfinity) return false;
    while (true) {
        const BVHNode &n = sv.nodes2[node];
        if (n.count > 0) {
            for (int i = n.first, e = n.first + n.count; i < e; ++i) {
                float t, u, v;
                if (!intersectTriangle(sv.tris[i], r, closest, t, u, v)) continue;
                uint32_t tri = sv.triOrder[i];
                if (sv.anyAlpha && !alphaAccepts(sv, tri, u, v, alphaKey)) continue;
                closest = t;
                hit.t = t;
                hit.tri = tri;
                hit.u = u;
                hit.v = v;
                found = true;
                if (anyHit) return true;
            }
        } else {
            int a = n.first, b = n.first + 1;
            float ta = intersectBox(sv.nodes2[a], ri, closest);
            float tb = intersectBox(sv.nodes2[b], ri, closest);
            if (tb < ta) {
                float tt = ta;
                ta = tb;
                tb = tt;
                int tmp = a;
                a = b;
                b = tmp;
            }
            if (ta != kInfinity) {
                if (tb != kInfinity) {
                    stackNode[sp] = b;
                    stackT[sp] = tb;
                    ++sp;
                }
                node = a;
                continue;
            }
        }
        // Pop until a node that is still in front of the closest hit.
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

#if !RF_IS_GPU_CODE && defined(__SSE2__)
#include "traverse_cpu.h"
#define RF_TRAVERSE_SSE 1
#else
#define RF_TRAVERSE_SSE 0
#endif

namespace rf {

// Closest hit (anyHit = false) or any hit (true) along r within (0, tmax). Both trees hold the
// same leaves, so both give the same hits; a backend's scene view carries the one it prefers.
template <bool anyHit>
RF_CPU_GPU inline bool traverse(const SceneView &sv, const Ray &r, float tmax, uint64_t alphaKey,
                                Hit &hit) {
    if (sv.triCount == 0) return false;
#if RF_TRAVERSE_SSE
    if (sv.nodes4) return traverse4Sse<anyHit>(sv, r, tmax, alphaKey, hit);
#endif
    if (sv.nodes4) return traverse4<anyHit>(sv, r, tmax, alphaKey, hit);
    return traverse2<anyHit>(sv, r, tmax, alphaKey, hit);
}

RF_CPU_GPU inline bool intersectClosest(const SceneView &sv, const Ray &r, float tmax,
                                        uint64_t alphaKey, Hit &hit) {
    return traverse<false>(sv, r, tmax, alphaKey, hit);
}

RF_CPU_GPU inline bool occluded(const SceneView &sv, const Ray &r, float tmax, uint64_t alphaKey) {
    Hit h;
    return traverse<true>(sv, r, tmax, alphaKey, h);
}

}  // namespace rf
