// The path tracer: next-event estimation with multiple importance sampling (power heuristic),
// Russian roulette and a maximum depth. One call renders one pixel, all its samples in order.
#pragma once

#include "bsdf.h"
#include "camera.h"
#include "lights.h"

namespace rf {

struct PixelResult {
    Vec3 sum;            // sum of valid samples, added in sample order
    int32_t valid;       // samples that were finite
};

RF_CPU_GPU inline Vec3 traceSample(const SceneView &sv, const RenderParams &params, int px, int py,
                                   int sampleIndex) {
    Sampler sampler(params.seed, static_cast<uint32_t>(px), static_cast<uint32_t>(py),
                    static_cast<uint32_t>(sampleIndex));
    float fx = static_cast<float>(px) + 0.5f + sampleTent(sampler.get1D());
    float fy = static_cast<float>(py) + 0.5f + sampleTent(sampler.get1D());
    Ray ray = generateRay(params, fx, fy);

    Vec3 L(0.f), beta(1.f);
    float prevPdf = 0.f;  // BSDF pdf of the direction that led here (0 = camera ray or delta)
    Vec3 prevP;
    // Ray cone for texture filtering: width where the ray starts, spread angle per metre.
    float coneWidth = 0.f;
    float coneSpread = 2.f * params.camera.tanHalfFov / static_cast<float>(params.fullHeight);
    // Absorbing medium the ray travels in (inside a KHR_materials_volume mesh), else 0.
    Vec3 sigma(0.f);
    bool inMedium = false;
    // The hit of the ray each bounce starts with: the camera ray's here, the next ray's at the
    // end of a bounce (traced with that bounce's shadow ray, which does not need it first).
    Hit hit;
    bool hitFound = intersectClosest(sv, ray, kInfinity, sampler.getBits(), hit);
    // A bounce's shadow ray waits to be traced with the next ray (intersectWithShadow); when
    // the path ends at that bounce it is traced alone after the loop. Either way its light is
    // added before anything the next ray finds, as when it was traced at once.
    bool hasShadow = false;
    Ray shadow;
    float shadowTmax = 0.f;
    uint64_t shadowKey = 0;
    Vec3 lightL(0.f);
    for (int depth = 0;; ++depth) {
        if (!hitFound) {
            float w = 1.f;
            if (prevPdf > 0.f && sv.envSampled)
                w = powerHeuristic(prevPdf, sv.envPickPdf * environmentPdf(sv, ray.d));
            L += beta * backgroundRadiance(sv, ray.d) * w;
            break;
        }
        if (inMedium) {
            beta *= Vec3(expf(-sigma.x * hit.t), expf(-sigma.y * hit.t), expf(-sigma.z * hit.t));
        }
        float width = coneWidth + coneSpread * hit.t;
        SurfaceInteraction si = makeSurface(sv, ray, hit, width);
        if (!isBlack(si.emission)) {
            float w = 1.f;
            if (prevPdf > 0.f) {
                float lp = emissiveTrianglePdf(sv, hit.tri, prevP, si.p, ray.d);
                w = powerHeuristic(prevPdf, lp);
            }
            L += beta * si.emission * w;
        }
        // maxDepth counts bounces as Blender Cycles does: 0 = direct light only (next-event
        // estimation at the first hit), N = light reflected N more times on its way to the eye.
        if (depth > params.maxDepth) break;

        Vec3 wo = si.shading.toLocal(-ray.d);
        BSDF bsdf = makeBSDF(sv, si, wo);
        float uLight = sampler.get1D(), ul1 = sampler.get1D(), ul2 = sampler.get1D();
        shadowKey = sampler.getBits();
        LightSample ls;
        // Lights behind the surface count only through a rough transmissive lobe, and only
        // when the shading and geometric normals agree on the side.
        bool behindOk = bsdf.transW > 0.f && !bsdf.transDelta;
        if (sampleLight(sv, si.p, uLight, ul1, ul2, ls) &&
            (dot(ls.wi, si.ng) > 0.f || (behindOk && dot(ls.wi, si.ng) < 0.f))) {
            Vec3 wiL = si.shading.toLocal(ls.wi);
            float bsdfPdf;
            // A delta light takes no MIS weight, so its evaluation skips the BSDF's pdf.
            bsdfPdf = 0.f;
            Vec3 f(0.f);
            if ((dot(ls.wi, si.ng) > 0.f) == (wiL.z > 0.f))
                f = ls.delta ? evalBSDF<false>(bsdf, wo, wiL, bsdfPdf) : evalBSDF(bsdf, wo, wiL, bsdfPdf);
            // A shadow ray that stays inside the medium (the light is in it too) is absorbed.
            if (inMedium && dot(ls.wi, si.ng) > 0.f && ls.dist < kInfinity)
                f *= Vec3(expf(-sigma.x * ls.dist), expf(-sigma.y * ls.dist), expf(-sigma.z * ls.dist));
            if (!isBlack(f)) {
                shadow.o = offsetRayOrigin(si.p, si.ng, ls.wi);
                shadow.d = ls.wi;
                shadowTmax = ls.dist >= kInfinity ? kInfinity : ls.dist * (1.f - 1e-4f);
                float w = ls.delta ? 1.f : powerHeuristic(ls.pdf, bsdfPdf);
                lightL = beta * f * ls.li * (fabsf(wiL.z) * w / ls.pdf);
                hasShadow = true;
            }
        }

        float uLobe = sampler.get1D(), u1 = sampler.get1D(), u2 = sampler.get1D();
        BSDFSample bs;
        if (!sampleBSDF(bsdf, wo, uLobe, u1, u2, bs)) break;
        Vec3 wi = bs.wi;
        Vec3 wiW = si.shading.fromLocal(wi);
        // The sampled side (reflect or transmit) must agree with the geometry's.
        if (wi.z > 0.f ? dot(wiW, si.ng) <= 0.f : dot(wiW, si.ng) >= 0.f) break;
        beta *= bs.weight;
        // Through the wall of a volume: entering fills the path with its medium, leaving
        // empties it (media are not nested: the outside is taken to be air).
        if (wi.z < 0.f && !si.thinWalled) {
            inMedium = si.entering && !isBlack(si.sigmaA);
            sigma = inMedium ? si.sigmaA : Vec3(0.f);
        }
        float uRR = sampler.get1D();
        if (depth >= 3) {
            float q = maxf(0.05f, 1.f - maxComponent(beta));
            if (uRR < q) break;
            beta = beta * (1.f / (1.f - q));
        }
        prevPdf = bs.pdf;
        prevP = si.p;
        // The cone keeps its angle through mirrors and glass, and widens with rough lobes.
        coneWidth = width;
        coneSpread += 0.5f * bs.lobeAlpha;
        ray.o = offsetRayOrigin(si.p, si.ng, wiW);
        ray.d = wiW;
        uint64_t alphaKey = sampler.getBits();
        if (hasShadow) {
            bool blocked;
            hitFound = intersectWithShadow(sv, ray, alphaKey, hit, shadow, shadowTmax, shadowKey, blocked);
            if (!blocked) L += lightL;
            hasShadow = false;
        } else {
            hitFound = intersectClosest(sv, ray, kInfinity, alphaKey, hit);
        }
    }
    if (hasShadow && !occluded(sv, shadow, shadowTmax, shadowKey)) L += lightL;
    return L;
}

// Renders all samples of pixel (px, py) in sample order; NaN/Inf samples are dropped.
RF_CPU_GPU inline void accumulateSample(PixelResult &acc, Vec3 L) {
    if (isFiniteVec(L)) {
        acc.sum += L;
        acc.valid += 1;
    }
}

RF_CPU_GPU inline void resolvePixel(const PixelResult &acc, float *out) {
    float inv = acc.valid > 0 ? 1.f / static_cast<float>(acc.valid) : 0.f;
    out[0] = acc.sum.x * inv;
    out[1] = acc.sum.y * inv;
    out[2] = acc.sum.z * inv;
    out[3] = 1.f;
}

}  // namespace rf
