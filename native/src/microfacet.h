// Microfacet and Fresnel building blocks of the BSDF, all in the local shading frame
// (z = shading normal): GGX (Trowbridge-Reitz) with Smith masking and visible-normal sampling,
// exact dielectric Fresnel, and the "Charlie" sheen distribution.
#pragma once

#include "math.h"

namespace rf {

RF_CPU_GPU RF_FORCEINLINE float pow5(float x) {
    float x2 = x * x;
    return x2 * x2 * x;
}

RF_CPU_GPU RF_FORCEINLINE float ggxD(Vec3 h, float a) {
    float a2 = a * a;
    float d = h.z * h.z * (a2 - 1.f) + 1.f;
    return a2 / (kPi * d * d);
}

// Smith Lambda for GGX; uses |w.z| so directions below the surface (transmission) work too.
RF_CPU_GPU RF_FORCEINLINE float ggxLambda(Vec3 w, float a) {
    float c2 = w.z * w.z;
    float t2 = maxf(1.f - c2, 0.f) / maxf(c2, 1e-12f);
    return 0.5f * (-1.f + sqrtf(1.f + a * a * t2));
}

// Heitz 2018, "Sampling the GGX Distribution of Visible Normals". wo.z > 0.
RF_CPU_GPU inline Vec3 sampleGgxVndf(Vec3 wo, float a, float u1, float u2) {
    Vec3 vh = normalize(Vec3(a * wo.x, a * wo.y, wo.z));
    float lensq = vh.x * vh.x + vh.y * vh.y;
    Vec3 t1 = lensq > 0.f ? Vec3(-vh.y, vh.x, 0.f) * (1.f / sqrtf(lensq)) : Vec3(1.f, 0.f, 0.f);
    Vec3 t2 = cross(vh, t1);
    float r = sqrtf(u1);
    float phi = 2.f * kPi * u2;
    float p1 = r * cosf(phi), p2 = r * sinf(phi);
    float s = 0.5f * (1.f + vh.z);
    p2 = (1.f - s) * safeSqrt(1.f - p1 * p1) + s * p2;
    Vec3 nh = t1 * p1 + t2 * p2 + vh * safeSqrt(1.f - p1 * p1 - p2 * p2);
    return normalize(Vec3(a * nh.x, a * nh.y, maxf(1e-6f, nh.z)));
}

// A plain GGX reflection lobe without Fresnel (the clear coat's layer): f and the pdf of
// sampling wi by reflecting wo about a visible normal.
RF_CPU_GPU inline float ggxReflection(Vec3 wo, Vec3 wi, float a, float &pdf) {
    pdf = 0.f;
    if (wo.z <= 0.f || wi.z <= 0.f) return 0.f;
    Vec3 h = normalize(wo + wi);
    float d = ggxD(h, a);
    float lo = ggxLambda(wo, a), li = ggxLambda(wi, a);
    pdf = d / ((1.f + lo) * 4.f * wo.z);
    return d / ((1.f + lo + li) * 4.f * wo.z * wi.z);
}

// Unpolarised Fresnel reflectance of a dielectric interface. cosI > 0 on the incident side;
// eta = n_transmitted / n_incident. Total internal reflection gives 1.
RF_CPU_GPU inline float fresnelDielectric(float cosI, float eta) {
    cosI = clampf(cosI, 0.f, 1.f);
    float sin2T = (1.f - cosI * cosI) / (eta * eta);
    if (sin2T >= 1.f) return 1.f;
    float cosT = safeSqrt(1.f - sin2T);
    float rPar = (eta * cosI - cosT) / (eta * cosI + cosT);
    float rPerp = (cosI - eta * cosT) / (cosI + eta * cosT);
    return 0.5f * (rPar * rPar + rPerp * rPerp);
}

// Reflectance of a thin parallel slab (two interfaces, all internal bounces summed, no
// absorption): R + T^2 R / (1 - R^2) = 2R / (1 + R). At normal incidence its transmittance
// is (1 - R)^2 / (1 - R^2).
RF_CPU_GPU RF_FORCEINLINE float slabReflectance(float r) { return r < 1.f ? 2.f * r / (1.f + r) : 1.f; }

// Refracts wo (pointing away from the surface, on the side of h) through the microfacet
// normal h; eta = n_t / n_i. Returns false on total internal reflection.
RF_CPU_GPU inline bool refractDir(Vec3 wo, Vec3 h, float eta, Vec3 &wi) {
    float cosI = dot(wo, h);
    float sin2T = maxf(0.f, 1.f - cosI * cosI) / (eta * eta);
    if (sin2T >= 1.f) return false;
    float cosT = sqrtf(1.f - sin2T);
    wi = -wo * (1.f / eta) + h * (cosI / eta - cosT);
    return true;
}

// Sheen roughness below this is treated as this (the distribution's exponent 1/a^2 stays sane).
constexpr float kSheenMinRoughness = 0.07f;

// "Charlie" sheen (Estevez & Kulla 2017) with Neubelt & Pettineo's visibility term, the model
// the KHR_materials_sheen specification describes; a = sheenRoughness^2 (clamped by caller).
RF_CPU_GPU inline float charlieSheen(Vec3 wo, Vec3 wi, float a) {
    if (wo.z <= 0.f || wi.z <= 0.f) return 0.f;
    Vec3 h = normalize(wo + wi);
    float invA = 1.f / a;
    float sin2 = maxf(1.f - h.z * h.z, 0.f);
    float d = (2.f + invA) * powf(sin2, 0.5f * invA) * (0.5f * kInvPi);
    float v = 1.f / (4.f * (wi.z + wo.z - wi.z * wo.z));
    return d * v;
}

}  // namespace rf
