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

// Builds the distribution for the scene's background; meanRadiance 0 means nothing to sample.
EnvironmentDistribution buildEnvironment(int32_t type, Vec3 color, const TextureRec *tex,
                                         const std::vector<uint32_t> &texels,
                                         const std::vector<float> &srgbLut, float intensity);

}  // namespace rf
