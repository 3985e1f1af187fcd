// Counter-based random numbers: the stream of a sample depends only on (seed, px, py, sample),
// and each draw on its dimension index. No state is shared between pixels, so tiles, thread
// counts and backends never change which numbers a sample sees.
#pragma once

#include "rf.h"

namespace rf {

RF_CPU_GPU RF_FORCEINLINE uint64_t mix64(uint64_t z) {
    // splitmix64 finaliser
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

RF_CPU_GPU RF_FORCEINLINE uint64_t hashSample(uint64_t seed, uint32_t px, uint32_t py,
                                              uint32_t sample) {
    uint64_t h = mix64(seed ^ 0x9E3779B97F4A7C15ull);
    h = mix64(h ^ (static_cast<uint64_t>(px) << 32 | py));
    return mix64(h + static_cast<uint64_t>(sample) * 0xD1B54A32D192ED03ull);
}

// A 24-bit uniform float in [0, 1).
RF_CPU_GPU RF_FORCEINLINE float bitsToFloat(uint64_t h) {
    return static_cast<float>(static_cast<uint32_t>(h >> 40)) * (1.f / 16777216.f);
}

class Sampler {
  public:
    RF_CPU_GPU Sampler(uint64_t seed, uint32_t px, uint32_t py, uint32_t sample)
        : key_(hashSample(seed, px, py, sample)), dim_(0) {}
    RF_CPU_GPU float get1D() {
        return bitsToFloat(mix64(key_ + (++dim_) * 0x9E3779B97F4A7C15ull));
    }
    // A 64-bit value for decisions that must be keyed by something else too (alpha tests).
    RF_CPU_GPU uint64_t getBits() { return mix64(key_ + (++dim_) * 0x9E3779B97F4A7C15ull); }

  private:
    uint64_t key_;
    uint64_t dim_;
};

}  // namespace rf
