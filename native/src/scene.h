// Host-side scene: the validated copy of the caller's buffers, the BVH and the light tables.
#pragma once

#include <memory>
#include <mutex>
#include <new>
#include <string>
#include <vector>

#include "scene_view.h"

namespace rf {

// std::allocator that hands out 64-byte aligned blocks (cache lines) for the BVH nodes.
template <typename T>
struct CacheAlignedAllocator {
    using value_type = T;
    CacheAlignedAllocator() = default;
    template <typename U>
    CacheAlignedAllocator(const CacheAlignedAllocator<U> &) {}
    T *allocate(size_t n) { return static_cast<T *>(::operator new(n * sizeof(T), std::align_val_t(64))); }
    void deallocate(T *p, size_t) { ::operator delete(p, std::align_val_t(64)); }
    bool operator==(const CacheAlignedAllocator &) const { return true; }
    bool operator!=(const CacheAlignedAllocator &) const { return false; }
};
using NodeVector = std::vector<BVHNode, CacheAlignedAllocator<BVHNode>>;
using Node8Vector = std::vector<BVH8Node, CacheAlignedAllocator<BVH8Node>>;
using PackVector = std::vector<TriPack4, CacheAlignedAllocator<TriPack4>>;

struct TextureDesc {
    int32_t width = 0, height = 0;
    std::vector<uint8_t> data;
    int32_t wrapS = kWrapRepeat, wrapT = kWrapRepeat;
    bool srgb = false;
    // KHR_texture_transform as a 2x3 matrix on (u, v, 1), row-major.
    bool transformed = false;
    float transform[6] = {1.f, 0.f, 0.f, 0.f, 1.f, 0.f};
};

struct MaterialDesc {
    std::string name;
    float baseColor[4] = {1.f, 1.f, 1.f, 1.f};
    int32_t baseColorTexture = -1;
    float metallic = 1.f, roughness = 1.f;
    int32_t metallicRoughnessTexture = -1;
    float emissive[3] = {0.f, 0.f, 0.f};
    int32_t emissiveTexture = -1;
    int32_t normalTexture = -1;
    float normalScale = 1.f;
    // KHR_materials_specular (defaults: glTF's plain dielectric).
    float specular = 1.f;
    int32_t specularTexture = -1;
    float specularColor[3] = {1.f, 1.f, 1.f};
    int32_t specularColorTexture = -1;
    int32_t alphaMode = kAlphaOpaque;
    float alphaCutoff = 0.5f;
    bool doubleSided = false;
    // KHR_materials_transmission / _ior / _volume (thickness 0: thin-walled; attenuation
    // distance 0: no absorption).
    float transmission = 0.f;
    int32_t transmissionTexture = -1;
    float ior = 1.5f;
    float thickness = 0.f;
    float attenuationColor[3] = {1.f, 1.f, 1.f};
    float attenuationDistance = 0.f;
    // KHR_materials_clearcoat.
    float clearcoat = 0.f;
    int32_t clearcoatTexture = -1;
    float clearcoatRoughness = 0.f;
    int32_t clearcoatRoughnessTexture = -1;
    // KHR_materials_sheen.
    float sheenColor[3] = {0.f, 0.f, 0.f};
    int32_t sheenColorTexture = -1;
    float sheenRoughness = 0.f;
    int32_t sheenRoughnessTexture = -1;
};

struct LightDesc {
    int32_t type = kLightPoint;
    float position[3] = {0, 0, 0};
    float direction[3] = {0, 0, -1};
    float color[3] = {1, 1, 1};
    float intensity = 1.f;
    float range = 0.f;
    float innerConeAngle = 0.f, outerConeAngle = 0.7853982f;
};

// What the caller hands in (a copy of SceneBuffers).
struct SceneDesc {
    std::vector<float> positions, normals, uvs, tangents;
    std::vector<uint32_t> indices, materialIndex;
    std::vector<MaterialDesc> materials;
    std::vector<TextureDesc> textures;
    std::vector<LightDesc> lights;
    int32_t backgroundType = kBackgroundColor;
    float backgroundColor[3] = {0, 0, 0};
    int32_t backgroundTexture = -1;
    float backgroundIntensity = 1.f;
    int32_t hdriWidth = 0, hdriHeight = 0;  // kBackgroundHdri: linear RGB, rows top to bottom
    std::vector<float> hdriData;
};

// Throws rf::Error("ENGINE_BAD_SCENE", ...) naming the first problem found.
void validateSceneDesc(const SceneDesc &desc);

class Scene {
  public:
    // Validates, then builds the BVH and light tables. Takes ownership of desc's arrays.
    explicit Scene(SceneDesc &&desc);
    ~Scene();
    Scene(const Scene &) = delete;
    Scene &operator=(const Scene &) = delete;

    const SceneView &view() const { return view_; }
    size_t triangleCount() const { return indices_.size() / 3; }
    size_t vertexCount() const { return positions_.size() / 3; }
    int bvhDepth() const { return bvhDepth_; }

    // Backend-private data (the CUDA copy), created lazily under gpuMutex.
    std::mutex gpuMutex;
    std::shared_ptr<void> gpuData;

    // Host arrays, exposed for backends that upload them.
    std::vector<float> positions_, normals_, uvs_, tangents_;
    std::vector<uint32_t> indices_, materialIndex_;
    std::vector<MaterialRec> materials_;
    std::vector<TextureRec> textures_;
    std::vector<uint32_t> texels_;
    std::vector<float> srgbLut_;
    std::vector<float> sheenLut_;
    std::vector<LightRec> lights_;
    std::vector<uint32_t> emissiveTris_;
    std::vector<float> lightCdf_, triLightPdf_;
    std::vector<float> envMarginalCdf_, envConditionalCdf_;
    std::vector<float> envTexels_;  // the HDRI background, RGB floats
    NodeVector nodes2_;
    Node8Vector nodes8_;
    PackVector packs_;
    std::vector<uint32_t> packTri_;
    std::vector<TriAccel> tris_;
    std::vector<uint32_t> triOrder_;

  private:
    void buildMaterialsAndTextures(SceneDesc &desc);
    void buildLights(const SceneDesc &desc);
    void makeView(const SceneDesc &desc);

    SceneView view_{};
    int bvhDepth_ = 0;
};

}  // namespace rf
