// RGBA8 texture lookups: wrap modes, bilinear filtering, sRGB decoding before filtering.
#pragma once

#include "scene_view.h"

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

RF_CPU_GPU RF_FORCEINLINE Color4 fetchTexel(const SceneView &sv, const TextureRec &t, int x, int y) {
    uint32_t p = sv.texels[t.offset + static_cast<uint32_t>(y) * static_cast<uint32_t>(t.width) +
                           static_cast<uint32_t>(x)];
    Color4 c;
    if (t.srgb) {
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

// Brings a texel coordinate into a small range without changing what wrapCoord makes of it.
RF_CPU_GPU RF_FORCEINLINE int reduceCoord(long long i, int n, int mode) {
    if (mode == kWrapClamp) return static_cast<int>(i < -1 ? -1 : (i > n ? n : i));
    return static_cast<int>(i % (2LL * n));
}

// Bilinear lookup at glTF uv (0,0 = top-left of the image).
RF_CPU_GPU inline Color4 sampleTexture(const SceneView &sv, int texIndex, float u, float v) {
    const TextureRec &t = sv.textures[texIndex];
    float x = clampf(u * static_cast<float>(t.width) - 0.5f, -1.0e9f, 1.0e9f);
    float y = clampf(v * static_cast<float>(t.height) - 0.5f, -1.0e9f, 1.0e9f);
    float fx0 = floorf(x), fy0 = floorf(y);
    float fx = x - fx0, fy = y - fy0;
    // Reduce the integer range first so that the +1 below cannot overflow.
    long long ix = static_cast<long long>(fx0), iy = static_cast<long long>(fy0);
    int x0 = reduceCoord(ix, t.width, t.wrapS), y0 = reduceCoord(iy, t.height, t.wrapT);
    int xa = wrapCoord(x0, t.width, t.wrapS), xb = wrapCoord(x0 + 1, t.width, t.wrapS);
    int ya = wrapCoord(y0, t.height, t.wrapT), yb = wrapCoord(y0 + 1, t.height, t.wrapT);
    Color4 c00 = fetchTexel(sv, t, xa, ya), c10 = fetchTexel(sv, t, xb, ya);
    Color4 c01 = fetchTexel(sv, t, xa, yb), c11 = fetchTexel(sv, t, xb, yb);
    float w00 = (1.f - fx) * (1.f - fy), w10 = fx * (1.f - fy), w01 = (1.f - fx) * fy,
          w11 = fx * fy;
    Color4 r;
    r.rgb = c00.rgb * w00 + c10.rgb * w10 + c01.rgb * w01 + c11.rgb * w11;
    r.a = c00.a * w00 + c10.a * w10 + c01.a * w01 + c11.a * w11;
    return r;
}

}  // namespace rf
