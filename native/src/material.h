// Surface evaluation: hit point geometry, the glTF metallic-roughness inputs and those of the
// KHR_materials_* extensions (textures filtered by the ray's footprint), and emission.
#pragma once

#include "intersect.h"
#include "microfacet.h"

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
                                        float v, float footprint = 0.f) {
    Vec3 e = m.emissive;
    if (m.emissiveTex >= 0 && !isBlack(e)) e *= sampleTexture(sv, m.emissiveTex, u, v, footprint).rgb;
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
    // KHR_materials_transmission / _ior / _volume.
    float transmission;
    float ior;
    int32_t thinWalled;
    int32_t entering;  // the ray arrives from the outside of the (closed) mesh
    Vec3 sigmaA;
    // KHR_materials_clearcoat / _sheen.
    float clearcoat;
    float coatAlpha;
    Vec3 sheenColor;
    float sheenRoughness;
    int32_t layered;  // kMaterialLayered: any of the above is in use
};

// Sheen roughness: sheen albedo E(cos theta_o), bilinear in the table scene.cc builds.
RF_CPU_GPU inline float sheenAlbedo(const SceneView &sv, float rough, float mu) {
    float x = clampf(mu, 0.f, 1.f) * (kSheenLut - 1), y = clampf(rough, 0.f, 1.f) * (kSheenLut - 1);
    int x0 = minf(floorExact(x), kSheenLut - 2), y0 = minf(floorExact(y), kSheenLut - 2);
    float fx = x - x0, fy = y - y0;
    const float *r0 = sv.sheenAlbedo + y0 * kSheenLut, *r1 = r0 + kSheenLut;
    return (r0[x0] * (1.f - fx) + r0[x0 + 1] * fx) * (1.f - fy) +
           (r1[x0] * (1.f - fx) + r1[x0 + 1] * fx) * fy;
}

// The transmission, clear coat and sheen inputs (materials flagged kMaterialLayered).
RF_CPU_GPU RF_RARE void readLayers(const SceneView &sv, const MaterialRec &m, float u, float v,
                                   float fp, SurfaceInteraction &si) {
    si.transmission = m.transmission;
    if (m.transmissionTex >= 0 && si.transmission > 0.f)
        si.transmission *= sampleTexture(sv, m.transmissionTex, u, v, fp).rgb.x;
    si.sigmaA = m.sigmaA;
    si.clearcoat = m.clearcoat;
    if (si.clearcoat > 0.f) {
        if (m.clearcoatTex >= 0) si.clearcoat *= sampleTexture(sv, m.clearcoatTex, u, v, fp).rgb.x;
        float cr = m.clearcoatRoughness;
        if (m.clearcoatRoughnessTex >= 0) cr *= sampleTexture(sv, m.clearcoatRoughnessTex, u, v, fp).rgb.y;
        si.coatAlpha = maxf(sqr(clampf(cr, 0.f, 1.f)), 1e-3f);
    }
    si.sheenColor = m.sheenColor;
    si.sheenRoughness = m.sheenRoughness;
    if (!isBlack(si.sheenColor)) {
        if (m.sheenColorTex >= 0) si.sheenColor *= sampleTexture(sv, m.sheenColorTex, u, v, fp).rgb;
        if (m.sheenRoughnessTex >= 0) si.sheenRoughness *= sampleTexture(sv, m.sheenRoughnessTex, u, v, fp).a;
    }
}

// coneWidth: width of the ray's footprint cone where it hits (metres), 0 for sharp lookups.
RF_CPU_GPU inline SurfaceInteraction makeSurface(const SceneView &sv, const Ray &ray,
                                                 const Hit &hit, float coneWidth = 0.f) {
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
    // Ray cone footprint in uv units: the cone's width over the surface (stretched by the
    // slant) times the triangle's uv length per metre (ray cones: Akenine-Moller et al. 2019).
    float fp = 0.f;
    if ((m.flags & kMaterialTextured) && coneWidth > 0.f && sv.uvs) {
        float du1 = sv.uvs[2 * i1] - sv.uvs[2 * i0], dv1 = sv.uvs[2 * i1 + 1] - sv.uvs[2 * i0 + 1];
        float du2 = sv.uvs[2 * i2] - sv.uvs[2 * i0], dv2 = sv.uvs[2 * i2 + 1] - sv.uvs[2 * i0 + 1];
        float uvArea = fabsf(du1 * dv2 - du2 * dv1);
        float worldArea = length(cross(dp1, dp2));
        float cosT = maxf(fabsf(dot(ray.d, ng)), 0.05f);
        if (worldArea > 0.f) fp = coneWidth / cosT * sqrtf(uvArea / worldArea);
    }

    Vec3 base = m.baseColor;
    if (m.baseColorTex >= 0) base *= sampleTexture(sv, m.baseColorTex, u, v, fp).rgb;
    float metallic = m.metallic, rough = m.roughness;
    if (m.metallicRoughnessTex >= 0) {
        Color4 mr = sampleTexture(sv, m.metallicRoughnessTex, u, v, fp);
        rough *= mr.rgb.y;
        metallic *= mr.rgb.z;
    }
    // glTF: a single-sided surface has no back face, so it emits from its front (CCW) side only.
    bool front = dot(ray.d, cross(dp1, dp2)) < 0.f;
    si.emission = (m.doubleSided || front) ? materialEmission(sv, m, u, v, fp) : Vec3(0.f);

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
        Vec3 c = sampleTexture(sv, m.normalTex, u, v, fp).rgb;
        Vec3 tn((c.x * 2.f - 1.f) * m.normalScale, (c.y * 2.f - 1.f) * m.normalScale,
                c.z * 2.f - 1.f);
        Vec3 mapped = normalize(tf.s * tn.x + tf.t * (tn.y * sign) + n * tn.z);
        if (isFiniteVec(mapped) && dot(mapped, mapped) > 0.5f) n = mapped;
    }

    // The outside of a closed mesh is where its normals point (ng follows the authored ones).
    si.entering = dot(ray.d, ng) < 0.f ? 1 : 0;
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
    if (m.specularTex >= 0) si.specWeight *= sampleTexture(sv, m.specularTex, u, v, fp).a;
    if (m.specularColorTex >= 0) sc *= sampleTexture(sv, m.specularColorTex, u, v, fp).rgb;
    // KHR_materials_ior: F0 = ((ior - 1) / (ior + 1))^2, 0.04 at glTF's default 1.5.
    float f0 = m.ior == 1.5f ? 0.04f : sqr((m.ior - 1.f) / (m.ior + 1.f));
    si.specF0 = Vec3(minf(f0 * sc.x, 1.f), minf(f0 * sc.y, 1.f), minf(f0 * sc.z, 1.f));
    si.ior = m.ior;
    si.thinWalled = m.thinWalled;
    si.layered = (m.flags & kMaterialLayered) ? 1 : 0;
    si.transmission = 0.f;
    si.clearcoat = 0.f;
    si.coatAlpha = 1e-3f;
    si.sheenColor = Vec3(0.f);
    si.sheenRoughness = 0.f;
    if (si.layered) readLayers(sv, m, u, v, fp, si);
    return si;
}

}  // namespace rf
