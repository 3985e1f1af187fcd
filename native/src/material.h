// Surface evaluation: hit point geometry, glTF metallic-roughness inputs, the BSDF
// (Lambert + GGX with Smith masking and visible-normal sampling) and emission.
#pragma once

#include "intersect.h"

namespace rf {

RF_CPU_GPU RF_FORCEINLINE Vec3 vertexPos(const SceneView &sv, uint32_t i) {
    return Vec3(sv.positions[3 * i], sv.positions[3 * i + 1], sv.positions[3 * i + 2]);
}

RF_CPU_GPU RF_FORCEINLINE void triangleUV(const SceneView &sv, uint32_t tri, float b1, float b2,
                                          float &u, float &v) {
    if (!sv.uvs) {
        u = v = 0.f;
        return;
    }
    uint32_t i0 = sv.indices[3 * tri], i1 = sv.indices[3 * tri + 1], i2 = sv.indices[3 * tri + 2];
    float b0 = 1.f - b1 - b2;
    u = b0 * sv.uvs[2 * i0] + b1 * sv.uvs[2 * i1] + b2 * sv.uvs[2 * i2];
    v = b0 * sv.uvs[2 * i0 + 1] + b1 * sv.uvs[2 * i1 + 1] + b2 * sv.uvs[2 * i2 + 1];
}

RF_CPU_GPU inline Vec3 materialEmission(const SceneView &sv, const MaterialRec &m, float u,
                                        float v) {
    Vec3 e = m.emissive;
    if (m.emissiveTex >= 0 && !isBlack(e)) e *= sampleTexture(sv, m.emissiveTex, u, v).rgb;
    return e;
}

struct SurfaceInteraction {
    Vec3 p;
    Vec3 ng;  // geometric normal, facing the incoming ray
    Frame shading;
    Vec3 baseColor;
    float metallic;
    float alpha;  // GGX roughness parameter (roughness squared)
    float specWeight;  // KHR_materials_specular: weight of the dielectric specular layer
    Vec3 specF0;       // its reflectance at normal incidence, min(0.04 * colour, 1)
    Vec3 emission;
};

RF_CPU_GPU inline SurfaceInteraction makeSurface(const SceneView &sv, const Ray &ray,
                                                 const Hit &hit) {
    SurfaceInteraction si;
    uint32_t tri = hit.tri;
    uint32_t i0 = sv.indices[3 * tri], i1 = sv.indices[3 * tri + 1], i2 = sv.indices[3 * tri + 2];
    float b1 = hit.u, b2 = hit.v, b0 = 1.f - b1 - b2;
    Vec3 p0 = vertexPos(sv, i0), p1 = vertexPos(sv, i1), p2 = vertexPos(sv, i2);
    si.p = p0 * b0 + p1 * b1 + p2 * b2;
    Vec3 dp1 = p1 - p0, dp2 = p2 - p0;
    Vec3 ng = normalize(cross(dp1, dp2));
    Vec3 n = ng;
    if (sv.normals) {
        Vec3 n0(sv.normals[3 * i0], sv.normals[3 * i0 + 1], sv.normals[3 * i0 + 2]);
        Vec3 n1(sv.normals[3 * i1], sv.normals[3 * i1 + 1], sv.normals[3 * i1 + 2]);
        Vec3 n2(sv.normals[3 * i2], sv.normals[3 * i2 + 1], sv.normals[3 * i2 + 2]);
        Vec3 ns = n0 * b0 + n1 * b1 + n2 * b2;
        if (dot(ns, ns) > 1e-12f) {
            n = normalize(ns);
            if (dot(n, ng) < 0.f) ng = -ng;  // the winding disagrees with the authored normals
        }
    }
    float u, v;
    triangleUV(sv, tri, b1, b2, u, v);
    const MaterialRec &m = sv.materials[sv.materialIndex[tri]];

    Vec3 base = m.baseColor;
    if (m.baseColorTex >= 0) base *= sampleTexture(sv, m.baseColorTex, u, v).rgb;
    float metallic = m.metallic, rough = m.roughness;
    if (m.metallicRoughnessTex >= 0) {
        Color4 mr = sampleTexture(sv, m.metallicRoughnessTex, u, v);
        rough *= mr.rgb.y;
        metallic *= mr.rgb.z;
    }
    // glTF: a single-sided surface has no back face, so it emits from its front (CCW) side only.
    bool front = dot(ray.d, cross(dp1, dp2)) < 0.f;
    si.emission = (m.doubleSided || front) ? materialEmission(sv, m, u, v) : Vec3(0.f);

    if (m.normalTex >= 0 && sv.uvs) {
        // Tangent frame: authored tangents, or derived from the uv parameterisation. glTF's
        // v grows downwards in the image, so "up" in the normal map is -dp/dv.
        Vec3 t;
        float sign = 1.f;
        if (sv.tangents) {
            Vec3 t0(sv.tangents[4 * i0], sv.tangents[4 * i0 + 1], sv.tangents[4 * i0 + 2]);
            Vec3 t1(sv.tangents[4 * i1], sv.tangents[4 * i1 + 1], sv.tangents[4 * i1 + 2]);
            Vec3 t2(sv.tangents[4 * i2], sv.tangents[4 * i2 + 1], sv.tangents[4 * i2 + 2]);
            t = t0 * b0 + t1 * b1 + t2 * b2;
            sign = sv.tangents[4 * i0 + 3] < 0.f ? -1.f : 1.f;
        } else {
            float du1 = sv.uvs[2 * i1] - sv.uvs[2 * i0], dv1 = sv.uvs[2 * i1 + 1] - sv.uvs[2 * i0 + 1];
            float du2 = sv.uvs[2 * i2] - sv.uvs[2 * i0], dv2 = sv.uvs[2 * i2 + 1] - sv.uvs[2 * i0 + 1];
            float det = du1 * dv2 - du2 * dv1;
            if (fabsf(det) > 1e-20f) {
                float r = 1.f / det;
                t = (dp1 * dv2 - dp2 * dv1) * r;
                Vec3 dpdv = (dp2 * du1 - dp1 * du2) * r;
                sign = dot(cross(n, t), -dpdv) < 0.f ? -1.f : 1.f;
            }
        }
        Frame tf = Frame::fromNormalTangent(n, t);
        Vec3 c = sampleTexture(sv, m.normalTex, u, v).rgb;
        Vec3 tn((c.x * 2.f - 1.f) * m.normalScale, (c.y * 2.f - 1.f) * m.normalScale,
                c.z * 2.f - 1.f);
        Vec3 mapped = normalize(tf.s * tn.x + tf.t * (tn.y * sign) + n * tn.z);
        if (isFiniteVec(mapped) && dot(mapped, mapped) > 0.5f) n = mapped;
    }

    // Face the incoming ray; shading normal on the same side as the geometric one.
    Vec3 wo = -ray.d;
    if (dot(ng, wo) < 0.f) ng = -ng;
    if (dot(n, ng) < 0.f) n = n - ng * (2.f * dot(n, ng));
    si.ng = ng;
    si.shading = Frame::fromNormal(n);
    si.baseColor = base;
    si.metallic = clampf(metallic, 0.f, 1.f);
    float r = clampf(rough, 0.f, 1.f);
    si.alpha = maxf(r * r, 1e-3f);
    si.specWeight = m.specular;
    Vec3 sc = m.specularColor;
    if (m.specularTex >= 0) si.specWeight *= sampleTexture(sv, m.specularTex, u, v).a;
    if (m.specularColorTex >= 0) sc *= sampleTexture(sv, m.specularColorTex, u, v).rgb;
    si.specF0 = Vec3(minf(0.04f * sc.x, 1.f), minf(0.04f * sc.y, 1.f), minf(0.04f * sc.z, 1.f));
    return si;
}

RF_CPU_GPU RF_FORCEINLINE float pow5(float x) {
    float x2 = x * x;
    return x2 * x2 * x;
}

// ---- GGX microfacet helpers (isotropic, local frame with z = normal) ----

RF_CPU_GPU RF_FORCEINLINE float ggxD(Vec3 h, float a) {
    float a2 = a * a;
    float d = h.z * h.z * (a2 - 1.f) + 1.f;
    return a2 / (kPi * d * d);
}

RF_CPU_GPU RF_FORCEINLINE float ggxLambda(Vec3 w, float a) {
    float c2 = w.z * w.z;
    float t2 = maxf(1.f - c2, 0.f) / maxf(c2, 1e-12f);
    return 0.5f * (-1.f + sqrtf(1.f + a * a * t2));
}

// Heitz 2018, "Sampling the GGX Distribution of Visible Normals".
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

struct BSDF {
    Vec3 base;
    float metallic;
    float alpha;
    float specWeight;
    Vec3 specF0;
    float pSpec;  // probability of sampling the specular lobe
};


RF_CPU_GPU inline BSDF makeBSDF(const SurfaceInteraction &si, Vec3 woLocal) {
    BSDF b;
    b.base = si.baseColor;
    b.metallic = si.metallic;
    b.alpha = si.alpha;
    b.specWeight = si.specWeight;
    b.specF0 = si.specF0;
    float fw = pow5(1.f - clampf(woLocal.z, 0.f, 1.f));
    float fd = b.specWeight * maxComponent(b.specF0 + (Vec3(1.f) - b.specF0) * fw);
    float lum = luminance(si.baseColor);
    float ws = (1.f - b.metallic) * fd + b.metallic * (lum + (1.f - lum) * fw);
    float wd = (1.f - b.metallic) * lum * (1.f - fd);
    float p = ws + wd > 0.f ? ws / (ws + wd) : 1.f;
    // No specular layer at all (a Lambertian dielectric): never sample it.
    b.pSpec = b.metallic >= 1.f ? 1.f : (b.metallic <= 0.f && b.specWeight <= 0.f) ? 0.f : clampf(p, 0.1f, 0.9f);
    return b;
}

// glTF's mix(dielectric_brdf, metal_brdf, metallic), the dielectric being KHR_materials_specular's
// fresnel_mix: (1 - w * max(Fr)) * diffuse + w * Fr * specular, Fr = F0 + (1 - F0)(1 - v.h)^5
// (w = 1 and F0 = 0.04 without the extension). Returns f and writes the sampling pdf.
RF_CPU_GPU inline Vec3 evalBSDF(const BSDF &b, Vec3 wo, Vec3 wi, float &pdf) {
    pdf = 0.f;
    if (wo.z <= 0.f || wi.z <= 0.f) return Vec3(0.f);
    Vec3 h = normalize(wo + wi);
    float voh = maxf(dot(wo, h), 0.f);
    float fw = pow5(1.f - voh);
    Vec3 fr = b.specF0 + (Vec3(1.f) - b.specF0) * fw;
    float diffuseW = 1.f - b.specWeight * maxComponent(fr);
    Vec3 fm = b.base + (Vec3(1.f) - b.base) * fw;
    float d = ggxD(h, b.alpha);
    float lo = ggxLambda(wo, b.alpha), li = ggxLambda(wi, b.alpha);
    float g2 = 1.f / (1.f + lo + li);
    float spec = d * g2 / (4.f * wo.z * wi.z);
    Vec3 f = b.base * ((1.f - b.metallic) * diffuseW * kInvPi) +
             fr * ((1.f - b.metallic) * b.specWeight * spec) + fm * (b.metallic * spec);
    float g1 = 1.f / (1.f + lo);
    pdf = b.pSpec * (g1 * d / (4.f * wo.z)) + (1.f - b.pSpec) * wi.z * kInvPi;
    return f;
}

// Samples wi (local); returns false when the sample is invalid.
RF_CPU_GPU inline bool sampleBSDF(const BSDF &b, Vec3 wo, float uLobe, float u1, float u2,
                                  Vec3 &wi, Vec3 &f, float &pdf) {
    if (wo.z <= 0.f) return false;
    if (uLobe < b.pSpec) {
        Vec3 h = sampleGgxVndf(wo, b.alpha, u1, u2);
        wi = h * (2.f * dot(wo, h)) - wo;
    } else {
        float r = sqrtf(u1), phi = 2.f * kPi * u2;
        wi = Vec3(r * cosf(phi), r * sinf(phi), safeSqrt(1.f - u1));
    }
    if (wi.z <= 0.f) return false;
    f = evalBSDF(b, wo, wi, pdf);
    return pdf > 0.f;
}

}  // namespace rf
