// The 8-wide traversal for CPUs with AVX2, chosen at run time (cpuTraversal()): one AVX step
// tests a node's eight boxes. The arithmetic is the SSE test's, lane for lane (no FMA: the target
// adds AVX2 only, and the build sets -ffp-contract=off), and the loop is the same
// traverse8_body.h, so an operator with AVX2 and one without render the same bits.
#pragma once

#include <immintrin.h>

#include "traverse_cpu.h"

namespace rf {

__attribute__((target("avx2"))) inline __m256 nodeLoad8(const BVH8Node &n, int byteOffset) {
    return _mm256_load_ps(reinterpret_cast<const float *>(reinterpret_cast<const char *>(&n) + byteOffset));
}

template <bool anyHit>
__attribute__((target("avx2"), noinline)) bool traverse8Avx2(const SceneView &sv, const Ray &r, float tmax,
                                                             uint64_t alphaKey, Hit &hit) {
    const RayInv ri = makeRayInv(r);
    const SlabPlanes p = slabPlanes(ri);
    const __m256 ix = _mm256_set1_ps(ri.inv.x), iy = _mm256_set1_ps(ri.inv.y), iz = _mm256_set1_ps(ri.inv.z);
    const __m256 ox = _mm256_set1_ps(ri.oInv.x), oy = _mm256_set1_ps(ri.oInv.y), oz = _mm256_set1_ps(ri.oInv.z);
#define RF_NODE_TEST(n)                                                                           \
    do {                                                                                          \
        __m256 nx = _mm256_sub_ps(_mm256_mul_ps(nodeLoad8(n, p.nearX), ix), ox);                  \
        __m256 ny = _mm256_sub_ps(_mm256_mul_ps(nodeLoad8(n, p.nearY), iy), oy);                  \
        __m256 nz = _mm256_sub_ps(_mm256_mul_ps(nodeLoad8(n, p.nearZ), iz), oz);                  \
        __m256 fx = _mm256_sub_ps(_mm256_mul_ps(nodeLoad8(n, p.farX), ix), ox);                   \
        __m256 fy = _mm256_sub_ps(_mm256_mul_ps(nodeLoad8(n, p.farY), iy), oy);                   \
        __m256 fz = _mm256_sub_ps(_mm256_mul_ps(nodeLoad8(n, p.farZ), iz), oz);                   \
        __m256 tmin = _mm256_max_ps(_mm256_max_ps(nx, ny), _mm256_max_ps(nz, _mm256_setzero_ps())); \
        __m256 tfar = _mm256_min_ps(_mm256_min_ps(fx, fy), _mm256_min_ps(fz, _mm256_set1_ps(closest))); \
        _mm256_store_ps(t, tmin);                                                                 \
        unsigned crossed = static_cast<unsigned>(_mm256_movemask_ps(_mm256_cmp_ps(tmin, tfar, _CMP_LE_OQ))); \
        __m256i c = _mm256_load_si256(reinterpret_cast<const __m256i *>(n.count));               \
        leaves = crossed & static_cast<unsigned>(_mm256_movemask_ps(                              \
                               _mm256_castsi256_ps(_mm256_cmpgt_epi32(c, _mm256_setzero_si256())))); \
        inner = crossed & static_cast<unsigned>(_mm256_movemask_ps(                               \
                              _mm256_castsi256_ps(_mm256_cmpeq_epi32(c, _mm256_setzero_si256())))); \
    } while (0)
#define RF_IN_FRONT()                                                                             \
    static_cast<unsigned>(_mm256_movemask_ps(_mm256_cmp_ps(_mm256_load_ps(t), _mm256_set1_ps(closest), _CMP_LT_OQ)))
#include "traverse8_body.h"
#undef RF_NODE_TEST
#undef RF_IN_FRONT
}

}  // namespace rf
