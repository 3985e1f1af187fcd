// Small vector math shared by the CPU and GPU paths. Plain float arithmetic only (no fast-math)
// so that both backends compute the same values wherever the hardware allows.
#pragma once

#include <cmath>

#include "rf.h"

#if !defined(__CUDACC__) && defined(__SSE4_1__)
#include <smmintrin.h>
#endif

namespace rf {

constexpr float kPi = 3.14159265358979323846f;
constexpr float kInvPi = 0.31830988618379067154f;
constexpr float kInv2Pi = 0.15915494309189533577f;
constexpr float kInfinity = 3.0e38f;

// min/max as plain comparisons: they compile to single instructions on both sides (libm's
// fminf/fmaxf are calls on x86 without fast-math) and NaN handling is the same everywhere.
RF_CPU_GPU RF_FORCEINLINE float minf(float a, float b) { return a < b ? a : b; }
RF_CPU_GPU RF_FORCEINLINE float maxf(float a, float b) { return a > b ? a : b; }

struct Vec3 {
    float x, y, z;
    RF_CPU_GPU Vec3() : x(0.f), y(0.f), z(0.f) {}
    RF_CPU_GPU Vec3(float x, float y, float z) : x(x), y(y), z(z) {}
    RF_CPU_GPU explicit Vec3(float s) : x(s), y(s), z(s) {}
    RF_CPU_GPU float operator[](int i) const { return i == 0 ? x : (i == 1 ? y : z); }
};

RF_CPU_GPU RF_FORCEINLINE Vec3 operator+(Vec3 a, Vec3 b) { return {a.x + b.x, a.y + b.y, a.z + b.z}; }
RF_CPU_GPU RF_FORCEINLINE Vec3 operator-(Vec3 a, Vec3 b) { return {a.x - b.x, a.y - b.y, a.z - b.z}; }
RF_CPU_GPU RF_FORCEINLINE Vec3 operator*(Vec3 a, Vec3 b) { return {a.x * b.x, a.y * b.y, a.z * b.z}; }
RF_CPU_GPU RF_FORCEINLINE Vec3 operator*(Vec3 a, float s) { return {a.x * s, a.y * s, a.z * s}; }
RF_CPU_GPU RF_FORCEINLINE Vec3 operator*(float s, Vec3 a) { return {a.x * s, a.y * s, a.z * s}; }
RF_CPU_GPU RF_FORCEINLINE Vec3 operator/(Vec3 a, float s) {
    float inv = 1.f / s;
    return a * inv;
}
RF_CPU_GPU RF_FORCEINLINE Vec3 operator-(Vec3 a) { return {-a.x, -a.y, -a.z}; }
RF_CPU_GPU RF_FORCEINLINE Vec3 &operator+=(Vec3 &a, Vec3 b) {
    a.x += b.x;
    a.y += b.y;
    a.z += b.z;
    return a;
}
RF_CPU_GPU RF_FORCEINLINE Vec3 &operator*=(Vec3 &a, Vec3 b) {
    a.x *= b.x;
    a.y *= b.y;
    a.z *= b.z;
    return a;
}
RF_CPU_GPU RF_FORCEINLINE float dot(Vec3 a, Vec3 b) { return a.x * b.x + a.y * b.y + a.z * b.z; }
RF_CPU_GPU RF_FORCEINLINE Vec3 cross(Vec3 a, Vec3 b) {
    return {a.y * b.z - a.z * b.y, a.z * b.x - a.x * b.z, a.x * b.y - a.y * b.x};
}
RF_CPU_GPU RF_FORCEINLINE float length(Vec3 a) { return sqrtf(dot(a, a)); }
RF_CPU_GPU RF_FORCEINLINE Vec3 normalize(Vec3 a) {
    float l = length(a);
    return l > 0.f ? a * (1.f / l) : Vec3(0.f, 0.f, 1.f);
}
RF_CPU_GPU RF_FORCEINLINE Vec3 vmin(Vec3 a, Vec3 b) {
    return {minf(a.x, b.x), minf(a.y, b.y), minf(a.z, b.z)};
}
RF_CPU_GPU RF_FORCEINLINE Vec3 vmax(Vec3 a, Vec3 b) {
    return {maxf(a.x, b.x), maxf(a.y, b.y), maxf(a.z, b.z)};
}
RF_CPU_GPU RF_FORCEINLINE float maxComponent(Vec3 a) { return maxf(a.x, maxf(a.y, a.z)); }
RF_CPU_GPU RF_FORCEINLINE float luminance(Vec3 c) {
    return 0.2126f * c.x + 0.7152f * c.y + 0.0722f * c.z;
}
RF_CPU_GPU RF_FORCEINLINE bool isBlack(Vec3 c) { return c.x <= 0.f && c.y <= 0.f && c.z <= 0.f; }
// NaN and infinities fail x - x == 0 (valid without fast-math, which this project never uses).
RF_CPU_GPU RF_FORCEINLINE bool isFiniteF(float v) { return v - v == 0.f; }
RF_CPU_GPU RF_FORCEINLINE bool isFiniteVec(Vec3 c) {
    return isFiniteF(c.x) && isFiniteF(c.y) && isFiniteF(c.z);
}
RF_CPU_GPU RF_FORCEINLINE float clampf(float v, float lo, float hi) {
    return minf(maxf(v, lo), hi);
}
RF_CPU_GPU RF_FORCEINLINE float lerpf(float t, float a, float b) { return a + t * (b - a); }
RF_CPU_GPU RF_FORCEINLINE Vec3 lerp(float t, Vec3 a, Vec3 b) { return a + (b - a) * t; }
RF_CPU_GPU RF_FORCEINLINE float sqr(float v) { return v * v; }
RF_CPU_GPU RF_FORCEINLINE float safeSqrt(float v) { return sqrtf(maxf(v, 0.f)); }
// c ? a : b without a branch, for conditions that are coin flips (a mispredicted branch costs
// more than both sides). GCC turns the plain ?: on floats back into a branch.
RF_CPU_GPU RF_FORCEINLINE float selectf(bool c, float a, float b) {
#if !defined(__CUDACC__) && defined(__SSE4_1__)
    __m128 mask = _mm_castsi128_ps(_mm_cvtsi32_si128(-static_cast<int>(c)));
    return _mm_cvtss_f32(_mm_blendv_ps(_mm_set_ss(b), _mm_set_ss(a), mask));
#else
    return c ? a : b;
#endif
}
// floorf as one instruction: without -ffast-math GCC calls libm's floorf on x86 even where
// SSE4.1's roundss (same IEEE result, signed zeros and NaN included) is available.
RF_CPU_GPU RF_FORCEINLINE float floorExact(float v) {
#if !defined(__CUDACC__) && defined(__SSE4_1__)
    return _mm_cvtss_f32(_mm_floor_ss(_mm_setzero_ps(), _mm_set_ss(v)));
#else
    return floorf(v);
#endif
}

// An orthonormal basis around a unit normal (Duff et al. 2017), used as the shading frame.
struct Frame {
    Vec3 s, t, n;
    RF_CPU_GPU static Frame fromNormal(Vec3 n) {
        float sign = copysignf(1.f, n.z);
        float a = -1.f / (sign + n.z);
        float b = n.x * n.y * a;
        Frame f;
        f.s = Vec3(1.f + sign * n.x * n.x * a, sign * b, -sign * n.x);
        f.t = Vec3(b, sign + n.y * n.y * a, -n.y);
        f.n = n;
        return f;
    }
    // Builds a frame whose first axis follows the tangent `tan` projected onto the plane of n.
    RF_CPU_GPU static Frame fromNormalTangent(Vec3 n, Vec3 tan) {
        Vec3 s = tan - n * dot(n, tan);
        float l = length(s);
        if (!(l > 1e-8f)) return fromNormal(n);
        Frame f;
        f.n = n;
        f.s = s * (1.f / l);
        f.t = cross(n, f.s);
        return f;
    }
    RF_CPU_GPU Vec3 toLocal(Vec3 v) const { return {dot(v, s), dot(v, t), dot(v, n)}; }
    RF_CPU_GPU Vec3 fromLocal(Vec3 v) const { return s * v.x + t * v.y + n * v.z; }
};

struct Ray {
    Vec3 o, d;
};

// Moves a ray origin off a surface along the geometric normal, scaled to the magnitude of p.
RF_CPU_GPU RF_FORCEINLINE Vec3 offsetRayOrigin(Vec3 p, Vec3 ng, Vec3 dir) {
    float scale = maxf(maxf(fabsf(p.x), fabsf(p.y)), maxf(fabsf(p.z), 1.f));
    float eps = 2e-5f * scale;
    return dot(dir, ng) >= 0.f ? p + ng * eps : p - ng * eps;
}

RF_CPU_GPU RF_FORCEINLINE float powerHeuristic(float fPdf, float gPdf) {
    float f = fPdf * fPdf, g = gPdf * gPdf;
    return f + g > 0.f ? f / (f + g) : 0.f;
}

}  // namespace rf
