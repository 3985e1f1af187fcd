#!/bin/sh
# Builds native/build-cuda/gpu_check: the engine core + CUDA backend without Node, for a quick
# CPU-vs-CUDA check on a GPU machine. Run `npm run build:native` first (it makes the .o).
set -e
cd "$(dirname "$0")/.."
obj=$(ls -t build-cuda/cuda_backend-*.o | head -1)
lib=${CUDA_LIB:-/usr/local/cuda/lib64}
g++ -std=c++17 -O3 -fno-math-errno -ffp-contract=off -march=x86-64-v2 -DRF_HAS_CUDA=1 -pthread \
    tools/gpu_check.cc src/scene.cc src/environment.cc src/bvh.cc src/bvh4.cc src/render.cc src/benchmark.cc "$obj" \
    -L"$lib" -lcudart_static -ldl -lrt -o build-cuda/gpu_check
echo "built native/build-cuda/gpu_check"
