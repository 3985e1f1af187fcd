#include "render.h"

#include <algorithm>
#include <cmath>
#include <thread>

#if defined(_WIN32)
#define WIN32_LEAN_AND_MEAN
#include <windows.h>
#else
#include <time.h>
#endif

#include "integrator.h"

#if RF_HAS_CUDA
#include "cuda_backend.h"
#endif

namespace rf {

namespace {

const char *kBadOptions = "ENGINE_BAD_OPTIONS";

// CPU time of the calling thread in nanoseconds.
uint64_t threadCpuNs() {
#if defined(_WIN32)
    FILETIME created, exited, kernel, user;
    if (!GetThreadTimes(GetCurrentThread(), &created, &exited, &kernel, &user)) return 0;
    auto ticks = [](FILETIME f) { return (static_cast<uint64_t>(f.dwHighDateTime) << 32) | f.dwLowDateTime; };
    return (ticks(kernel) + ticks(user)) * 100;  // 100 ns ticks
#else
    timespec ts;
    if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) != 0) return 0;
    return static_cast<uint64_t>(ts.tv_sec) * 1000000000ull + static_cast<uint64_t>(ts.tv_nsec);
#endif
}

RenderStats renderCpu(Scene &scene, const RenderJob &job, std::vector<float> &out,
                      const std::atomic<bool> &cancel, const ProgressFn &progress) {
    const RenderParams &p = job.params;
    const SceneView &sv = scene.view();
    std::atomic<int> nextRow{0}, rowsDone{0};
    std::atomic<uint64_t> discarded{0};
    std::atomic<bool> stopped{false};
    std::atomic<uint64_t> cpuNs{0};
    auto worker = [&]() {
        uint64_t localDiscarded = 0;
        const uint64_t cpu0 = threadCpuNs();
        for (;;) {
            int row = nextRow.fetch_add(1);
            if (row >= p.rect.height) break;
            int py = p.rect.y + row;
            for (int col = 0; col < p.rect.width; ++col) {
                if (cancel.load(std::memory_order_relaxed)) {
                    stopped = true;
                    discarded += localDiscarded;
                    cpuNs += threadCpuNs() - cpu0;
                    return;
                }
                int px = p.rect.x + col;
                PixelResult acc{Vec3(0.f), 0};
                for (int s = 0; s < p.spp; ++s) accumulateSample(acc, traceSample(sv, p, px, py, s));
                localDiscarded += static_cast<uint64_t>(p.spp - acc.valid);
                resolvePixel(acc, &out[(static_cast<size_t>(row) * p.rect.width + col) * 4]);
            }
            int done = rowsDone.fetch_add(1) + 1;
            if (progress) progress(static_cast<double>(done) / p.rect.height);
        }
        discarded += localDiscarded;
        cpuNs += threadCpuNs() - cpu0;
    };
    int n = std::max(1, std::min(job.threads, p.rect.height));
    std::vector<std::thread> pool;
    pool.reserve(n - 1);
    for (int i = 1; i < n; ++i) pool.emplace_back(worker);
    worker();
    for (std::thread &t : pool) t.join();
    RenderStats stats;
    stats.discardedSamples = discarded.load();
    stats.cancelled = stopped.load() || cancel.load();
    stats.cpuSeconds = static_cast<double>(cpuNs.load()) * 1e-9;
    return stats;
}

}  // namespace

void validateRenderJob(const RenderJob &job) {
    const RenderParams &p = job.params;
    RF_REQUIRE(kBadOptions, p.fullWidth >= 1 && p.fullHeight >= 1 && p.fullWidth <= 65536 && p.fullHeight <= 65536,
               "frame size " << p.fullWidth << "x" << p.fullHeight << " is invalid (each side 1..65536)");
    RF_REQUIRE(kBadOptions, p.rect.width >= 1 && p.rect.height >= 1,
               "rect size " << p.rect.width << "x" << p.rect.height << " is empty");
    // Sums in 64 bits: a creator-supplied rect near INT_MAX must not wrap around and pass.
    RF_REQUIRE(kBadOptions, p.rect.x >= 0 && p.rect.y >= 0 &&
                                static_cast<int64_t>(p.rect.x) + p.rect.width <= p.fullWidth &&
                                static_cast<int64_t>(p.rect.y) + p.rect.height <= p.fullHeight,
               "rect {x: " << p.rect.x << ", y: " << p.rect.y << ", width: " << p.rect.width
                           << ", height: " << p.rect.height << "} is outside the " << p.fullWidth << "x"
                           << p.fullHeight << " frame");
    // The output buffer is rect pixels x 4 floats: bound it before anything is allocated.
    RF_REQUIRE(kBadOptions, static_cast<int64_t>(p.rect.width) * p.rect.height <= kMaxRectPixels,
               "rect " << p.rect.width << "x" << p.rect.height << " has more than " << kMaxRectPixels
                       << " pixels; split it into smaller tasks");
    RF_REQUIRE(kBadOptions, p.spp >= 1 && p.spp <= (1 << 20), "spp = " << p.spp << " is outside 1..1048576");
    RF_REQUIRE(kBadOptions, p.maxDepth >= 0 && p.maxDepth <= 1024,
               "maxDepth = " << p.maxDepth << " is outside 0..1024");
    RF_REQUIRE(kBadOptions, job.threads >= 1 && job.threads <= 4096,
               "threads = " << job.threads << " is outside 1..4096");
    const CameraRec &c = p.camera;
    RF_REQUIRE(kBadOptions, isFiniteVec(c.origin) && isFiniteVec(c.right) && isFiniteVec(c.up) &&
                                isFiniteVec(c.back),
               "camera.cameraToWorld has a value that is not a finite number");
    RF_REQUIRE(kBadOptions, length(cross(c.right, c.up)) > 1e-12f && length(c.back) > 1e-12f,
               "camera.cameraToWorld is singular");
    RF_REQUIRE(kBadOptions, std::isfinite(c.tanHalfFov) && c.tanHalfFov > 0.f,
               "camera.yfov must be between 0 and pi radians");
}

RenderStats render(Scene &scene, const RenderJob &job, std::vector<float> &out,
                   const std::atomic<bool> &cancel, const ProgressFn &progress) {
    validateRenderJob(job);
    out.assign(static_cast<size_t>(job.params.rect.width) * job.params.rect.height * 4, 0.f);
    // The one place where the backend is chosen.
    if (job.backend == Backend::kCuda) {
#if RF_HAS_CUDA
        RF_REQUIRE("ENGINE_NO_CUDA", cuda::deviceCount() > 0,
                   "no CUDA device is available (no GPU or no driver)");
        return cuda::render(scene, job, out, cancel, progress);
#else
        throw Error("ENGINE_NO_CUDA", "this engine was built without CUDA (nvcc was not found at build time)");
#endif
    }
    return renderCpu(scene, job, out, cancel, progress);
}

bool cudaCompiledIn() { return RF_HAS_CUDA != 0; }

std::vector<DeviceDesc> listDevices() {
    std::vector<DeviceDesc> list;
    DeviceDesc cpu;
    cpu.backend = "cpu";
    cpu.name = "CPU";
    cpu.threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    list.push_back(cpu);
#if RF_HAS_CUDA
    int n = cuda::deviceCount();
    for (int i = 0; i < n; ++i) list.push_back(cuda::deviceInfo(i));
#endif
    return list;
}

void intersectRays(const Scene &scene, const float *rays, size_t count, bool bruteForce,
                   float *hits, bool binaryTree) {
    const SceneView &sv = scene.view();
    for (size_t i = 0; i < count; ++i) {
        const float *r = rays + 7 * i;
        Ray ray{Vec3(r[0], r[1], r[2]), Vec3(r[3], r[4], r[5])};
        float tmax = r[6];
        Hit hit{};
        bool found = false;
        if (bruteForce) {
            float closest = tmax;
            for (int k = 0; k < sv.triCount; ++k) {
                float t, u, v;
                if (intersectTriangle(sv.tris[k], ray, closest, t, u, v)) {
                    closest = t;
                    hit = Hit{t, sv.triOrder[k], u, v};
                    found = true;
                }
            }
        } else {
            SceneView noAlpha = sv;
            noAlpha.anyAlpha = 0;
            if (binaryTree) noAlpha.nodes8 = nullptr;
            found = intersectClosest(noAlpha, ray, tmax, 0, hit);
        }
        float *h = hits + 4 * i;
        h[0] = found ? hit.t : -1.f;
        h[1] = found ? static_cast<float>(hit.tri) : -1.f;
        h[2] = found ? hit.u : 0.f;
        h[3] = found ? hit.v : 0.f;
    }
}

}  // namespace rf
