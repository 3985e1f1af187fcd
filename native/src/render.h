// Rendering entry points shared by the addon, the benchmark and the standalone tools.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "camera.h"
#include "scene.h"

namespace rf {

enum class Backend { kCpu, kCuda };

// Most pixels one render call may cover (8192 x 8192): its output is 16 bytes a pixel, so
// this caps the buffer at 1 GiB whatever rect a creator asks for.
constexpr int64_t kMaxRectPixels = int64_t(1) << 26;

struct RenderJob {
    RenderParams params;
    Backend backend = Backend::kCpu;
    int threads = 1;
};

struct RenderStats {
    uint64_t discardedSamples = 0;  // NaN/Inf samples dropped
    bool cancelled = false;
    // CPU time the render threads spent (CPU backend; 0 for CUDA): the render's cost with
    // the cores to itself, whatever else the machine was doing meanwhile.
    double cpuSeconds = 0.0;
};

struct DeviceDesc {
    std::string backend;
    std::string name;
    uint64_t memory = 0;
    int threads = 0;
};

// Called with the fraction done (0..1), from any thread.
using ProgressFn = std::function<void(double)>;

// Renders job.params.rect into out (rect.width * rect.height * 4 floats, RGBA, rows top to
// bottom). Returns with stats.cancelled set if `cancel` became true. Throws rf::Error.
RenderStats render(Scene &scene, const RenderJob &job, std::vector<float> &out,
                   const std::atomic<bool> &cancel, const ProgressFn &progress);

// Validates params (sizes, counts, camera); throws ENGINE_BAD_OPTIONS.
void validateRenderJob(const RenderJob &job);

// All devices this build can render on (the CPU always; CUDA devices when built with CUDA and
// a driver answers).
std::vector<DeviceDesc> listDevices();
bool cudaCompiledIn();

// Brute-force or BVH closest-hit queries for tests. rays: 7 floats each (o, d, tmax);
// hits: 4 floats each (t or -1, triangle index, b1, b2). Alpha tests are skipped. binaryTree
// walks the binary BVH (the GPU's) instead of the 8-wide one.
void intersectRays(const Scene &scene, const float *rays, size_t count, bool bruteForce,
                   float *hits, bool binaryTree = false);

}  // namespace rf
