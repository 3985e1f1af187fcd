// The glTF BSDF in the local shading frame (z = shading normal, wo.z > 0 always), layered as
// the Khronos specifications stack it:
//   clear coat (KHR_materials_clearcoat): mix(below, GGX coat, clearcoat * Fresnel(n.v))
//   sheen (KHR_materials_sheen): Charlie sheen * colour + below * (1 - max(colour) * E(n.v))
//   base: mix(dielectric, metal, metallic), the dielectric being
//         mix(opaque: Fresnel-weighted Lambert + GGX, transmissive: rough dielectric, transmission)
// Each layer passes on at most what it did not reflect, so the stack never creates energy.
// Sampling picks one lobe in proportion to its rough share and evaluates them all (one-sample
// MIS); smooth glass (roughness <= ~0.03) is a pair of delta directions.
#pragma once

#include "material.h"

namespace rf {

struct BSDF {
    Vec3 base;
    float metallic;
    float alpha;
    float specWeight;
    Vec3 specF0;
    float pSpec;     // core lobe: probability of its specular part
    float opaqueW;   // (1 - metallic) * (1 - transmission)
    float transW;    // (1 - metallic) * transmission
    float eta;       // refractive index beyond the surface over the one on wo's side
    int32_t thin;    // thin-walled: a slab, light goes straight through
    int32_t transDelta;
    float coatW;     // clearcoat * Fresnel(n.wo)
    float coatAlpha;
    Vec3 sheenColor;
    float sheenAlpha;
    float layerScale;  // what reaches the base: (1 - coatW) * (1 - max(sheen) * E)
    float pCoat, pSheen, pTrans, pCore;
    int32_t layered;  // 0: only the core lobes (metal / opaque dielectric), the common case
    // The parts of the core lobe's GGX terms that depend on wo alone, worked out once for
    // the light sample's evaluation and the BSDF sample's (both at the wo makeBSDF was given).
    float lambdaO;   // ggxLambda(wo, alpha)
    float g1O;       // 1 / (1 + lambdaO)
    float fourWoZ;   // 4 wo.z
};

// The coat, sheen and transmission parts of makeBSDF, and the lobe choice among them.
RF_CPU_GPU RF_RARE void makeLayers(const SceneView &sv, const SurfaceInteraction &si, Vec3 woLocal,
                                   float fw, BSDF &b) {
    b.thin = si.thinWalled;
    b.eta = (b.thin || si.entering) ? si.ior : 1.f / si.ior;
    b.transDelta = si.alpha <= 1e-3f ? 1 : 0;
    b.coatW = si.clearcoat > 0.f ? si.clearcoat * (0.04f + 0.96f * fw) : 0.f;
    b.coatAlpha = si.coatAlpha;
    b.sheenColor = si.sheenColor;
    b.sheenAlpha = 1.f;
    float sheenE = 0.f;
    float sMax = maxComponent(si.sheenColor);
    if (sMax > 0.f) {
        float r = maxf(si.sheenRoughness, kSheenMinRoughness);
        b.sheenAlpha = r * r;
        sheenE = minf(sMax * sheenAlbedo(sv, r, woLocal.z), 1.f);
    }
    b.layerScale = (1.f - b.coatW) * (1.f - sheenE);
    float wCore = b.layerScale * (1.f - b.transW), wTrans = b.layerScale * b.transW;
    float wSheen = (1.f - b.coatW) * sheenE;
    float sum = wCore + wTrans + b.coatW + wSheen;
    if (sum > 0.f) {
        b.pCoat = b.coatW / sum;
        b.pSheen = wSheen / sum;
        b.pTrans = wTrans / sum;
        b.pCore = wCore / sum;
    } else {
        b.pCoat = b.pSheen = b.pTrans = 0.f;
        b.pCore = 1.f;
    }
}

RF_CPU_GPU inline BSDF makeBSDF(const SceneView &sv, const SurfaceInteraction &si, Vec3 woLocal) {
    BSDF b;
    b.base = si.baseColor;
    b.metallic = si.metallic;
    b.alpha = si.alpha;
    b.specWeight = si.specWeight;
    b.specF0 = si.specF0;
    b.opaqueW = (1.f - b.metallic) * (1.f - si.transmission);
    b.transW = (1.f - b.metallic) * si.transmission;
    b.coatW = 0.f;
    b.pCoat = b.pSheen = b.pTrans = 0.f;
    b.pCore = 1.f;
    b.transDelta = 0;
    float fw = pow5(1.f - clampf(woLocal.z, 0.f, 1.f));
    float fd = b.specWeight * maxComponent(b.specF0 + (Vec3(1.f) - b.specF0) * fw);
    float lum = luminance(si.baseColor);
    float ws = b.opaqueW * fd + b.metallic * (lum + (1.f - lum) * fw);
    float wd = b.opaqueW * lum * (1.f - fd);
    float p = ws + wd > 0.f ? ws / (ws + wd) : 1.f;
    // No specular layer at all (a Lambertian dielectric): never sample it.
    b.pSpec = b.metallic >= 1.f ? 1.f : (b.metallic <= 0.f && b.specWeight <= 0.f) ? 0.f : clampf(p, 0.1f, 0.9f);
    b.lambdaO = ggxLambda(woLocal, b.alpha);
    b.g1O = 1.f / (1.f + b.lambdaO);
    b.fourWoZ = 4.f * woLocal.z;
    b.layered = si.layered;
    if (b.layered) makeLayers(sv, si, woLocal, fw, b);
    return b;
}

// glTF's mix(dielectric_brdf, metal_brdf, metallic) for the opaque part, the dielectric being
// KHR_materials_specular's fresnel_mix: (1 - w * max(Fr)) * diffuse + w * Fr * specular,
// Fr = F0 + (1 - F0)(1 - v.h)^5 (w = 1 and F0 = 0.04 without the extensions). wo is the
// direction makeBSDF was given (its GGX terms come from b); kWantPdf false leaves pdf at 0.
template <bool kWantPdf = true>
RF_CPU_GPU RF_FORCEINLINE Vec3 evalCore(const BSDF &b, Vec3 wo, Vec3 wi, float &pdf) {
    pdf = 0.f;
    if (wo.z <= 0.f || wi.z <= 0.f) return Vec3(0.f);
    Vec3 h = normalize(wo + wi);
    float voh = maxf(dot(wo, h), 0.f);
    float fw = pow5(1.f - voh);
    Vec3 fr = b.specF0 + (Vec3(1.f) - b.specF0) * fw;
    float diffuseW = 1.f - b.specWeight * maxComponent(fr);
    Vec3 fm = b.base + (Vec3(1.f) - b.base) * fw;
    float d = ggxD(h, b.alpha);
    float li = ggxLambda(wi, b.alpha);
    float g2 = 1.f / (1.f + b.lambdaO + li);
    float spec = d * g2 / (b.fourWoZ * wi.z);
    Vec3 f = b.base * (b.opaqueW * diffuseW * kInvPi) + fr * (b.opaqueW * b.specWeight * spec) +
             fm * (b.metallic * spec);
    if (kWantPdf) pdf = b.pSpec * (b.g1O * d / b.fourWoZ) + (1.f - b.pSpec) * wi.z * kInvPi;
    return f;
}

// The rough transmissive lobe (not for delta glass). Reflection takes w * F of the light,
// transmission the rest, tinted by the base colour. Thick: Walter et al. 2007's microfacet
// refraction (radiance scaled by 1/eta^2). Thin-walled: the slab's reflectance 2F/(1+F), and
// the transmitted light leaves mirrored through the surface plane (no net bending).
RF_CPU_GPU inline Vec3 evalTrans(const BSDF &b, Vec3 wo, Vec3 wi, float &pdf) {
    pdf = 0.f;
    if (wo.z <= 0.f || wi.z == 0.f) return Vec3(0.f);
    float a = b.alpha;
    if (b.thin || wi.z > 0.f) {
        Vec3 wr(wi.x, wi.y, fabsf(wi.z));
        Vec3 h = normalize(wo + wr);
        float F = fresnelDielectric(dot(wo, h), b.eta);
        float R = b.specWeight * (b.thin ? slabReflectance(F) : F);
        float d = ggxD(h, a);
        float lo = ggxLambda(wo, a), li = ggxLambda(wr, a);
        float common = d / ((1.f + lo + li) * 4.f * wo.z * wr.z);
        float pdfV = d / ((1.f + lo) * 4.f * wo.z);
        if (wi.z > 0.f) {
            pdf = pdfV * R;
            return Vec3(R * common);
        }
        pdf = pdfV * (1.f - R);
        return b.base * ((1.f - R) * common);
    }
    Vec3 h = normalize(wo + wi * b.eta);
    if (h.z < 0.f) h = -h;
    float ohd = dot(wo, h), ihd = dot(wi, h);
    if (ohd <= 0.f || ihd >= 0.f) return Vec3(0.f);  // back-facing microfacet
    float T = 1.f - b.specWeight * fresnelDielectric(ohd, b.eta);
    float denom = sqr(ihd + ohd / b.eta);
    if (!(denom > 0.f)) return Vec3(0.f);
    float d = ggxD(h, a);
    float lo = ggxLambda(wo, a), li = ggxLambda(wi, a);
    float ft = d * T * fabsf(ihd * ohd / (denom * wi.z * wo.z)) / ((1.f + lo + li) * b.eta * b.eta);
    pdf = d * ohd / ((1.f + lo) * wo.z) * (-ihd / denom) * T;
    return b.base * ft;
}

// f of every rough lobe of a layered material, and the pdf with which sampleBSDF picks wi.
RF_CPU_GPU RF_RARE Vec3 evalLayered(const BSDF &b, Vec3 wo, Vec3 wi, float &pdf) {
    pdf = 0.f;
    Vec3 f(0.f);
    if (wo.z <= 0.f) return f;
    if (wi.z > 0.f) {
        float pc;
        f = evalCore(b, wo, wi, pc) * b.layerScale;
        pdf = b.pCore * pc;
        if (b.coatW > 0.f) {
            float pp;
            float g = ggxReflection(wo, wi, b.coatAlpha, pp);
            f += Vec3(b.coatW * g);
            pdf += b.pCoat * pp;
        }
        if (b.pSheen > 0.f) {
            f += b.sheenColor * ((1.f - b.coatW) * charlieSheen(wo, wi, b.sheenAlpha));
            pdf += b.pSheen * wi.z * kInvPi;
        }
    }
    if (b.transW > 0.f && !b.transDelta) {
        float pt;
        Vec3 ft = evalTrans(b, wo, wi, pt);
        f += ft * (b.layerScale * b.transW);
        pdf += b.pTrans * pt;
    }
    return f;
}

// f of every rough lobe together, and the pdf with which sampleBSDF picks wi (kWantPdf false:
// the caller has no use for it, and a plain material skips it).
template <bool kWantPdf = true>
RF_CPU_GPU RF_FORCEINLINE Vec3 evalBSDF(const BSDF &b, Vec3 wo, Vec3 wi, float &pdf) {
    return b.layered ? evalLayered(b, wo, wi, pdf) : evalCore<kWantPdf>(b, wo, wi, pdf);
}

RF_CPU_GPU inline Vec3 reflectLocal(Vec3 wo, Vec3 h) { return h * (2.f * dot(wo, h)) - wo; }

struct BSDFSample {
    Vec3 wi;
    Vec3 weight;      // f * |cos| / pdf: what the path throughput is multiplied by
    float pdf;        // 0 for a delta direction (no MIS with light sampling)
    float lobeAlpha;  // roughness of the lobe taken (widens the ray's footprint cone)
};

// The core lobes alone: GGX specular with probability pSpec, else cosine-weighted diffuse.
RF_CPU_GPU RF_FORCEINLINE Vec3 sampleCoreDir(const BSDF &b, Vec3 wo, float u, float u1, float u2,
                                             float &lobeAlpha) {
    if (u < b.pSpec) {
        Vec3 h = sampleGgxVndf(wo, b.alpha, u1, u2);
        lobeAlpha = b.alpha;
        return h * (2.f * dot(wo, h)) - wo;
    }
    float r = sqrtf(u1), phi = 2.f * kPi * u2;
    lobeAlpha = 1.f;
    return Vec3(r * cosf(phi), r * sinf(phi), safeSqrt(1.f - u1));
}

// A layered material: picks the coat, the sheen, the transmissive lobe or the core. Returns
// 0 for an invalid sample, 1 for a direction to evaluate, 2 for a finished delta sample.
RF_CPU_GPU RF_RARE int sampleLayered(const BSDF &b, Vec3 wo, float uLobe, float u1, float u2,
                                    BSDFSample &s, Vec3 &wi) {
    float pOther = b.pCoat + b.pSheen + b.pTrans;
    if (uLobe >= pOther) {
        wi = sampleCoreDir(b, wo, (uLobe - pOther) / b.pCore, u1, u2, s.lobeAlpha);
        return wi.z > 0.f ? 1 : 0;
    }
    if (uLobe < b.pCoat) {
        wi = reflectLocal(wo, sampleGgxVndf(wo, b.coatAlpha, u1, u2));
        s.lobeAlpha = b.coatAlpha;
        return wi.z > 0.f ? 1 : 0;
    }
    if (uLobe < b.pCoat + b.pSheen) {
        float r = sqrtf(u1), phi = 2.f * kPi * u2;
        wi = Vec3(r * cosf(phi), r * sinf(phi), safeSqrt(1.f - u1));
        s.lobeAlpha = 1.f;
        return 1;
    }
    // The transmissive lobe; the lobe choice's leftover is the reflect-or-transmit coin.
    float uc = (uLobe - b.pCoat - b.pSheen) / b.pTrans;
    if (b.transDelta) {
        float F = fresnelDielectric(wo.z, b.eta);
        float R = b.specWeight * (b.thin ? slabReflectance(F) : F);
        Vec3 w;
        if (uc < R) {
            wi = Vec3(-wo.x, -wo.y, wo.z);
            w = Vec3(1.f);
        } else {
            if (b.thin) {
                wi = -wo;
            } else if (!refractDir(wo, Vec3(0.f, 0.f, 1.f), b.eta, wi)) {
                return 0;
            }
            w = b.base * (b.thin ? 1.f : 1.f / (b.eta * b.eta));
        }
        s.wi = wi;
        s.weight = w * (b.layerScale * b.transW / b.pTrans);
        s.pdf = 0.f;
        s.lobeAlpha = 0.f;
        return 2;
    }
    Vec3 h = sampleGgxVndf(wo, b.alpha, u1, u2);
    float F = fresnelDielectric(dot(wo, h), b.eta);
    float R = b.specWeight * (b.thin ? slabReflectance(F) : F);
    wi = reflectLocal(wo, h);
    if (wi.z <= 0.f) return 0;
    if (uc >= R) {
        if (b.thin) wi.z = -wi.z;
        else if (!refractDir(wo, h, b.eta, wi) || wi.z >= 0.f) return 0;
    }
    s.lobeAlpha = b.alpha;
    return 1;
}

// Samples wi (local); returns false when the sample is invalid (the path ends).
RF_CPU_GPU inline bool sampleBSDF(const BSDF &b, Vec3 wo, float uLobe, float u1, float u2,
                                  BSDFSample &s) {
    if (wo.z <= 0.f) return false;
    Vec3 wi;
    if (!b.layered) {
        wi = sampleCoreDir(b, wo, uLobe, u1, u2, s.lobeAlpha);
        if (wi.z <= 0.f) return false;
    } else {
        int r = sampleLayered(b, wo, uLobe, u1, u2, s, wi);
        if (r == 0 || wi.z == 0.f) return false;
        if (r == 2) return true;
    }
    float pdf;
    Vec3 f = evalBSDF(b, wo, wi, pdf);
    if (!(pdf > 0.f)) return false;
    s.wi = wi;
    s.pdf = pdf;
    s.weight = f * (fabsf(wi.z) / pdf);
    return true;
}

}  // namespace rf
