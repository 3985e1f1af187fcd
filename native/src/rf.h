// Common definitions for the Rayfarm path tracer. The CPU/GPU switch lives here and only here:
// every function that runs on both sides is marked RF_CPU_GPU.
#pragma once

#include <cstdint>

#if defined(__CUDACC__)
#define RF_CPU_GPU __host__ __device__
#define RF_FORCEINLINE __forceinline__
#else
#define RF_CPU_GPU
#define RF_FORCEINLINE inline __attribute__((always_inline))
#endif

#ifndef RF_HAS_CUDA
#define RF_HAS_CUDA 0
#endif

#if defined(__CUDA_ARCH__)
#define RF_IS_GPU_CODE 1
#else
#define RF_IS_GPU_CODE 0
#endif

// Index of the lowest set bit of a non-zero mask.
RF_CPU_GPU RF_FORCEINLINE int lowestBit(unsigned mask) {
#if RF_IS_GPU_CODE
    return __ffs(static_cast<int>(mask)) - 1;
#else
    return __builtin_ctz(mask);
#endif
}

// A BVH node's crossed inner children in the order the walk pushes them, far to near by their
// entry distance t: a and b, then the rest of `inner`, sorted stably (on a tie the lower slot
// goes deeper). Fills order[0..count) and returns count. The nearest is order[count - 1].
RF_CPU_GPU RF_FORCEINLINE int orderFarToNear(int a, int b, unsigned inner, const float *t, int order[8]) {
    order[0] = a;
    order[1] = b;
    int count = 2;
    for (; inner; inner &= inner - 1) order[count++] = lowestBit(inner);
    for (int i = 1; i < count; ++i) {
        int k = order[i];
        int j = i - 1;
        while (j >= 0 && t[order[j]] < t[k]) {
            order[j + 1] = order[j];
            --j;
        }
        order[j + 1] = k;
    }
    return count;
}

#include <sstream>
#include <stdexcept>
#include <string>

namespace rf {

// Every error the engine raises. The addon lives inside the app's main process, so nothing
// here may abort or exit: bad input and broken invariants become JS exceptions.
class Error : public std::runtime_error {
  public:
    Error(const std::string &code, const std::string &message)
        : std::runtime_error(message), code_(code) {}
    const std::string &code() const { return code_; }

  private:
    std::string code_;
};

}  // namespace rf

// An invariant check that throws (never aborts).
#define CHECK(cond)                                                                          \
    do {                                                                                     \
        if (!(cond))                                                                         \
            throw ::rf::Error("ENGINE_INTERNAL", std::string("internal check failed: ") + \
                                                     #cond + " at " + __FILE__ + ":" +     \
                                                     std::to_string(__LINE__));            \
    } while (0)

// Input validation: throws ENGINE_BAD_SCENE (or the given code) with a streamed message.
#define RF_REQUIRE(code, cond, msg)        \
    do {                                   \
        if (!(cond)) {                     \
            std::ostringstream rfOss_;     \
            rfOss_ << msg;                 \
            throw ::rf::Error(code, rfOss_.str()); \
        }                                  \
    } while (0)
