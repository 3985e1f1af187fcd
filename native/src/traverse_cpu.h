// The CPU's 8-wide traversal with SSE (two steps of four boxes a node), written to keep the
// branch predictor out of the way: each slab test reads the near and far planes the ray's
// direction signs pick (no per-axis min/max), leaf and inner children come out of the node as
// two bit masks, one or two inner children skip the general sort, and any-hit queries (shadow
// rays) do not sort at all. The loop is traverse8_body.h, shared with the AVX2 and scalar tests.
#pragma once

#include <emmintrin.h>

#include "pack_intersect.h"
#include "scene_view.h"

namespace rf {

// Byte offsets into a BVH8Node of the near and far plane arrays of each axis (bminX at 0, bminY
// 32, bminZ 64, bmaxX 96, bmaxY 128, bmaxZ 160), chosen once per ray. Multiplying by a negative
// reciprocal swaps which plane is entered first; the products and differences round
// monotonically, so the plane picked holds the value min/max of both would.
struct SlabPlanes {
    int nearX, nearY, nearZ, farX, farY, farZ;
};

RF_FORCEINLINE SlabPlanes slabPlanes(const RayInv &ri) {
    SlabPlanes p;
    p.nearX = std::signbit(ri.inv.x) ? 96 : 0;
    p.nearY = std::signbit(ri.inv.y) ? 128 : 32;
    p.nearZ = std::signbit(ri.inv.z) ? 160 : 64;
    p.farX = p.nearX ^ 96;
    p.farY = p.nearY ^ 160;
    p.farZ = p.nearZ ^ 224;
    return p;
}

// Four consecutive floats of a node, `byteOffset` bytes into it.
RF_FORCEINLINE __m128 nodeLoad4(const BVH8Node &n, int byteOffset) {
    return _mm_load_ps(reinterpret_cast<const float *>(reinterpret_cast<const char *>(&n) + byteOffset));
}

// Slab test of slots [4h, 4h + 4): stores their entry distances in t and returns the bits of
// those crossed within [0, closest] (empty slots included; the caller masks them by count).
RF_FORCEINLINE unsigned slabHalf(const BVH8Node &n, int h, const SlabPlanes &p, const __m128 inv[3],
                                 const __m128 oInv[3], __m128 closest, float *t) {
    int o = 16 * h;
    __m128 nx = _mm_sub_ps(_mm_mul_ps(nodeLoad4(n, p.nearX + o), inv[0]), oInv[0]);
    __m128 ny = _mm_sub_ps(_mm_mul_ps(nodeLoad4(n, p.nearY + o), inv[1]), oInv[1]);
    __m128 nz = _mm_sub_ps(_mm_mul_ps(nodeLoad4(n, p.nearZ + o), inv[2]), oInv[2]);
    __m128 fx = _mm_sub_ps(_mm_mul_ps(nodeLoad4(n, p.farX + o), inv[0]), oInv[0]);
    __m128 fy = _mm_sub_ps(_mm_mul_ps(nodeLoad4(n, p.farY + o), inv[1]), oInv[1]);
    __m128 fz = _mm_sub_ps(_mm_mul_ps(nodeLoad4(n, p.farZ + o), inv[2]), oInv[2]);
    __m128 tmin = _mm_max_ps(_mm_max_ps(nx, ny), _mm_max_ps(nz, _mm_setzero_ps()));
    __m128 tfar = _mm_min_ps(_mm_min_ps(fx, fy), _mm_min_ps(fz, closest));
    _mm_store_ps(t + 4 * h, tmin);
    return static_cast<unsigned>(_mm_movemask_ps(_mm_cmple_ps(tmin, tfar))) << (4 * h);
}

// Bits of the slots whose count is > 0 (leaves) and == 0 (inner nodes).
RF_FORCEINLINE void childKinds8(const BVH8Node &n, unsigned &leaves, unsigned &inner) {
    const __m128i zero = _mm_setzero_si128();
    __m128i c0 = _mm_load_si128(reinterpret_cast<const __m128i *>(n.count));
    __m128i c1 = _mm_load_si128(reinterpret_cast<const __m128i *>(n.count + 4));
    leaves = static_cast<unsigned>(_mm_movemask_ps(_mm_castsi128_ps(_mm_cmpgt_epi32(c0, zero))) |
                                   (_mm_movemask_ps(_mm_castsi128_ps(_mm_cmpgt_epi32(c1, zero))) << 4));
    inner = static_cast<unsigned>(_mm_movemask_ps(_mm_castsi128_ps(_mm_cmpeq_epi32(c0, zero))) |
                                  (_mm_movemask_ps(_mm_castsi128_ps(_mm_cmpeq_epi32(c1, zero))) << 4));
}

template <bool anyHit>
inline bool traverse8Sse(const SceneView &sv, const Ray &r, float tmax, uint64_t alphaKey, Hit &hit) {
    const RayInv ri = makeRayInv(r);
    const SlabPlanes planes = slabPlanes(ri);
    const __m128 inv[3] = {_mm_set1_ps(ri.inv.x), _mm_set1_ps(ri.inv.y), _mm_set1_ps(ri.inv.z)};
    const __m128 oInv[3] = {_mm_set1_ps(ri.oInv.x), _mm_set1_ps(ri.oInv.y), _mm_set1_ps(ri.oInv.z)};
#define RF_NODE_TEST(n)                                                                           \
    do {                                                                                          \
        const __m128 cl = _mm_set1_ps(closest);                                                   \
        unsigned crossed = slabHalf(n, 0, planes, inv, oInv, cl, t) | slabHalf(n, 1, planes, inv, oInv, cl, t); \
        childKinds8(n, leaves, inner);                                                            \
        leaves &= crossed;                                                                        \
        inner &= crossed;                                                                         \
    } while (0)
#define RF_IN_FRONT()                                                                             \
    static_cast<unsigned>(_mm_movemask_ps(_mm_cmplt_ps(_mm_load_ps(t), _mm_set1_ps(closest))) |  \
                          (_mm_movemask_ps(_mm_cmplt_ps(_mm_load_ps(t + 4), _mm_set1_ps(closest))) << 4))
#include "traverse8_body.h"
#undef RF_NODE_TEST
#undef RF_IN_FRONT
}

}  // namespace rf
