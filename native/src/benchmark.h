// The built-in benchmark: a procedural Cornell-style room, fixed render settings.
#pragma once

#include "render.h"

namespace rf {

// Score scale: 100 = 1,000,000 path samples per second on this scene at these settings.
constexpr double kBenchmarkSamplesPerSecondAt100 = 1.0e6;
constexpr int kBenchmarkWidth = 256, kBenchmarkHeight = 256, kBenchmarkSpp = 16, kBenchmarkDepth = 8;

SceneDesc makeBenchmarkScene();
RenderParams benchmarkParams(int width, int height, int spp);

}  // namespace rf
