// The CUDA backend's host interface; implemented in cuda_backend.cu, compiled only with nvcc.
#pragma once

#include "render.h"

namespace rf {
namespace cuda {

// Number of usable devices; 0 when the runtime or driver is missing (never throws).
int deviceCount();
DeviceDesc deviceInfo(int index);
// Renders on device 0. Throws rf::Error with code ENGINE_CUDA on a CUDA failure.
RenderStats render(Scene &scene, const RenderJob &job, std::vector<float> &out,
                   const std::atomic<bool> &cancel, const ProgressFn &progress);

}  // namespace cuda
}  // namespace rf
