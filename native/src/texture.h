// RGBA8 texture lookups: KHR_texture_transform, wrap modes, bilinear filtering with sRGB decoded
// before filtering, and trilinear filtering across the mip chain built at load (scene.cc).
#pragma once

#include "scene_view.h"

// Texture lookups and the less common material layers stay out of line on the CPU, so the
// path tracer's loop is small enough for the compiler to inline its shading (measured: ~3 %
// of the Cornell box's time); the GPU inlines everything as usual.
#if defined(__CUDACC__)
#define RF_RARE inline
#else
#define RF_RARE inline __attribute__((noinline))
#endif

namespace rf {

struct Color4 {
    Vec3 rgb;
    float a;
};

RF_CPU_GPU RF_FORCEINLINE int wrapCoord(int i, int n, int mode) {
    if (mode == kWrapClamp) return i < 0 ? 0 : (i >= n ? n - 1 : i);
    if (mode == kWrapMirror) {
        int period = 2 * n;
        int m = i % period;
        if (m < 0) m += period;
        return m < n ? m : period - 1 - m;
    }
    int m = i % n;
    return m < 0 ? m + n : m;
}

RF_CPU_GPU RF_FORCEINLINE Color4 fetchTexel(const SceneView &sv, uint32_t offset, int width,
                                           int srgb, int x, int y) {
    uint32_t p = sv.texels[offset + static_cast<uint32_t>(y) * static_cast<uint32_t>(width) +
                           static_cast<uint32_t>(x)];
    Color4 c;
    if (srgb) {
        c.rgb = Vec3(sv.srgbToLinear[p & 255u], sv.srgbToLinear[(p >> 8) & 255u],
                     sv.srgbToLinear[(p >> 16) & 255u]);
    } else {
        c.rgb = Vec3(static_cast<float>(p & 255u), static_cast<float>((p >> 8) & 255u),
                     static_cast<float>((p >> 16) & 255u)) *
                (1.f / 255.f);
    }
    c.a = static_cast<float>(p >> 24) * (1.f / 255.f);
    return c;
}

// A filtered value is a weighted sum of texels. On x86 CPUs a texel is one SSE register
// (r, g, b, a) and the sum runs on all four channels at once: the same multiplications and
// additions in the same order as the scalar code, so the same bits.
#if !defined(__CUDACC__) && defined(__SSE4_1__)
using Texel4 = __m128;
RF_FORCEINLINE Texel4 texelAt(const SceneView &sv, uint32_t offset, int width, int srgb, int x, int y) {
    uint32_t p = sv.texels[offset + static_cast<uint32_t>(y) * static_cast<uint32_t>(width) +
                           static_cast<uint32_t>(x)];
    __m128 c = _mm_mul_ps(_mm_cvtepi32_ps(_mm_cvtepu8_epi32(_mm_cvtsi32_si128(static_cast<int>(p)))),
                          _mm_set1_ps(1.f / 255.f));
    if (srgb) {
        const float *lut = sv.srgbToLinear;
        __m128 lin = _mm_setr_ps(lut[p & 255u], lut[(p >> 8) & 255u], lut[(p >> 16) & 255u], 0.f);
        c = _mm_blend_ps(lin, c, 8);  // alpha stays linear
    }
    return c;
}
RF_FORCEINLINE Texel4 texelScale(Texel4 c, float w) { return _mm_mul_ps(c, _mm_set1_ps(w)); }
RF_FORCEINLINE Texel4 texelAdd(Texel4 a, Texel4 b) { return _mm_add_ps(a, b); }
RF_FORCEINLINE Color4 texelColor(Texel4 c) {
    alignas(16) float f[4];
    _mm_store_ps(f, c);
    return Color4{Vec3(f[0], f[1], f[2]), f[3]};
}
#else
using Texel4 = Color4;
RF_CPU_GPU RF_FORCEINLINE Texel4 texelAt(const SceneView &sv, uint32_t offset, int width, int srgb, int x, int y) {
    return fetchTexel(sv, offset, width, srgb, x, y);
}
RF_CPU_GPU RF_FORCEINLINE Texel4 texelScale(Texel4 c, float w) { return Color4{c.rgb * w, c.a * w}; }
RF_CPU_GPU RF_FORCEINLINE Texel4 texelAdd(Texel4 a, Texel4 b) { return Color4{a.rgb + b.rgb, a.a + b.a}; }
RF_CPU_GPU RF_FORCEINLINE Color4 texelColor(Texel4 c) { return c; }
#endif

// Brings a texel coordinate into a small range without changing what wrapCoord makes of it.
RF_CPU_GPU RF_FORCEINLINE int reduceCoord(long long i, int n, int mode) {
    if (mode == kWrapClamp) return static_cast<int>(i < -1 ? -1 : (i > n ? n : i));
    return static_cast<int>(i % (2LL * n));
}

// The two texels either side of floor coordinate f (|f| <= 1e9) along an axis of n texels:
// wrapCoord of f and f + 1. Repeat, the common mode, costs one 32-bit remainder.
RF_CPU_GPU RF_FORCEINLINE void texelPair(float f, int n, int mode, int &a, int &b) {
    if (mode == kWrapRepeat) {
        if ((n & (n - 1)) == 0) {  // a power of two: the remainder is a mask (two's complement)
            a = static_cast<int>(f) & (n - 1);
            b = (a + 1) & (n - 1);
            return;
        }
        int m = static_cast<int>(f) % n;
        a = m < 0 ? m + n : m;
        b = a + 1 == n ? 0 : a + 1;
        return;
    }
    // Reduce the integer range first so that the +1 below cannot overflow.
    int i = reduceCoord(static_cast<long long>(f), n, mode);
    a = wrapCoord(i, n, mode);
    b = wrapCoord(i + 1, n, mode);
}

// Bilinear lookup of mip level `level` at (already transformed) uv (0,0 = top-left).
RF_CPU_GPU RF_FORCEINLINE Texel4 bilinearLevel(const SceneView &sv, const TextureRec &t, int level,
                                               float u, float v) {
    uint32_t offset = t.levelOffset[level];
    int width = t.width >> level, height = t.height >> level;
    if (width < 1) width = 1;
    if (height < 1) height = 1;
    float x = clampf(u * static_cast<float>(width) - 0.5f, -1.0e9f, 1.0e9f);
    float y = clampf(v * static_cast<float>(height) - 0.5f, -1.0e9f, 1.0e9f);
    float fx0 = floorExact(x), fy0 = floorExact(y);
    float fx = x - fx0, fy = y - fy0;
    int xa, xb, ya, yb;
    texelPair(fx0, width, t.wrapS, xa, xb);
    texelPair(fy0, height, t.wrapT, ya, yb);
    Texel4 c00 = texelAt(sv, offset, width, t.srgb, xa, ya);
    Texel4 c10 = texelAt(sv, offset, width, t.srgb, xb, ya);
    Texel4 c01 = texelAt(sv, offset, width, t.srgb, xa, yb);
    Texel4 c11 = texelAt(sv, offset, width, t.srgb, xb, yb);
    float w00 = (1.f - fx) * (1.f - fy), w10 = fx * (1.f - fy), w01 = (1.f - fx) * fy,
          w11 = fx * fy;
    // c00 w00 + c10 w10 + c01 w01 + c11 w11, added left to right.
    return texelAdd(texelAdd(texelAdd(texelScale(c00, w00), texelScale(c10, w10)), texelScale(c01, w01)),
                    texelScale(c11, w11));
}

// Lookup at glTF uv (0,0 = top-left of the image). `footprint` is the width of the ray's
// footprint in uv units of the untransformed set (0: sharpest level); KHR_texture_transform is
// applied first, and the footprint in texels picks the mip level (isotropic, trilinear).
RF_CPU_GPU RF_RARE Color4 sampleTexture(const SceneView &sv, int texIndex, float u, float v,
                                       float footprint = 0.f) {
    const TextureRec &t = sv.textures[texIndex];
    if (t.transformed) {
        float tu = t.xf[0] * u + t.xf[1] * v + t.xf[2];
        float tv = t.xf[3] * u + t.xf[4] * v + t.xf[5];
        u = tu;
        v = tv;
    }
    if (!(footprint > 0.f) || t.levels <= 1) return texelColor(bilinearLevel(sv, t, 0, u, v));
    // Texels under the footprint: uv width times sqrt(texels per unit uv area) of level 0.
    float texels = footprint * t.texelScale;
    if (!(texels > 1.f)) return texelColor(bilinearLevel(sv, t, 0, u, v));
    float lod = minf(log2f(texels), static_cast<float>(t.levels - 1));
    int l0 = static_cast<int>(floorExact(lod));
    float frac = lod - static_cast<float>(l0);
    Texel4 a = bilinearLevel(sv, t, l0, u, v);
    if (l0 + 1 >= t.levels || frac <= 0.f) return texelColor(a);
    Texel4 b = bilinearLevel(sv, t, l0 + 1, u, v);
    return texelColor(texelAdd(texelScale(a, 1.f - frac), texelScale(b, frac)));
}

}  // namespace rf
