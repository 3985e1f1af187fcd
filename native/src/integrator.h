// The path tracer: next-event estimation with multiple importance sampling (power heuristic),
// Russian roulette and a maximum depth. One call renders one pixel, all its samples in order.
#pragma once

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
    float prevPdf = 0.f;  // BSDF pdf of the direction that led here (0 = camera ray)
    Vec3 prevP;
    for (int depth = 0;; ++depth) {
        uint64_t alphaKey = sampler.getBits();
        Hit hit;
        if (!intersectClosest(sv, ray, kInfinity, alphaKey, hit)) {
            float w = 1.f;
            if (prevPdf > 0.f && sv.envSampled)
                w = powerHeuristic(prevPdf, sv.envPickPdf * environmentPdf(sv, ray.d));
            L += beta * backgroundRadiance(sv, ray.d) * w;
            break;
        }
        SurfaceInteraction si = makeSurface(sv, ray, hit);
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
        BSDF bsdf = makeBSDF(si, wo);
        float uLight = sampler.get1D(), ul1 = sampler.get1D(), ul2 = sampler.get1D();
        uint64_t shadowKey = sampler.getBits();
        LightSample ls;
        if (sampleLight(sv, si.p, uLight, ul1, ul2, ls) && dot(ls.wi, si.ng) > 0.f) {
            Vec3 wiL = si.shading.toLocal(ls.wi);
            float bsdfPdf;
            Vec3 f = evalBSDF(bsdf, wo, wiL, bsdfPdf);
            if (!isBlack(f)) {
                Ray shadow;
                shadow.o = offsetRayOrigin(si.p, si.ng, ls.wi);
                shadow.d = ls.wi;
                float tmax = ls.dist >= kInfinity ? kInfinity : ls.dist * (1.f - 1e-4f);
                if (!occluded(sv, shadow, tmax, shadowKey)) {
                    float w = ls.delta ? 1.f : powerHeuristic(ls.pdf, bsdfPdf);
                    L += beta * f * ls.li * (wiL.z * w / ls.pdf);
                }
            }
        }

        float uLobe = sampler.get1D(), u1 = sampler.get1D(), u2 = sampler.get1D();
        Vec3 wi, f;
        float pdf;
        if (!sampleBSDF(bsdf, wo, uLobe, u1, u2, wi, f, pdf)) break;
        Vec3 wiW = si.shading.fromLocal(wi);
        if (dot(wiW, si.ng) <= 0.f) break;
        beta *= f * (wi.z / pdf);
        float uRR = sampler.get1D();
        if (depth >= 3) {
            float q = maxf(0.05f, 1.f - maxComponent(beta));
            if (uRR < q) break;
            beta = beta * (1.f / (1.f - q));
        }
        prevPdf = pdf;
        prevP = si.p;
        ray.o = offsetRayOrigin(si.p, si.ng, wiW);
        ray.d = wiW;
    }
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
