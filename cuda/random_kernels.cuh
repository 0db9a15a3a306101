// random_kernels.cuh — uniform and normal numbers from Philox 4x32-10, the same numbers as the CPU.
//
// Launch shape: one thread per element, 256 per block, grid-stride. Element i calls
// philox::uniform(offset + i, seed) from autograd/random.h — the very function the CPU
// backend calls (APRENDER_HD makes it __host__ __device__), so a tensor drawn with a
// seed holds the same numbers on both devices.
//
// Napkin math: Philox is 10 rounds of two 32x32->64 multiplies per 4 numbers; the
// double-precision Box-Muller (log, sqrt, sin/cos) dominates. Still cheap next to a
// training step: drawing all 124 M weights of GPT-2 small takes milliseconds, once.
//
// Same numbers, bit for bit: the affine maps lo + (hi - lo)·u and mean + std·z go through
// philox::scale_shift, one fused multiply-add on both devices (left as a*b + c, nvcc fuses
// it and g++ fuses it or not depending on -march). CUDA's double log/sin/cos are within
// 1-2 ulp of glibc's: a normal number may differ in its last float64 bits, practically
// never after rounding to float32.
//
// The kernels only (random.cu launches them). Each thread works alone: no shared memory,
// no __syncthreads, no shuffles. So tests/cuda_kernels_on_host_test.cpp runs this file on
// the CPU too, through tests/cuda_on_host.h: keep it to grid.cuh and plain C++.
#pragma once

#include "autograd/random.h"
#include "cuda/grid.cuh"

namespace aprender::cuda {

namespace {

template <class T>
__global__ void uniform_kernel(T* dst, int64_t n, double lo, double hi, uint64_t seed, uint64_t offset) {
    APRENDER_GRID_STRIDE(i, n) {
        double u = philox::uniform(offset + (uint64_t)i, seed);
        dst[i] = static_cast<T>(philox::scale_shift(hi - lo, u, lo));
    }
}

template <class T>
__global__ void normal_kernel(T* dst, int64_t n, double mean, double std, uint64_t seed, uint64_t offset) {
    APRENDER_GRID_STRIDE(i, n) {
        double z = philox::normal(offset + (uint64_t)i, seed);
        dst[i] = static_cast<T>(philox::scale_shift(std, z, mean));
    }
}

}  // namespace

}  // namespace aprender::cuda
