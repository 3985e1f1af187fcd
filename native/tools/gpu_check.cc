// Standalone CPU-vs-CUDA check (no Node needed): renders the benchmark scene on both backends,
// compares the images and prints one JSON line. Built by native/tools/build-gpu-check.sh.
#include <chrono>
#include <cmath>
#include <cstdio>
#include <thread>

#include "../src/benchmark.h"

using namespace rf;

static double timeRender(Scene &scene, const RenderJob &job, std::vector<float> &out) {
    std::atomic<bool> never{false};
    auto t0 = std::chrono::steady_clock::now();
    render(scene, job, out, never, nullptr);
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

int main(int argc, char **argv) {
    int w = argc > 1 ? atoi(argv[1]) : 256, h = argc > 2 ? atoi(argv[2]) : 256;
    int spp = argc > 3 ? atoi(argv[3]) : 16;
    try {
        std::vector<DeviceDesc> devs = listDevices();
        for (const DeviceDesc &d : devs)
            printf("{\"device\":\"%s\",\"backend\":\"%s\",\"memory\":%llu}\n", d.name.c_str(), d.backend.c_str(),
                   static_cast<unsigned long long>(d.memory));
        Scene scene(makeBenchmarkScene());
        RenderJob job;
        job.params = benchmarkParams(w, h, spp);
        job.threads = static_cast<int>(std::thread::hardware_concurrency());
        std::vector<float> cpu, gpu, gpu2;
        double tc = timeRender(scene, job, cpu);
        if (devs.size() < 2) {
            printf("{\"error\":\"no CUDA device\",\"cpuSeconds\":%f}\n", tc);
            return 2;
        }
        job.backend = Backend::kCuda;
        RenderJob warm = job;
        warm.params.spp = 1;
        timeRender(scene, warm, gpu);
        double tg = timeRender(scene, job, gpu);
        timeRender(scene, job, gpu2);
        size_t same = 0, close = 0, n = cpu.size() / 4;
        double lc = 0, lg = 0;
        for (size_t i = 0; i < n; ++i) {
            bool s = true, c = true;
            for (int k = 0; k < 3; ++k) {
                float a = cpu[4 * i + k], b = gpu[4 * i + k];
                s = s && a == b;
                c = c && std::fabs(a - b) <= 1e-3f * std::fmax(1.f, std::fabs(a));
            }
            same += s;
            close += c;
            lc += 0.2126 * cpu[4 * i] + 0.7152 * cpu[4 * i + 1] + 0.0722 * cpu[4 * i + 2];
            lg += 0.2126 * gpu[4 * i] + 0.7152 * gpu[4 * i + 1] + 0.0722 * gpu[4 * i + 2];
        }
        bool repeat = gpu == gpu2;
        double samples = static_cast<double>(w) * h * spp;
        printf("{\"width\":%d,\"height\":%d,\"spp\":%d,\"cpuThreads\":%d,\"cpuSeconds\":%.4f,\"cudaSeconds\":%.4f,"
               "\"cpuSamplesPerSecond\":%.0f,\"cudaSamplesPerSecond\":%.0f,\"speedup\":%.2f,"
               "\"identicalPixels\":%.4f,\"closePixels\":%.4f,\"cpuMeanLum\":%.5f,\"cudaMeanLum\":%.5f,"
               "\"cudaRepeatIdentical\":%s}\n",
               w, h, spp, job.threads, tc, tg, samples / tc, samples / tg, tc / tg, double(same) / n,
               double(close) / n, lc / n, lg / n, repeat ? "true" : "false");
        return repeat && std::fabs(lc - lg) / lc < 0.02 ? 0 : 1;
    } catch (const Error &e) {
        printf("{\"error\":\"%s: %s\"}\n", e.code().c_str(), e.what());
        return 3;
    }
}
