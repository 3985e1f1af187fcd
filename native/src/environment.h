// Host side of background importance sampling: a piecewise-constant 2D distribution over the
// equirect map (luminance x sin(theta), with a floor so every direction stays reachable).
#pragma once

#include <vector>

#include "scene_view.h"

namespace rf {

struct EnvironmentDistribution {
    int32_t width = 0, height = 0;  // 0 x 0: sample the sphere uniformly (uniform colour)
    std::vector<float> marginalCdf;     // height + 1 entries
    std::vector<float> conditionalCdf;  // height rows of width + 1 entries
    double meanRadiance = 0;            // luminance averaged over solid angle
};

// The distribution of an RGBA8 equirect texture; meanRadiance 0 means nothing to sample.
EnvironmentDistribution buildEnvironment(const TextureRec &tex, const std::vector<uint32_t> &texels,
                                         const std::vector<float> &srgbLut, float intensity);

// The distribution of a float RGB equirect map (width x height, rows top to bottom).
EnvironmentDistribution buildEnvironment(const std::vector<float> &rgb, int32_t width, int32_t height,
                                         float intensity);

}  // namespace rf
