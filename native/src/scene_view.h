// The render-ready scene as plain arrays behind raw pointers: the same struct describes host
// memory (CPU backend) and device memory (CUDA backend).
#pragma once

#include "math.h"
#include "rf.h"

namespace rf {

enum WrapMode : int32_t { kWrapRepeat = 0, kWrapClamp = 1, kWrapMirror = 2 };
enum AlphaMode : int32_t { kAlphaOpaque = 0, kAlphaMask = 1, kAlphaBlend = 2 };
enum LightType : int32_t { kLightPoint = 0, kLightSpot = 1, kLightDirectional = 2 };
// Equirect: an RGBA8 texture of the table; Hdri: linear float RGB of its own (envTexels).
enum BackgroundType : int32_t { kBackgroundColor = 0, kBackgroundEquirect = 1, kBackgroundHdri = 2 };

constexpr int kMaxMipLevels = 17;  // 65536 -> 1

struct TextureRec {
    int32_t width, height;
    uint32_t offset;  // first texel of level 0 in SceneView::texels (in texels, 4 bytes each)
    int32_t wrapS, wrapT;
    int32_t srgb;
    // KHR_texture_transform as a 2x3 matrix on (u, v, 1): u' = xf0 u + xf1 v + xf2, etc.
    int32_t transformed;
    float xf[6];
    // Mip chain: level l is max(1, width >> l) x max(1, height >> l) texels at levelOffset[l].
    int32_t levels;
    uint32_t levelOffset[kMaxMipLevels];
    // sqrt(width * height * |det of the transform|): texels per uv unit, to turn a footprint
    // in uv into texels.
    float texelScale;
};

struct MaterialRec {
    Vec3 baseColor;
    float alpha;
    int32_t baseColorTex;
    float metallic, roughness;
    int32_t metallicRoughnessTex;
    Vec3 emissive;
    int32_t emissiveTex;
    int32_t normalTex;
    float normalScale;
    float specular;  // KHR_materials_specular strength
    int32_t specularTex;
    Vec3 specularColor;
    int32_t specularColorTex;
    int32_t alphaMode;
    float alphaCutoff;
    int32_t doubleSided;
    // KHR_materials_transmission / _ior / _volume: the dielectric base lets `transmission` of
    // the light through (tinted by the base colour); thin-walled without a volume, else a
    // closed medium absorbing sigmaA per metre (Beer-Lambert).
    float transmission;
    int32_t transmissionTex;  // R channel
    float ior;
    int32_t thinWalled;
    Vec3 sigmaA;
    // KHR_materials_clearcoat (factor R, roughness G of their textures).
    float clearcoat;
    int32_t clearcoatTex;
    float clearcoatRoughness;
    int32_t clearcoatRoughnessTex;
    // KHR_materials_sheen (colour RGB, roughness A).
    Vec3 sheenColor;
    int32_t sheenColorTex;
    float sheenRoughness;
    int32_t sheenRoughnessTex;
    // kMaterialTextured | kMaterialLayered, so plain materials skip the work of the others.
    int32_t flags;
};

constexpr int32_t kMaterialTextured = 1;  // some texture: the ray cone's footprint is needed
constexpr int32_t kMaterialLayered = 2;   // transmission, clear coat or sheen

struct LightRec {
    int32_t type;
    Vec3 position;
    Vec3 direction;  // where the light points to
    Vec3 color;      // already times intensity
    float range;     // 0 = infinite
    float cosInner, cosOuter;
};

// Flattened binary BVH node (32 bytes). Leaves have count > 0 and their triangles at
// [first, first + count) in BVH order; inner nodes have count == 0 and children at
// first and first + 1.
struct alignas(32) BVHNode {
    Vec3 bmin;
    int32_t first;
    Vec3 bmax;
    int32_t count;
};

// 8-wide node (256 bytes, four cache lines), collapsed from the binary tree: the boxes of up to
// eight children in structure-of-arrays form so one step tests all eight at once.
// count[k] > 0: leaf child with count[k] triangles in the packs [child[k], child[k] +
// ceil(count[k] / 4)); count[k] == 0: inner child node child[k]; count[k] < 0: empty slot.
// (Child boxes quantized to 8 bits per plane, 128-byte nodes, measured 14-17 % more CPU time per
// sample on heavy.glb with AVX2: the walk waits on the node test's chain of operations more than
// on memory, and dequantizing lengthens that chain.)
struct alignas(64) BVH8Node {
    float bminX[8], bminY[8], bminZ[8];
    float bmaxX[8], bmaxY[8], bmaxZ[8];
    int32_t child[8];
    int32_t count[8];
};

// Precomputed triangle for intersection, stored in BVH order.
struct TriAccel {
    Vec3 v0, e1, e2;
};

// Four triangles of an 8-wide BVH leaf side by side (structure of arrays), tested at once on
// the CPU. Unused lanes are all zero (a degenerate triangle nothing hits).
struct alignas(16) TriPack4 {
    float v0x[4], v0y[4], v0z[4];
    float e1x[4], e1y[4], e1z[4];
    float e2x[4], e2y[4], e2z[4];
};

struct SceneView {
    const BVHNode *nodes2;   // binary tree (always present when there are triangles)
    const BVH8Node *nodes8;  // the same tree, 8-wide (the CPU's); null to traverse the binary one
    const TriPack4 *packs;   // the 8-wide tree's leaves (with nodes8)
    const uint32_t *packTri;  // lane j of pack p -> original triangle index, at 4 p + j
    const TriAccel *tris;
    const uint32_t *triOrder;  // BVH slot -> original triangle index
    int32_t triCount;

    const float *positions;
    const float *normals;   // null when absent
    const float *uvs;       // null when absent
    const float *tangents;  // null when absent
    const uint32_t *indices;
    const uint32_t *materialIndex;

    const MaterialRec *materials;
    const TextureRec *textures;
    const uint32_t *texels;  // RGBA8 packed little-endian: r | g << 8 | b << 16 | a << 24
    const float *srgbToLinear;  // 256 entries

    // Lights: [0, lightCount) punctual, then emissive triangles, then the background when
    // envSampled. lightCdf has lightCount + emissiveCount + envSampled + 1 entries.
    const LightRec *lights;
    int32_t lightCount;
    const uint32_t *emissiveTris;
    int32_t emissiveCount;
    const float *lightCdf;
    const float *triLightPdf;  // per original triangle: probability of picking it, 0 if not
    float sceneRadius;
    Vec3 sceneCenter;

    int32_t backgroundType;
    Vec3 backgroundColor;
    int32_t backgroundTex;
    float backgroundIntensity;
    const float *envTexels;          // kBackgroundHdri: envTexWidth x envTexHeight RGB floats
    int32_t envTexWidth, envTexHeight;

    // The background as a light: the last entry of the light table when envSampled is 1.
    int32_t envSampled;
    float envPickPdf;
    int32_t envWidth, envHeight;     // 0 x 0: uniform over the sphere
    const float *envMarginalCdf;     // envHeight + 1
    const float *envConditionalCdf;  // envHeight rows of envWidth + 1

    int32_t anyAlpha;  // some material is masked or blended: traversal runs alpha tests

    // Directional albedo of the sheen lobe, kSheenLut x kSheenLut: row = sheen roughness,
    // column = cos(theta_o), both from 0 to 1 (scene.cc).
    const float *sheenAlbedo;
};

constexpr int kSheenLut = 16;

}  // namespace rf
