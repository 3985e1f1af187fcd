#include "scene.h"

#include <algorithm>
#include <cmath>

#include "bvh.h"
#include "environment.h"
#include "material_tables.h"

namespace rf {

namespace {

const char *kBad = "ENGINE_BAD_SCENE";

bool finite(float v) { return std::isfinite(v); }

void requireFiniteArray(const std::vector<float> &a, const char *name) {
    for (size_t i = 0; i < a.size(); ++i)
        RF_REQUIRE(kBad, finite(a[i]), name << "[" << i << "] = " << a[i] << " is not a finite number");
}

void requireFinite(float v, const std::string &what) {
    RF_REQUIRE(kBad, finite(v), what << " = " << v << " is not a finite number");
}

void requireTexture(int32_t tex, size_t count, const std::string &what) {
    RF_REQUIRE(kBad, tex >= -1 && tex < static_cast<int64_t>(count),
               what << " = " << tex << " is out of range (scene has " << count << " textures)");
}

float srgbDecode(float c) {
    return c <= 0.04045f ? c / 12.92f : std::pow((c + 0.055f) / 1.055f, 2.4f);
}

}  // namespace

void validateSceneDesc(const SceneDesc &d) {
    RF_REQUIRE(kBad, d.positions.size() % 3 == 0,
               "positions has " << d.positions.size() << " numbers, not a multiple of 3");
    size_t nv = d.positions.size() / 3;
    RF_REQUIRE(kBad, nv <= 0xFFFFFFFFull, "too many vertices (" << nv << ")");
    requireFiniteArray(d.positions, "positions");
    RF_REQUIRE(kBad, d.normals.empty() || d.normals.size() == nv * 3,
               "normals has " << d.normals.size() << " numbers, expected 0 or " << nv * 3 << " ("
                              << nv << " vertices)");
    requireFiniteArray(d.normals, "normals");
    RF_REQUIRE(kBad, d.uvs.empty() || d.uvs.size() == nv * 2,
               "uvs has " << d.uvs.size() << " numbers, expected 0 or " << nv * 2 << " (" << nv
                          << " vertices)");
    requireFiniteArray(d.uvs, "uvs");
    RF_REQUIRE(kBad, d.tangents.empty() || d.tangents.size() == nv * 4,
               "tangents has " << d.tangents.size() << " numbers, expected 0 or " << nv * 4 << " ("
                               << nv << " vertices)");
    requireFiniteArray(d.tangents, "tangents");
    RF_REQUIRE(kBad, d.indices.size() % 3 == 0,
               "indices has " << d.indices.size() << " entries, not a multiple of 3");
    for (size_t i = 0; i < d.indices.size(); ++i)
        RF_REQUIRE(kBad, d.indices[i] < nv,
                   "indices[" << i << "] = " << d.indices[i] << " is out of range (scene has " << nv
                              << " vertices)");
    size_t nt = d.indices.size() / 3;
    RF_REQUIRE(kBad, d.materialIndex.size() == nt,
               "materialIndex has " << d.materialIndex.size() << " entries, expected one per triangle ("
                                    << nt << ")");
    size_t nm = d.materials.size();
    for (size_t i = 0; i < nt; ++i)
        RF_REQUIRE(kBad, d.materialIndex[i] < nm,
                   "materialIndex[" << i << "] = " << d.materialIndex[i]
                                    << " is out of range (scene has " << nm << " materials)");
    size_t ntex = d.textures.size();
    for (size_t i = 0; i < ntex; ++i) {
        const TextureDesc &t = d.textures[i];
        std::string w = "textures[" + std::to_string(i) + "]";
        RF_REQUIRE(kBad, t.width >= 1 && t.height >= 1 && t.width <= 65536 && t.height <= 65536,
                   w << " has size " << t.width << "x" << t.height << " (each side must be 1..65536)");
        size_t expect = static_cast<size_t>(t.width) * static_cast<size_t>(t.height) * 4;
        RF_REQUIRE(kBad, t.data.size() == expect,
                   w << ".data has " << t.data.size() << " bytes, expected " << expect << " ("
                     << t.width << "x" << t.height << " RGBA8)");
    }
    for (size_t i = 0; i < nm; ++i) {
        const MaterialDesc &m = d.materials[i];
        std::string w = "materials[" + std::to_string(i) + "]";
        if (!m.name.empty()) w += " (\"" + m.name + "\")";
        for (int k = 0; k < 4; ++k) {
            requireFinite(m.baseColor[k], w + ".baseColor[" + std::to_string(k) + "]");
            RF_REQUIRE(kBad, m.baseColor[k] >= 0.f,
                       w << ".baseColor[" << k << "] = " << m.baseColor[k] << " is negative");
        }
        for (int k = 0; k < 3; ++k) {
            requireFinite(m.emissive[k], w + ".emissive[" + std::to_string(k) + "]");
            RF_REQUIRE(kBad, m.emissive[k] >= 0.f,
                       w << ".emissive[" << k << "] = " << m.emissive[k] << " is negative");
        }
        requireFinite(m.metallic, w + ".metallic");
        requireFinite(m.roughness, w + ".roughness");
        RF_REQUIRE(kBad, m.metallic >= 0.f && m.metallic <= 1.f,
                   w << ".metallic = " << m.metallic << " is outside 0..1");
        RF_REQUIRE(kBad, m.roughness >= 0.f && m.roughness <= 1.f,
                   w << ".roughness = " << m.roughness << " is outside 0..1");
        requireFinite(m.normalScale, w + ".normalScale");
        requireFinite(m.specular, w + ".specular");
        RF_REQUIRE(kBad, m.specular >= 0.f && m.specular <= 1.f,
                   w << ".specular = " << m.specular << " is outside 0..1");
        for (int k = 0; k < 3; ++k) {
            requireFinite(m.specularColor[k], w + ".specularColor[" + std::to_string(k) + "]");
            RF_REQUIRE(kBad, m.specularColor[k] >= 0.f,
                       w << ".specularColor[" << k << "] = " << m.specularColor[k] << " is negative");
        }
        requireTexture(m.specularTexture, ntex, w + ".specularTexture");
        requireTexture(m.specularColorTexture, ntex, w + ".specularColorTexture");
        requireFinite(m.alphaCutoff, w + ".alphaCutoff");
        requireTexture(m.baseColorTexture, ntex, w + ".baseColorTexture");
        requireTexture(m.metallicRoughnessTexture, ntex, w + ".metallicRoughnessTexture");
        requireTexture(m.emissiveTexture, ntex, w + ".emissiveTexture");
        requireTexture(m.normalTexture, ntex, w + ".normalTexture");
        tables::validateMaterialExtras(m, w, ntex);
    }
    for (size_t i = 0; i < d.lights.size(); ++i) {
        const LightDesc &l = d.lights[i];
        std::string w = "lights[" + std::to_string(i) + "]";
        for (int k = 0; k < 3; ++k) {
            requireFinite(l.position[k], w + ".position[" + std::to_string(k) + "]");
            requireFinite(l.direction[k], w + ".direction[" + std::to_string(k) + "]");
            requireFinite(l.color[k], w + ".color[" + std::to_string(k) + "]");
            RF_REQUIRE(kBad, l.color[k] >= 0.f, w << ".color[" << k << "] = " << l.color[k] << " is negative");
        }
        requireFinite(l.intensity, w + ".intensity");
        requireFinite(l.range, w + ".range");
        requireFinite(l.innerConeAngle, w + ".innerConeAngle");
        requireFinite(l.outerConeAngle, w + ".outerConeAngle");
        RF_REQUIRE(kBad, l.range >= 0.f, w << ".range = " << l.range << " is negative");
        if (l.type != kLightPoint) {
            float len2 = l.direction[0] * l.direction[0] + l.direction[1] * l.direction[1] +
                         l.direction[2] * l.direction[2];
            RF_REQUIRE(kBad, len2 > 1e-12f, w << ".direction is the zero vector");
        }
    }
    if (d.backgroundType == kBackgroundColor) {
        for (int k = 0; k < 3; ++k) {
            requireFinite(d.backgroundColor[k], "background.color[" + std::to_string(k) + "]");
            RF_REQUIRE(kBad, d.backgroundColor[k] >= 0.f,
                       "background.color[" << k << "] = " << d.backgroundColor[k] << " is negative");
        }
    } else if (d.backgroundType == kBackgroundHdri) {
        RF_REQUIRE(kBad, d.hdriWidth > 0 && d.hdriHeight > 0 && d.hdriWidth <= 65536 && d.hdriHeight <= 65536,
                   "background is " << d.hdriWidth << " x " << d.hdriHeight << " pixels");
        RF_REQUIRE(kBad, d.hdriData.size() == static_cast<size_t>(d.hdriWidth) * d.hdriHeight * 3,
                   "background.data holds " << d.hdriData.size() << " numbers, not width x height x 3 = "
                                            << static_cast<size_t>(d.hdriWidth) * d.hdriHeight * 3);
        for (size_t i = 0; i < d.hdriData.size(); ++i)
            RF_REQUIRE(kBad, std::isfinite(d.hdriData[i]) && d.hdriData[i] >= 0.f,
                       "background.data[" << i << "] = " << d.hdriData[i] << " is not a finite, non-negative number");
        requireFinite(d.backgroundIntensity, "background.intensity");
        RF_REQUIRE(kBad, d.backgroundIntensity >= 0.f,
                   "background.intensity = " << d.backgroundIntensity << " is negative");
    } else {
        RF_REQUIRE(kBad, d.backgroundTexture >= 0 && d.backgroundTexture < static_cast<int64_t>(ntex),
                   "background.texture = " << d.backgroundTexture << " is out of range (scene has "
                                           << ntex << " textures)");
        requireFinite(d.backgroundIntensity, "background.intensity");
        RF_REQUIRE(kBad, d.backgroundIntensity >= 0.f,
                   "background.intensity = " << d.backgroundIntensity << " is negative");
    }
}

Scene::Scene(SceneDesc &&desc) {
    validateSceneDesc(desc);
    positions_ = std::move(desc.positions);
    normals_ = std::move(desc.normals);
    uvs_ = std::move(desc.uvs);
    tangents_ = std::move(desc.tangents);
    indices_ = std::move(desc.indices);
    materialIndex_ = std::move(desc.materialIndex);
    buildMaterialsAndTextures(desc);
    BVHBuildOutput bvh = buildBVH(positions_.data(), indices_.data(), indices_.size() / 3);
    nodes2_ = std::move(bvh.nodes);
    nodes8_ = std::move(bvh.nodes8);
    packs_ = std::move(bvh.packs);
    packTri_ = std::move(bvh.packTri);
    tris_ = std::move(bvh.tris);
    triOrder_ = std::move(bvh.triOrder);
    bvhDepth_ = bvh.depth;
    envTexels_ = std::move(desc.hdriData);
    buildLights(desc);
    makeView(desc);
}

Scene::~Scene() = default;

void Scene::buildMaterialsAndTextures(SceneDesc &desc) {
    srgbLut_.resize(256);
    for (int i = 0; i < 256; ++i) srgbLut_[i] = srgbDecode(static_cast<float>(i) / 255.f);
    size_t total = 0;
    for (const TextureDesc &t : desc.textures) total += static_cast<size_t>(t.width) * t.height;
    CHECK(total < 0xFFFFFFFFull);
    texels_.reserve(total + total / 3 + desc.textures.size() * kMaxMipLevels);
    for (size_t i = 0; i < desc.textures.size(); ++i) {
        // Material textures get a mip chain; the equirect background is looked up sharp.
        bool mips = !(desc.backgroundType == kBackgroundEquirect &&
                      static_cast<int32_t>(i) == desc.backgroundTexture);
        textures_.push_back(tables::appendTexture(desc.textures[i], mips, srgbLut_, texels_));
        desc.textures[i].data = std::vector<uint8_t>();  // copied; free the caller's bytes early
    }
    // The sheen albedo table takes a moment to integrate: only for scenes that use sheen.
    bool anySheen = false;
    for (const MaterialDesc &m : desc.materials)
        anySheen = anySheen || m.sheenColor[0] > 0.f || m.sheenColor[1] > 0.f || m.sheenColor[2] > 0.f;
    if (anySheen) {
        static const std::vector<float> sheenTable = tables::sheenAlbedoTable();
        sheenLut_ = sheenTable;
    } else {
        sheenLut_.assign(kSheenLut * kSheenLut, 0.f);
    }
    for (const MaterialDesc &m : desc.materials) {
        MaterialRec r;
        r.baseColor = Vec3(m.baseColor[0], m.baseColor[1], m.baseColor[2]);
        r.alpha = m.baseColor[3];
        r.baseColorTex = m.baseColorTexture;
        r.metallic = m.metallic;
        r.roughness = m.roughness;
        r.metallicRoughnessTex = m.metallicRoughnessTexture;
        r.emissive = Vec3(m.emissive[0], m.emissive[1], m.emissive[2]);
        r.emissiveTex = m.emissiveTexture;
        r.normalTex = m.normalTexture;
        r.normalScale = m.normalScale;
        r.specular = m.specular;
        r.specularTex = m.specularTexture;
        r.specularColor = Vec3(m.specularColor[0], m.specularColor[1], m.specularColor[2]);
        r.specularColorTex = m.specularColorTexture;
        r.alphaMode = m.alphaMode;
        r.alphaCutoff = m.alphaCutoff;
        r.doubleSided = m.doubleSided ? 1 : 0;
        tables::fillMaterialExtras(m, r);
        materials_.push_back(r);
    }
}

namespace {

// Mean linear colour of a texture, to weigh textured emitters by power.
Vec3 textureMean(const std::vector<uint32_t> &texels, const std::vector<float> &lut,
                 const TextureRec &t) {
    double s[3] = {0, 0, 0};
    size_t n = static_cast<size_t>(t.width) * t.height;
    for (size_t i = 0; i < n; ++i) {
        uint32_t p = texels[t.offset + i];
        for (int k = 0; k < 3; ++k) {
            uint32_t c = (p >> (8 * k)) & 255u;
            s[k] += t.srgb ? lut[c] : c / 255.0;
        }
    }
    return Vec3(static_cast<float>(s[0] / n), static_cast<float>(s[1] / n), static_cast<float>(s[2] / n));
}

}  // namespace

void Scene::buildLights(const SceneDesc &desc) {
    size_t nt = indices_.size() / 3;
    Vec3 lo(kInfinity), hi(-kInfinity);
    for (size_t i = 0; i + 2 < positions_.size(); i += 3) {
        Vec3 p(positions_[i], positions_[i + 1], positions_[i + 2]);
        lo = vmin(lo, p);
        hi = vmax(hi, p);
    }
    Vec3 center = nt > 0 ? (lo + hi) * 0.5f : Vec3(0.f);
    float radius = nt > 0 ? maxf(length(hi - lo) * 0.5f, 1e-3f) : 1.f;
    view_.sceneCenter = center;
    view_.sceneRadius = radius;

    std::vector<double> power;
    for (const LightDesc &l : desc.lights) {
        LightRec r;
        r.type = l.type;
        r.position = Vec3(l.position[0], l.position[1], l.position[2]);
        r.direction = normalize(Vec3(l.direction[0], l.direction[1], l.direction[2]));
        r.color = Vec3(l.color[0], l.color[1], l.color[2]);
        r.range = l.range;
        float inner = clampf(l.innerConeAngle, 0.f, kPi * 0.5f);
        float outer = clampf(l.outerConeAngle, inner, kPi * 0.5f);
        r.cosInner = cosf(inner);
        r.cosOuter = cosf(outer);
        double lum = luminance(r.color);
        double p = l.type == kLightDirectional ? lum * kPi * radius * radius : 4.0 * kPi * lum;
        if (l.type == kLightSpot) p *= 0.5 * (1.0 - 0.5 * (r.cosInner + r.cosOuter)) + 1e-3;
        lights_.push_back(r);
        power.push_back(p);
    }
    std::vector<Vec3> texMean(textures_.size());
    for (size_t i = 0; i < textures_.size(); ++i) texMean[i] = textureMean(texels_, srgbLut_, textures_[i]);
    triLightPdf_.assign(nt, 0.f);
    for (size_t t = 0; t < nt; ++t) {
        const MaterialRec &m = materials_[materialIndex_[t]];
        Vec3 e = m.emissive;
        if (m.emissiveTex >= 0) e *= texMean[m.emissiveTex];
        if (isBlack(e)) continue;
        auto vp = [&](uint32_t i) { return Vec3(positions_[3 * i], positions_[3 * i + 1], positions_[3 * i + 2]); };
        Vec3 a = vp(indices_[3 * t]), b = vp(indices_[3 * t + 1]), c = vp(indices_[3 * t + 2]);
        double area = 0.5 * length(cross(b - a, c - a));
        if (!(area > 0.0)) continue;
        emissiveTris_.push_back(static_cast<uint32_t>(t));
        power.push_back((m.doubleSided ? 2.0 : 1.0) * kPi * area * luminance(e));
    }
    Vec3 bgColor(desc.backgroundColor[0], desc.backgroundColor[1], desc.backgroundColor[2]);
    EnvironmentDistribution env;
    if (desc.backgroundType == kBackgroundEquirect) {
        env = buildEnvironment(textures_[desc.backgroundTexture], texels_, srgbLut_, desc.backgroundIntensity);
    } else if (desc.backgroundType == kBackgroundHdri) {
        env = buildEnvironment(envTexels_, desc.hdriWidth, desc.hdriHeight, desc.backgroundIntensity);
    } else {
        env.meanRadiance = luminance(bgColor);
    }
    view_.envSampled = env.meanRadiance > 0 ? 1 : 0;
    view_.envWidth = env.width;
    view_.envHeight = env.height;
    envMarginalCdf_ = std::move(env.marginalCdf);
    envConditionalCdf_ = std::move(env.conditionalCdf);
    // Power that reaches a sphere around the scene from a sky of mean radiance L: pi^2 R^2 L.
    if (view_.envSampled) power.push_back(kPi * kPi * radius * radius * env.meanRadiance);

    double total = 0;
    for (double p : power) total += p;
    lightCdf_.assign(power.size() + 1, 0.f);
    if (total > 0) {
        double acc = 0;
        for (size_t i = 0; i < power.size(); ++i) {
            acc += power[i];
            lightCdf_[i + 1] = static_cast<float>(acc / total);
        }
        lightCdf_.back() = 1.f;
        // Keep the CDF strictly usable: pickLight compares u < 1 against these.
        for (size_t i = 0; i < emissiveTris_.size(); ++i) {
            size_t k = lights_.size() + i;
            triLightPdf_[emissiveTris_[i]] = lightCdf_[k + 1] - lightCdf_[k];
        }
        size_t last = power.size() - 1;
        view_.envPickPdf = view_.envSampled ? lightCdf_[last + 1] - lightCdf_[last] : 0.f;
    } else {
        // Lights that carry no power are never sampled.
        lights_.clear();
        emissiveTris_.clear();
        lightCdf_.assign(1, 0.f);
        view_.envSampled = 0;
        view_.envPickPdf = 0.f;
    }
}

void Scene::makeView(const SceneDesc &desc) {
    SceneView &v = view_;
    v.nodes2 = nodes2_.empty() ? nullptr : nodes2_.data();
    v.nodes8 = nodes8_.empty() ? nullptr : nodes8_.data();
    v.packs = packs_.empty() ? nullptr : packs_.data();
    v.packTri = packTri_.empty() ? nullptr : packTri_.data();
    v.tris = tris_.data();
    v.triOrder = triOrder_.data();
    v.triCount = static_cast<int32_t>(tris_.size());
    v.positions = positions_.data();
    v.normals = normals_.empty() ? nullptr : normals_.data();
    v.uvs = uvs_.empty() ? nullptr : uvs_.data();
    v.tangents = tangents_.empty() ? nullptr : tangents_.data();
    v.indices = indices_.data();
    v.materialIndex = materialIndex_.data();
    v.materials = materials_.data();
    v.textures = textures_.data();
    v.texels = texels_.data();
    v.srgbToLinear = srgbLut_.data();
    v.lights = lights_.data();
    v.lightCount = static_cast<int32_t>(lights_.size());
    v.emissiveTris = emissiveTris_.data();
    v.emissiveCount = static_cast<int32_t>(emissiveTris_.size());
    v.lightCdf = lightCdf_.data();
    v.triLightPdf = triLightPdf_.data();
    v.backgroundType = desc.backgroundType;
    v.backgroundColor = Vec3(desc.backgroundColor[0], desc.backgroundColor[1], desc.backgroundColor[2]);
    v.backgroundTex = desc.backgroundTexture;
    v.backgroundIntensity = desc.backgroundIntensity;
    v.envTexels = envTexels_.empty() ? nullptr : envTexels_.data();
    v.envTexWidth = desc.hdriWidth;
    v.envTexHeight = desc.hdriHeight;
    v.envMarginalCdf = envMarginalCdf_.empty() ? nullptr : envMarginalCdf_.data();
    v.envConditionalCdf = envConditionalCdf_.empty() ? nullptr : envConditionalCdf_.data();
    v.sheenAlbedo = sheenLut_.data();
    v.anyAlpha = 0;
    for (const MaterialRec &m : materials_)
        if (m.alphaMode != kAlphaOpaque) v.anyAlpha = 1;
}

}  // namespace rf
