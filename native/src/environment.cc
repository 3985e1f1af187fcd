#include "environment.h"

#include "texture.h"

#include <cmath>

namespace rf {

namespace {

// Shared by both map kinds: the CDFs from per-texel luminance (already times the intensity).
EnvironmentDistribution fromLuminance(const std::vector<double> &lum, int w, int h, int wrapS) {
    EnvironmentDistribution env;
    // Weight of a cell = the integral of the bilinearly filtered radiance over it (3/4 of the
    // texel itself and 1/8 of each neighbour per axis), so samples follow what lookups return.
    const double k1[3] = {0.125, 0.75, 0.125};
    std::vector<double> weight(static_cast<size_t>(w) * h);
    double sum = 0, solidSum = 0, lumSum = 0;
    for (int y = 0; y < h; ++y) {
        double sinTheta = std::sin(kPi * (y + 0.5) / h);
        for (int x = 0; x < w; ++x) {
            double v = 0;
            for (int dy = -1; dy <= 1; ++dy) {
                int yy = y + dy < 0 ? 0 : (y + dy >= h ? h - 1 : y + dy);
                for (int dx = -1; dx <= 1; ++dx) {
                    int xx = wrapCoord(x + dx, w, wrapS);
                    v += k1[dy + 1] * k1[dx + 1] * lum[static_cast<size_t>(yy) * w + xx];
                }
            }
            weight[static_cast<size_t>(y) * w + x] = v * sinTheta;
            lumSum += v * sinTheta;
            solidSum += sinTheta;
        }
    }
    env.meanRadiance = solidSum > 0 ? lumSum / solidSum : 0;
    if (!(env.meanRadiance > 0)) return env;
    // A floor keeps every texel (and so every direction the bilinear lookup lights) reachable.
    double floorWeight = 1e-3 * lumSum / (static_cast<double>(w) * h);
    env.width = w;
    env.height = h;
    env.conditionalCdf.assign(static_cast<size_t>(h) * (w + 1), 0.f);
    env.marginalCdf.assign(h + 1, 0.f);
    std::vector<double> rowSum(h, 0.0);
    for (int y = 0; y < h; ++y) {
        double sinTheta = std::sin(kPi * (y + 0.5) / h);
        double acc = 0;
        float *cdf = &env.conditionalCdf[static_cast<size_t>(y) * (w + 1)];
        for (int x = 0; x < w; ++x) {
            acc += weight[static_cast<size_t>(y) * w + x] + floorWeight * sinTheta;
            cdf[x + 1] = static_cast<float>(acc);
        }
        for (int x = 1; x <= w; ++x) cdf[x] = static_cast<float>(cdf[x] / acc);
        cdf[w] = 1.f;
        rowSum[y] = acc;
        sum += acc;
    }
    double acc = 0;
    for (int y = 0; y < h; ++y) {
        acc += rowSum[y];
        env.marginalCdf[y + 1] = static_cast<float>(acc / sum);
    }
    env.marginalCdf[h] = 1.f;
    return env;
}

}  // namespace

EnvironmentDistribution buildEnvironment(const TextureRec &tex, const std::vector<uint32_t> &texels,
                                         const std::vector<float> &srgbLut, float intensity) {
    int w = tex.width, h = tex.height;
    std::vector<double> lum(static_cast<size_t>(w) * h);
    for (int y = 0; y < h; ++y) {
        for (int x = 0; x < w; ++x) {
            uint32_t p = texels[tex.offset + static_cast<size_t>(y) * w + x];
            double c[3];
            for (int k = 0; k < 3; ++k) {
                uint32_t b = (p >> (8 * k)) & 255u;
                c[k] = tex.srgb ? srgbLut[b] : b / 255.0;
            }
            lum[static_cast<size_t>(y) * w + x] = (0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2]) * intensity;
        }
    }
    return fromLuminance(lum, w, h, tex.wrapS);
}

EnvironmentDistribution buildEnvironment(const std::vector<float> &rgb, int32_t width, int32_t height,
                                         float intensity) {
    std::vector<double> lum(static_cast<size_t>(width) * height);
    for (size_t i = 0; i < lum.size(); ++i)
        lum[i] = (0.2126 * rgb[3 * i] + 0.7152 * rgb[3 * i + 1] + 0.0722 * rgb[3 * i + 2]) * intensity;
    return fromLuminance(lum, width, height, kWrapRepeat);
}

}  // namespace rf
