#include "benchmark.h"

#include <cmath>

namespace rf {

namespace {

struct Builder {
    SceneDesc d;
    uint32_t vertex(Vec3 p, Vec3 n, float u, float v) {
        d.positions.insert(d.positions.end(), {p.x, p.y, p.z});
        d.normals.insert(d.normals.end(), {n.x, n.y, n.z});
        d.uvs.insert(d.uvs.end(), {u, v});
        return static_cast<uint32_t>(d.positions.size() / 3 - 1);
    }
    void tri(uint32_t a, uint32_t b, uint32_t c, uint32_t m) {
        d.indices.insert(d.indices.end(), {a, b, c});
        d.materialIndex.push_back(m);
    }
    // Quad a-b-c-d (counter-clockwise seen from the side n points to).
    void quad(Vec3 a, Vec3 b, Vec3 c, Vec3 e, uint32_t m) {
        Vec3 n = normalize(cross(b - a, c - a));
        uint32_t i0 = vertex(a, n, 0, 0), i1 = vertex(b, n, 1, 0), i2 = vertex(c, n, 1, 1),
                 i3 = vertex(e, n, 0, 1);
        tri(i0, i1, i2, m);
        tri(i0, i2, i3, m);
    }
    void sphere(Vec3 c, float r, int rings, int segments, uint32_t m) {
        uint32_t base = static_cast<uint32_t>(d.positions.size() / 3);
        for (int i = 0; i <= rings; ++i) {
            float th = kPi * i / rings;
            for (int j = 0; j <= segments; ++j) {
                float ph = 2.f * kPi * j / segments;
                Vec3 n(sinf(th) * cosf(ph), cosf(th), sinf(th) * sinf(ph));
                vertex(c + n * r, n, static_cast<float>(j) / segments, static_cast<float>(i) / rings);
            }
        }
        for (int i = 0; i < rings; ++i)
            for (int j = 0; j < segments; ++j) {
                uint32_t a = base + i * (segments + 1) + j, b = a + segments + 1;
                tri(a, a + 1, b, m);
                tri(a + 1, b + 1, b, m);
            }
    }
    uint32_t material(Vec3 base, float metallic, float roughness, Vec3 emissive = Vec3(0.f)) {
        MaterialDesc m;
        m.baseColor[0] = base.x;
        m.baseColor[1] = base.y;
        m.baseColor[2] = base.z;
        m.metallic = metallic;
        m.roughness = roughness;
        m.emissive[0] = emissive.x;
        m.emissive[1] = emissive.y;
        m.emissive[2] = emissive.z;
        d.materials.push_back(m);
        return static_cast<uint32_t>(d.materials.size() - 1);
    }
};

}  // namespace

SceneDesc makeBenchmarkScene() {
    Builder b;
    uint32_t white = b.material(Vec3(0.73f), 0.f, 0.9f);
    uint32_t red = b.material(Vec3(0.65f, 0.05f, 0.05f), 0.f, 0.9f);
    uint32_t green = b.material(Vec3(0.12f, 0.45f, 0.15f), 0.f, 0.9f);
    uint32_t light = b.material(Vec3(0.f), 0.f, 1.f, Vec3(17.f, 12.f, 4.f));
    uint32_t metal = b.material(Vec3(0.95f, 0.75f, 0.4f), 1.f, 0.25f);
    uint32_t plastic = b.material(Vec3(0.2f, 0.3f, 0.8f), 0.f, 0.3f);
    // Room: x, z in [-1, 1], y in [0, 2], open towards +z where the camera is.
    b.quad(Vec3(-1, 0, 1), Vec3(1, 0, 1), Vec3(1, 0, -1), Vec3(-1, 0, -1), white);    // floor
    b.quad(Vec3(-1, 2, -1), Vec3(1, 2, -1), Vec3(1, 2, 1), Vec3(-1, 2, 1), white);    // ceiling
    b.quad(Vec3(-1, 0, -1), Vec3(1, 0, -1), Vec3(1, 2, -1), Vec3(-1, 2, -1), white);  // back
    b.quad(Vec3(-1, 0, 1), Vec3(-1, 0, -1), Vec3(-1, 2, -1), Vec3(-1, 2, 1), red);    // left
    b.quad(Vec3(1, 0, -1), Vec3(1, 0, 1), Vec3(1, 2, 1), Vec3(1, 2, -1), green);      // right
    b.quad(Vec3(-0.25f, 1.98f, -0.25f), Vec3(0.25f, 1.98f, -0.25f), Vec3(0.25f, 1.98f, 0.25f),
           Vec3(-0.25f, 1.98f, 0.25f), light);
    b.sphere(Vec3(-0.4f, 0.4f, -0.3f), 0.4f, 48, 96, metal);
    b.sphere(Vec3(0.45f, 0.3f, 0.2f), 0.3f, 48, 96, plastic);
    b.d.backgroundType = kBackgroundColor;
    return std::move(b.d);
}

RenderParams benchmarkParams(int width, int height, int spp) {
    // Camera at (0, 1, 3.4) looking down -z.
    const float m[16] = {1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 1.f, 3.4f, 1};
    RenderParams p;
    p.camera = makeCamera(m, 0.69f);
    p.fullWidth = width;
    p.fullHeight = height;
    p.rect = PixelRect{0, 0, width, height};
    p.spp = spp;
    p.maxDepth = kBenchmarkDepth;
    p.seed = 1;
    return p;
}

}  // namespace rf
