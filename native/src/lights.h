// Light sampling: punctual lights and emissive triangles chosen by power from one CDF, and the
// background (uniform colour or equirectangular map).
#pragma once

#include "material.h"

namespace rf {

struct LightSample {
    Vec3 wi;     // towards the light
    float dist;  // to the light point, kInfinity for directional lights
    Vec3 li;     // incident radiance (area) or irradiance-like value (delta)
    float pdf;   // solid angle pdf for area lights, pick probability for delta lights
    bool delta;
};

// Bilinear lookup of the float HDRI at equirect (u, v): wraps around in u, clamped at the
// poles, the same filter the sampling table integrates (environment.cc).
RF_CPU_GPU inline Vec3 hdriLookup(const SceneView &sv, float u, float v) {
    int w = sv.envTexWidth, h = sv.envTexHeight;
    float x = u * static_cast<float>(w) - 0.5f, y = clampf(v * static_cast<float>(h) - 0.5f, 0.f, static_cast<float>(h - 1));
    float fx0 = floorExact(x), fy0 = floorExact(y);
    float fx = x - fx0, fy = y - fy0;
    int x0 = static_cast<int>(fx0) % w;
    if (x0 < 0) x0 += w;
    int x1 = x0 + 1 == w ? 0 : x0 + 1;
    int y0 = static_cast<int>(fy0), y1 = y0 + 1 < h ? y0 + 1 : h - 1;
    const float *r0 = sv.envTexels + 3 * static_cast<size_t>(y0) * w;
    const float *r1 = sv.envTexels + 3 * static_cast<size_t>(y1) * w;
    Vec3 c00(r0[3 * x0], r0[3 * x0 + 1], r0[3 * x0 + 2]), c10(r0[3 * x1], r0[3 * x1 + 1], r0[3 * x1 + 2]);
    Vec3 c01(r1[3 * x0], r1[3 * x0 + 1], r1[3 * x0 + 2]), c11(r1[3 * x1], r1[3 * x1 + 1], r1[3 * x1 + 2]);
    return (c00 * (1.f - fx) + c10 * fx) * (1.f - fy) + (c01 * (1.f - fx) + c11 * fx) * fy;
}

RF_CPU_GPU inline Vec3 backgroundRadiance(const SceneView &sv, Vec3 d) {
    if (sv.backgroundType == kBackgroundHdri) {
        float u = 0.5f + atan2f(d.x, -d.z) * kInv2Pi;
        float v = acosf(clampf(d.y, -1.f, 1.f)) * kInvPi;
        return hdriLookup(sv, clampf(u, 0.f, 1.f), v) * sv.backgroundIntensity;
    }
    if (sv.backgroundType == kBackgroundEquirect) {
        float u = 0.5f + atan2f(d.x, -d.z) * kInv2Pi;
        float v = acosf(clampf(d.y, -1.f, 1.f)) * kInvPi;
        // Never filter across a pole, whatever the texture's vertical wrap mode says.
        float halfTexel = 0.5f / static_cast<float>(sv.textures[sv.backgroundTex].height);
        v = clampf(v, halfTexel, 1.f - halfTexel);
        return sampleTexture(sv, sv.backgroundTex, u, v).rgb * sv.backgroundIntensity;
    }
    return sv.backgroundColor;
}

RF_CPU_GPU RF_FORCEINLINE int lightTableSize(const SceneView &sv) {
    return sv.lightCount + sv.emissiveCount + sv.envSampled;
}

// Largest i in [0, n) with cdf[i] <= u (cdf has n + 1 entries, cdf[0] = 0).
RF_CPU_GPU inline int searchCdf(const float *cdf, int n, float u) {
    int lo = 0, hi = n - 1;
    while (lo < hi) {
        int mid = (lo + hi + 1) >> 1;
        if (cdf[mid] <= u) lo = mid;
        else hi = mid - 1;
    }
    return lo;
}

// Solid-angle density of sampleEnvironment choosing direction d (before the pick probability).
RF_CPU_GPU inline float environmentPdf(const SceneView &sv, Vec3 d) {
    if (sv.envWidth == 0) return 1.f / (4.f * kPi);
    float u = 0.5f + atan2f(d.x, -d.z) * kInv2Pi;
    float theta = acosf(clampf(d.y, -1.f, 1.f));
    float sinTheta = sinf(theta);
    if (!(sinTheta > 0.f)) return 0.f;
    int w = sv.envWidth, h = sv.envHeight;
    int col = static_cast<int>(clampf(u * w, 0.f, static_cast<float>(w - 1)));
    int row = static_cast<int>(clampf(theta * kInvPi * h, 0.f, static_cast<float>(h - 1)));
    const float *cond = sv.envConditionalCdf + static_cast<size_t>(row) * (w + 1);
    float p = (sv.envMarginalCdf[row + 1] - sv.envMarginalCdf[row]) * h * (cond[col + 1] - cond[col]) * w;
    return p / (2.f * kPi * kPi * sinTheta);
}

// Picks a background direction proportionally to radiance x sin(theta) (uniform for a colour).
RF_CPU_GPU inline bool sampleEnvironment(const SceneView &sv, float u1, float u2, Vec3 &d, float &pdf) {
    if (sv.envWidth == 0) {
        float z = 1.f - 2.f * u1, r = safeSqrt(1.f - z * z), phi = 2.f * kPi * u2;
        d = Vec3(r * cosf(phi), z, r * sinf(phi));
        pdf = 1.f / (4.f * kPi);
        return true;
    }
    int w = sv.envWidth, h = sv.envHeight;
    int row = searchCdf(sv.envMarginalCdf, h, u1);
    float r0 = sv.envMarginalCdf[row], r1 = sv.envMarginalCdf[row + 1];
    float dv = r1 > r0 ? clampf((u1 - r0) / (r1 - r0), 0.f, 1.f) : 0.5f;
    const float *cond = sv.envConditionalCdf + static_cast<size_t>(row) * (w + 1);
    int col = searchCdf(cond, w, u2);
    float c0 = cond[col], c1 = cond[col + 1];
    float du = c1 > c0 ? clampf((u2 - c0) / (c1 - c0), 0.f, 1.f) : 0.5f;
    float theta = (static_cast<float>(row) + dv) / static_cast<float>(h) * kPi;
    float phi = ((static_cast<float>(col) + du) / static_cast<float>(w) - 0.5f) * 2.f * kPi;
    float sinTheta = sinf(theta);
    if (!(sinTheta > 0.f)) return false;
    d = Vec3(sinTheta * sinf(phi), cosf(theta), -sinTheta * cosf(phi));
    pdf = (r1 - r0) * h * (c1 - c0) * w / (2.f * kPi * kPi * sinTheta);
    return pdf > 0.f;
}

// Finds i with cdf[i] <= u < cdf[i + 1].
RF_CPU_GPU inline int pickLight(const SceneView &sv, float u, float &pickPdf) {
    int n = lightTableSize(sv);
    int lo = 0, hi = n - 1;
    while (lo < hi) {
        int mid = (lo + hi + 1) >> 1;
        if (sv.lightCdf[mid] <= u) lo = mid;
        else hi = mid - 1;
    }
    pickPdf = sv.lightCdf[lo + 1] - sv.lightCdf[lo];
    return lo;
}

RF_CPU_GPU inline float spotFactor(const LightRec &l, Vec3 fromLight) {
    float c = dot(fromLight, l.direction);
    if (c <= l.cosOuter) return 0.f;
    if (c >= l.cosInner) return 1.f;
    float t = (c - l.cosOuter) / maxf(l.cosInner - l.cosOuter, 1e-6f);
    return t * t;
}

RF_CPU_GPU inline float rangeFactor(float range, float dist) {
    if (range <= 0.f) return 1.f;
    float r = dist / range;
    float w = clampf(1.f - r * r * r * r, 0.f, 1.f);
    return w;
}

RF_CPU_GPU inline bool sampleLight(const SceneView &sv, Vec3 p, float u0, float u1, float u2,
                                   LightSample &ls) {
    if (lightTableSize(sv) == 0) return false;
    float pickPdf;
    int idx = pickLight(sv, u0, pickPdf);
    if (!(pickPdf > 0.f)) return false;
    if (idx == sv.lightCount + sv.emissiveCount) {  // the background
        float pdf;
        if (!sampleEnvironment(sv, u1, u2, ls.wi, pdf)) return false;
        ls.dist = kInfinity;
        ls.li = backgroundRadiance(sv, ls.wi);
        ls.pdf = pickPdf * pdf;
        ls.delta = false;
        return ls.pdf > 0.f;
    }
    if (idx < sv.lightCount) {
        const LightRec &l = sv.lights[idx];
        ls.delta = true;
        ls.pdf = pickPdf;
        if (l.type == kLightDirectional) {
            ls.wi = -l.direction;
            ls.dist = kInfinity;
            ls.li = l.color;
            return true;
        }
        Vec3 d = l.position - p;
        float d2 = dot(d, d);
        if (!(d2 > 0.f)) return false;
        ls.dist = sqrtf(d2);
        ls.wi = d * (1.f / ls.dist);
        float atten = rangeFactor(l.range, ls.dist) / d2;
        if (l.type == kLightSpot) atten *= spotFactor(l, -ls.wi);
        ls.li = l.color * atten;
        return atten > 0.f;
    }
    uint32_t tri = sv.emissiveTris[idx - sv.lightCount];
    uint32_t i0 = sv.indices[3 * tri], i1 = sv.indices[3 * tri + 1], i2 = sv.indices[3 * tri + 2];
    Vec3 p0 = vertexPos(sv, i0), p1 = vertexPos(sv, i1), p2 = vertexPos(sv, i2);
    float su = sqrtf(u1);
    float b1 = su * (1.f - u2), b2 = su * u2;
    Vec3 q = p0 * (1.f - b1 - b2) + p1 * b1 + p2 * b2;
    Vec3 c = cross(p1 - p0, p2 - p0);
    float area2 = length(c);
    if (!(area2 > 0.f)) return false;
    Vec3 nl = c * (1.f / area2);
    Vec3 d = q - p;
    float d2 = dot(d, d);
    if (!(d2 > 0.f)) return false;
    ls.dist = sqrtf(d2);
    ls.wi = d * (1.f / ls.dist);
    float cosSigned = dot(nl, ls.wi);
    float cosL = fabsf(cosSigned);
    if (!(cosL > 1e-7f)) return false;
    const MaterialRec &m = sv.materials[sv.materialIndex[tri]];
    if (!m.doubleSided && cosSigned > 0.f) return false;  // behind a single-sided emitter
    ls.pdf = pickPdf * d2 / (cosL * 0.5f * area2);
    float u, v;
    triangleUV(sv, tri, b1, b2, u, v);
    ls.li = materialEmission(sv, m, u, v);
    ls.delta = false;
    return true;
}

// Solid-angle pdf with which sampleLight would have chosen point `q` on emissive triangle `tri`
// seen from `p` (for MIS when a BSDF-sampled ray hits an emitter).
RF_CPU_GPU inline float emissiveTrianglePdf(const SceneView &sv, uint32_t tri, Vec3 p, Vec3 q,
                                            Vec3 wi) {
    float pick = sv.triLightPdf[tri];
    if (!(pick > 0.f)) return 0.f;
    uint32_t i0 = sv.indices[3 * tri], i1 = sv.indices[3 * tri + 1], i2 = sv.indices[3 * tri + 2];
    Vec3 p0 = vertexPos(sv, i0), p1 = vertexPos(sv, i1), p2 = vertexPos(sv, i2);
    Vec3 c = cross(p1 - p0, p2 - p0);
    float area2 = length(c);
    if (!(area2 > 0.f)) return 0.f;
    float cosL = fabsf(dot(c, wi)) / area2;
    if (!(cosL > 1e-7f)) return 0.f;
    Vec3 d = q - p;
    return pick * dot(d, d) / (cosL * 0.5f * area2);
}

}  // namespace rf
