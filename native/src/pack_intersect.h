// Four triangles against one ray at once (the CPU's leaves): the same Moeller-Trumbore
// arithmetic as intersectTriangle, operation for operation, so a lane's t, u, v are the bits the
// one-triangle test computes (no FMA: the build sets -ffp-contract=off).
#pragma once

#include "scene_view.h"

#if !RF_IS_GPU_CODE && defined(__SSE2__)
#include <emmintrin.h>
#define RF_PACK_SSE 1
#else
#define RF_PACK_SSE 0
#endif

namespace rf {

// Moeller-Trumbore, two-sided. Writes t, u, v and returns true on a hit in (tmin, tmax).
RF_CPU_GPU RF_FORCEINLINE bool intersectTriangle(const TriAccel &tri, const Ray &r, float tmax,
                                                 float &t, float &u, float &v) {
    Vec3 p = cross(r.d, tri.e2);
    float det = dot(tri.e1, p);
    if (fabsf(det) < 1e-20f) return false;
    float inv = 1.f / det;
    Vec3 s = r.o - tri.v0;
    u = dot(s, p) * inv;
    if (u < 0.f || u > 1.f) return false;
    Vec3 q = cross(s, tri.e1);
    v = dot(r.d, q) * inv;
    if (v < 0.f || u + v > 1.f) return false;
    t = dot(tri.e2, q) * inv;
    return t > 0.f && t < tmax;
}

// The ray as the pack test wants it: each coordinate in all four lanes.
struct PackRay {
    Ray r;
#if RF_PACK_SSE
    __m128 ox, oy, oz, dx, dy, dz;
#endif
};

RF_CPU_GPU RF_FORCEINLINE PackRay makePackRay(const Ray &r) {
    PackRay pr;
    pr.r = r;
#if RF_PACK_SSE
    pr.ox = _mm_set1_ps(r.o.x);
    pr.oy = _mm_set1_ps(r.o.y);
    pr.oz = _mm_set1_ps(r.o.z);
    pr.dx = _mm_set1_ps(r.d.x);
    pr.dy = _mm_set1_ps(r.d.y);
    pr.dz = _mm_set1_ps(r.d.z);
#endif
    return pr;
}

// Returns the mask of lanes hit in (0, tmax) and writes their t, u, v. Each comparison keeps
// the scalar test's answer for NaN (a NaN u or v does not reject, a NaN t does).
RF_CPU_GPU RF_FORCEINLINE unsigned intersectPack(const TriPack4 &p, const PackRay &pr, float tmax,
                                                 float t[4], float u[4], float v[4]) {
#if RF_PACK_SSE
    const __m128 e1x = _mm_load_ps(p.e1x), e1y = _mm_load_ps(p.e1y), e1z = _mm_load_ps(p.e1z);
    const __m128 e2x = _mm_load_ps(p.e2x), e2y = _mm_load_ps(p.e2y), e2z = _mm_load_ps(p.e2z);
    // p = cross(d, e2), det = dot(e1, p)
    __m128 px = _mm_sub_ps(_mm_mul_ps(pr.dy, e2z), _mm_mul_ps(pr.dz, e2y));
    __m128 py = _mm_sub_ps(_mm_mul_ps(pr.dz, e2x), _mm_mul_ps(pr.dx, e2z));
    __m128 pz = _mm_sub_ps(_mm_mul_ps(pr.dx, e2y), _mm_mul_ps(pr.dy, e2x));
    __m128 det = _mm_add_ps(_mm_add_ps(_mm_mul_ps(e1x, px), _mm_mul_ps(e1y, py)), _mm_mul_ps(e1z, pz));
    __m128 absDet = _mm_and_ps(det, _mm_castsi128_ps(_mm_set1_epi32(0x7fffffff)));
    __m128 ok = _mm_cmpnlt_ps(absDet, _mm_set1_ps(1e-20f));
    __m128 inv = _mm_div_ps(_mm_set1_ps(1.f), det);
    // s = o - v0, u = dot(s, p) * inv
    __m128 sx = _mm_sub_ps(pr.ox, _mm_load_ps(p.v0x));
    __m128 sy = _mm_sub_ps(pr.oy, _mm_load_ps(p.v0y));
    __m128 sz = _mm_sub_ps(pr.oz, _mm_load_ps(p.v0z));
    __m128 uu = _mm_mul_ps(_mm_add_ps(_mm_add_ps(_mm_mul_ps(sx, px), _mm_mul_ps(sy, py)), _mm_mul_ps(sz, pz)), inv);
    const __m128 zero = _mm_setzero_ps(), one = _mm_set1_ps(1.f);
    ok = _mm_and_ps(ok, _mm_and_ps(_mm_cmpnlt_ps(uu, zero), _mm_cmpngt_ps(uu, one)));
    // q = cross(s, e1), v = dot(d, q) * inv, t = dot(e2, q) * inv
    __m128 qx = _mm_sub_ps(_mm_mul_ps(sy, e1z), _mm_mul_ps(sz, e1y));
    __m128 qy = _mm_sub_ps(_mm_mul_ps(sz, e1x), _mm_mul_ps(sx, e1z));
    __m128 qz = _mm_sub_ps(_mm_mul_ps(sx, e1y), _mm_mul_ps(sy, e1x));
    __m128 vv = _mm_mul_ps(_mm_add_ps(_mm_add_ps(_mm_mul_ps(pr.dx, qx), _mm_mul_ps(pr.dy, qy)), _mm_mul_ps(pr.dz, qz)), inv);
    ok = _mm_and_ps(ok, _mm_and_ps(_mm_cmpnlt_ps(vv, zero), _mm_cmpngt_ps(_mm_add_ps(uu, vv), one)));
    __m128 tt = _mm_mul_ps(_mm_add_ps(_mm_add_ps(_mm_mul_ps(e2x, qx), _mm_mul_ps(e2y, qy)), _mm_mul_ps(e2z, qz)), inv);
    ok = _mm_and_ps(ok, _mm_and_ps(_mm_cmpgt_ps(tt, zero), _mm_cmplt_ps(tt, _mm_set1_ps(tmax))));
    unsigned mask = static_cast<unsigned>(_mm_movemask_ps(ok));
    if (mask) {
        _mm_storeu_ps(t, tt);
        _mm_storeu_ps(u, uu);
        _mm_storeu_ps(v, vv);
    }
    return mask;
#else
    unsigned mask = 0;
    for (int j = 0; j < 4; ++j) {
        TriAccel tri{Vec3(p.v0x[j], p.v0y[j], p.v0z[j]), Vec3(p.e1x[j], p.e1y[j], p.e1z[j]),
                     Vec3(p.e2x[j], p.e2y[j], p.e2z[j])};
        if (intersectTriangle(tri, pr.r, tmax, t[j], u[j], v[j])) mask |= 1u << j;
    }
    return mask;
#endif
}

}  // namespace rf
