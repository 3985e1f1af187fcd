// Host-side tables built once per scene (included by scene.cc only): texture mip chains, the
// checks and render records of the KHR_materials_* inputs, and the sheen albedo table.
#pragma once

#include <cmath>
#include <string>
#include <vector>

#include "microfacet.h"
#include "scene.h"

namespace rf {
namespace tables {

inline uint32_t encode8(float c, bool srgb) {
    c = clampf(c, 0.f, 1.f);
    if (srgb) c = c <= 0.0031308f ? c * 12.92f : 1.055f * std::pow(c, 1.f / 2.4f) - 0.055f;
    return static_cast<uint32_t>(std::lround(clampf(c, 0.f, 1.f) * 255.f));
}

// Appends the texture's texels (level 0, then when `mips` each half-size level down to 1x1)
// to `texels` and returns its record. Each level is a box filter of the one above, averaged in
// linear space (colour textures are sRGB-decoded first) so that distant textures keep their
// brightness; odd sizes let neighbouring boxes share a row or column.
inline TextureRec appendTexture(const TextureDesc &t, bool mips, const std::vector<float> &lut,
                                std::vector<uint32_t> &texels) {
    TextureRec r{};
    r.width = t.width;
    r.height = t.height;
    r.wrapS = t.wrapS;
    r.wrapT = t.wrapT;
    r.srgb = t.srgb ? 1 : 0;
    r.transformed = t.transformed ? 1 : 0;
    for (int k = 0; k < 6; ++k) r.xf[k] = t.transform[k];
    CHECK(texels.size() < 0xFFFFFFFFull);
    r.offset = static_cast<uint32_t>(texels.size());
    size_t n = static_cast<size_t>(t.width) * t.height;
    for (size_t i = 0; i < n; ++i) {
        const uint8_t *p = &t.data[4 * i];
        texels.push_back(static_cast<uint32_t>(p[0]) | static_cast<uint32_t>(p[1]) << 8 |
                         static_cast<uint32_t>(p[2]) << 16 | static_cast<uint32_t>(p[3]) << 24);
    }
    r.levels = 1;
    r.levelOffset[0] = r.offset;
    int w = t.width, h = t.height;
    while (mips && (w > 1 || h > 1) && r.levels < kMaxMipLevels) {
        int w2 = w > 1 ? w >> 1 : 1, h2 = h > 1 ? h >> 1 : 1;
        size_t src = r.levelOffset[r.levels - 1];
        CHECK(texels.size() + static_cast<size_t>(w2) * h2 < 0xFFFFFFFFull);
        uint32_t dst = static_cast<uint32_t>(texels.size());
        for (int y = 0; y < h2; ++y) {
            int y0 = y * h / h2, y1 = ((y + 1) * h + h2 - 1) / h2;
            for (int x = 0; x < w2; ++x) {
                int x0 = x * w / w2, x1 = ((x + 1) * w + w2 - 1) / w2;
                float s[4] = {0.f, 0.f, 0.f, 0.f};
                for (int yy = y0; yy < y1; ++yy)
                    for (int xx = x0; xx < x1; ++xx) {
                        uint32_t p = texels[src + static_cast<size_t>(yy) * w + xx];
                        for (int k = 0; k < 3; ++k) {
                            uint32_t c = (p >> (8 * k)) & 255u;
                            s[k] += t.srgb ? lut[c] : static_cast<float>(c) / 255.f;
                        }
                        s[3] += static_cast<float>(p >> 24) / 255.f;
                    }
                float inv = 1.f / static_cast<float>((y1 - y0) * (x1 - x0));
                texels.push_back(encode8(s[0] * inv, t.srgb) | encode8(s[1] * inv, t.srgb) << 8 |
                                 encode8(s[2] * inv, t.srgb) << 16 | encode8(s[3] * inv, false) << 24);
            }
        }
        r.levelOffset[r.levels++] = dst;
        w = w2;
        h = h2;
    }
    float det = std::fabs(r.xf[0] * r.xf[4] - r.xf[1] * r.xf[3]);
    r.texelScale = std::sqrt(static_cast<float>(t.width) * static_cast<float>(t.height) * det);
    return r;
}

inline void requireRange(float v, float lo, float hi, const std::string &what) {
    RF_REQUIRE("ENGINE_BAD_SCENE", std::isfinite(v) && v >= lo && v <= hi,
               what << " = " << v << " is outside " << lo << ".." << hi);
}

inline void requireTex(int32_t tex, size_t count, const std::string &what) {
    RF_REQUIRE("ENGINE_BAD_SCENE", tex >= -1 && tex < static_cast<int64_t>(count),
               what << " = " << tex << " is out of range (scene has " << count << " textures)");
}

// Checks the extension inputs of material `w` (transmission, volume, clear coat, sheen).
inline void validateMaterialExtras(const MaterialDesc &m, const std::string &w, size_t ntex) {
    requireRange(m.transmission, 0.f, 1.f, w + ".transmission");
    requireTex(m.transmissionTexture, ntex, w + ".transmissionTexture");
    requireRange(m.ior, 1.f, 10.f, w + ".ior");
    requireRange(m.thickness, 0.f, 3.0e38f, w + ".thickness");
    for (int k = 0; k < 3; ++k)
        requireRange(m.attenuationColor[k], 0.f, 1.f, w + ".attenuationColor[" + std::to_string(k) + "]");
    requireRange(m.attenuationDistance, 0.f, 3.0e38f, w + ".attenuationDistance");
    requireRange(m.clearcoat, 0.f, 1.f, w + ".clearcoat");
    requireTex(m.clearcoatTexture, ntex, w + ".clearcoatTexture");
    requireRange(m.clearcoatRoughness, 0.f, 1.f, w + ".clearcoatRoughness");
    requireTex(m.clearcoatRoughnessTexture, ntex, w + ".clearcoatRoughnessTexture");
    for (int k = 0; k < 3; ++k)
        requireRange(m.sheenColor[k], 0.f, 1.f, w + ".sheenColor[" + std::to_string(k) + "]");
    requireTex(m.sheenColorTexture, ntex, w + ".sheenColorTexture");
    requireRange(m.sheenRoughness, 0.f, 1.f, w + ".sheenRoughness");
    requireTex(m.sheenRoughnessTexture, ntex, w + ".sheenRoughnessTexture");
}

// The render record's extension fields. A volume absorbs sigma = -ln(colour) / distance per
// metre (KHR_materials_volume's Beer-Lambert law); thickness 0 means thin-walled.
inline void fillMaterialExtras(const MaterialDesc &m, MaterialRec &r) {
    r.transmission = m.transmission;
    r.transmissionTex = m.transmissionTexture;
    r.ior = m.ior;
    r.thinWalled = m.thickness > 0.f ? 0 : 1;
    float sig[3] = {0.f, 0.f, 0.f};
    if (m.attenuationDistance > 0.f)
        for (int k = 0; k < 3; ++k)
            sig[k] = -std::log(std::fmax(m.attenuationColor[k], 1e-6f)) / m.attenuationDistance;
    r.sigmaA = Vec3(sig[0], sig[1], sig[2]);
    r.clearcoat = m.clearcoat;
    r.clearcoatTex = m.clearcoatTexture;
    r.clearcoatRoughness = m.clearcoatRoughness;
    r.clearcoatRoughnessTex = m.clearcoatRoughnessTexture;
    r.sheenColor = Vec3(m.sheenColor[0], m.sheenColor[1], m.sheenColor[2]);
    r.sheenColorTex = m.sheenColorTexture;
    r.sheenRoughness = m.sheenRoughness;
    r.sheenRoughnessTex = m.sheenRoughnessTexture;
    r.flags = 0;
    for (int32_t t : {r.baseColorTex, r.metallicRoughnessTex, r.emissiveTex, r.normalTex, r.specularTex,
                      r.specularColorTex, r.transmissionTex, r.clearcoatTex, r.clearcoatRoughnessTex,
                      r.sheenColorTex, r.sheenRoughnessTex})
        if (t >= 0) r.flags |= kMaterialTextured;
    if (r.transmission > 0.f || r.clearcoat > 0.f || !isBlack(r.sheenColor)) r.flags |= kMaterialLayered;
}

// E(mu, roughness): the fraction of light the sheen lobe (colour 1) reflects, by midpoint
// integration over the hemisphere. KHR_materials_sheen scales the layer below by
// 1 - max(sheenColor) * E so that the stack never reflects more than it receives.
inline std::vector<float> sheenAlbedoTable() {
    std::vector<float> lut(kSheenLut * kSheenLut);
    const int nc = 96, np = 48;
    for (int i = 0; i < kSheenLut; ++i) {
        float rough = maxf(static_cast<float>(i) / (kSheenLut - 1), kSheenMinRoughness);
        float a = rough * rough;
        for (int j = 0; j < kSheenLut; ++j) {
            float mu = maxf(static_cast<float>(j) / (kSheenLut - 1), 1e-3f);
            Vec3 wo(std::sqrt(1.f - mu * mu), 0.f, mu);
            double e = 0.0;
            for (int c = 0; c < nc; ++c) {
                float ct = (c + 0.5f) / nc, st = std::sqrt(1.f - ct * ct);
                for (int p = 0; p < np; ++p) {
                    float phi = kPi * (p + 0.5f) / np;  // symmetric in phi: half the circle, twice
                    Vec3 wi(st * std::cos(phi), st * std::sin(phi), ct);
                    e += charlieSheen(wo, wi, a) * ct;
                }
            }
            // d(omega) = d(cos) d(phi); the half circle counted twice.
            lut[i * kSheenLut + j] = static_cast<float>(e * (1.0 / nc) * (kPi / np) * 2.0);
        }
    }
    return lut;
}

}  // namespace tables
}  // namespace rf
