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

constexpr int kTraversalStackSize = 256;  // 8-wide: up to 7 entries per level
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

// Bits of the slots k < 8 with t[k] < closest.
RF_CPU_GPU RF_FORCEINLINE unsigned inFront8(const float *t, float closest) {
    unsigned m = 0;
    for (int k = 0; k < 8; ++k) m |= (t[k] < closest ? 1u : 0u) << k;
    return m;
}

#if !RF_IS_GPU_CODE
// The 8-wide traversal with a scalar node test (CPUs without SSE): the values the SIMD tests
// compute (min/max of the two planes equals the plane the direction sign picks), the same loop.
template <bool anyHit>
inline bool traverse8Scalar(const SceneView &sv, const Ray &r, float tmax, uint64_t alphaKey, Hit &hit) {
    const RayInv ri = makeRayInv(r);
#define RF_NODE_TEST(n)                                                                           \
    do {                                                                                          \
        leaves = inner = 0;                                                                       \
        for (int k = 0; k < 8; ++k) {                                                             \
            float tx0 = n.bminX[k] * ri.inv.x - ri.oInv.x, tx1 = n.bmaxX[k] * ri.inv.x - ri.oInv.x; \
            float ty0 = n.bminY[k] * ri.inv.y - ri.oInv.y, ty1 = n.bmaxY[k] * ri.inv.y - ri.oInv.y; \
            float tz0 = n.bminZ[k] * ri.inv.z - ri.oInv.z, tz1 = n.bmaxZ[k] * ri.inv.z - ri.oInv.z; \
            float lo = maxf(maxf(minf(tx0, tx1), minf(ty0, ty1)), maxf(minf(tz0, tz1), 0.f));     \
            float hi = minf(minf(maxf(tx0, tx1), maxf(ty0, ty1)), minf(maxf(tz0, tz1), closest)); \
            t[k] = lo;                                                                            \
            if (!(lo <= hi)) continue;                                                            \
            if (n.count[k] > 0) leaves |= 1u << k;                                                \
            if (n.count[k] == 0) inner |= 1u << k;                                                \
        }                                                                                         \
    } while (0)
#define RF_IN_FRONT() inFront8(t, closest)
#include "traverse8_body.h"
#undef RF_NODE_TEST
#undef RF_IN_FRONT
}
#endif

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
// The 8-wide AVX2 traversal: x86-64 builds by GCC or Clang (target attributes, run-time check).
// The GPU walks the binary tree; no 8-wide code is compiled for it.
#if RF_TRAVERSE_SSE && defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include "traverse_pair_avx2.h"
#define RF_HAS_AVX2_PATH 1
#else
#define RF_HAS_AVX2_PATH 0
#endif

namespace rf {

enum CpuTraversal : int { kTraversalScalar = 0, kTraversalSse = 1, kTraversalAvx2 = 2 };

#if !RF_IS_GPU_CODE
// The widest node test this CPU and build run, decided once per process. RAYFARM_TRAVERSAL =
// scalar | sse narrows it (tests use it to show that every path renders the same bits).
CpuTraversal detectCpuTraversal();
inline CpuTraversal cpuTraversal() {
    static const CpuTraversal path = detectCpuTraversal();
    return path;
}
#endif

}  // namespace rf

namespace rf {

// Closest hit (anyHit = false) or any hit (true) along r within (0, tmax). Both trees hold the
// same leaves, so both give the same hits; a backend's scene view carries the one it prefers.
template <bool anyHit>
RF_CPU_GPU inline bool traverse(const SceneView &sv, const Ray &r, float tmax, uint64_t alphaKey,
                                Hit &hit) {
    if (sv.triCount == 0) return false;
#if !RF_IS_GPU_CODE
    if (sv.nodes8) {
        switch (cpuTraversal()) {
#if RF_HAS_AVX2_PATH
            case kTraversalAvx2: return traverse8Avx2<anyHit>(sv, r, tmax, alphaKey, hit);
#endif
#if RF_TRAVERSE_SSE
            case kTraversalSse: return traverse8Sse<anyHit>(sv, r, tmax, alphaKey, hit);
#endif
            default: return traverse8Scalar<anyHit>(sv, r, tmax, alphaKey, hit);
        }
    }
#endif
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

// The closest hit of r and whether anything blocks `shadow` (blocked): intersectClosest and
// occluded in one call, which an AVX2 CPU walks together (traverse_pair_avx2.h). Same answers.
RF_CPU_GPU inline bool intersectWithShadow(const SceneView &sv, const Ray &r, uint64_t alphaKey, Hit &hit,
                                           const Ray &shadow, float shadowTmax, uint64_t shadowKey, bool &blocked) {
#if !RF_IS_GPU_CODE && RF_HAS_AVX2_PATH
    if (sv.nodes8 && sv.triCount != 0 && cpuTraversal() == kTraversalAvx2)
        return traversePairAvx2(sv, r, alphaKey, hit, shadow, shadowTmax, shadowKey, blocked);
#endif
    blocked = occluded(sv, shadow, shadowTmax, shadowKey);
    return intersectClosest(sv, r, kInfinity, alphaKey, hit);
}

}  // namespace rf
