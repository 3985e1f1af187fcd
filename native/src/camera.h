// Perspective camera: glTF convention, looking down local -Z with +Y up.
#pragma once

#include "math.h"

namespace rf {

struct CameraRec {
    Vec3 origin;
    Vec3 right, up, back;  // columns 0..2 of cameraToWorld
    float tanHalfFov;
};

struct PixelRect {
    int32_t x, y, width, height;
};

struct RenderParams {
    CameraRec camera;
    int32_t fullWidth, fullHeight;
    PixelRect rect;
    int32_t spp;
    int32_t maxDepth;
    uint64_t seed;
};

inline CameraRec makeCamera(const float m[16], float yfov) {
    CameraRec c;
    c.right = Vec3(m[0], m[1], m[2]);
    c.up = Vec3(m[4], m[5], m[6]);
    c.back = Vec3(m[8], m[9], m[10]);
    c.origin = Vec3(m[12], m[13], m[14]);
    c.tanHalfFov = tanf(0.5f * yfov);
    return c;
}

// Ray through film position (fx, fy) in pixels from the top-left of the full frame.
RF_CPU_GPU inline Ray generateRay(const RenderParams &p, float fx, float fy) {
    const CameraRec &c = p.camera;
    float aspect = static_cast<float>(p.fullWidth) / static_cast<float>(p.fullHeight);
    float sx = (2.f * fx / static_cast<float>(p.fullWidth) - 1.f) * c.tanHalfFov * aspect;
    float sy = (1.f - 2.f * fy / static_cast<float>(p.fullHeight)) * c.tanHalfFov;
    Ray r;
    r.o = c.origin;
    r.d = normalize(c.right * sx + c.up * sy - c.back);
    return r;
}

// Importance-samples a tent filter of radius 0.5 pixel: the sample stays inside its pixel.
RF_CPU_GPU RF_FORCEINLINE float sampleTent(float u) {
    // Written without a branch (the same operations on the chosen side): u is a coin flip, and
    // its mispredicted branch cost ~1.5 % of a render.
    bool low = u < 0.5f;
    float a = 2.f * u, b = 2.f - 2.f * u;
    float s = sqrtf(selectf(low, a, b));
    float x = selectf(low, s - 1.f, 1.f - s);
    return 0.5f * x;
}

}  // namespace rf
