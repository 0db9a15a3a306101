// grid.cuh — what a kernel whose threads work alone needs: the launch size, the
// grid-stride loop, n-d offsets and the error word of the index checks.
//
// Compiled by nvcc (through common.cuh) and, with no GPU, by g++ under the shim
// tests/cuda_on_host.h, which defines __global__ and friends away and supplies threadIdx,
// blockIdx, atomicAdd, ... — so the kernel headers (*_kernels.cuh) that include only this
// file run on the host in tests/cuda_kernels_on_host_test.cpp. Keep it free of CUDA
// headers, shared memory, __syncthreads and warp shuffles (those go in block.cuh).
#pragma once

#include "cuda/layout.h"

#include <algorithm>
#include <cstdint>

#if defined(__CUDACC__)
#define APRENDER_UNROLL _Pragma("unroll")
#else
#define APRENDER_UNROLL
#endif

namespace aprender::cuda {

constexpr int kThreads = 256;  // threads per block for the elementwise kernels

// Enough blocks to cover n elements, at most 65536: the kernels loop with a grid
// stride past that, so one launch shape fits any n (llm.c's and CUB's habit).
inline unsigned blocks_for(int64_t n, int threads = kThreads) {
    int64_t b = (n + threads - 1) / threads;
    return (unsigned)std::max<int64_t>(1, std::min<int64_t>(b, 65536));
}

#define APRENDER_GRID_STRIDE(i, n) \
    for (int64_t i = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; i < (n); i += (int64_t)gridDim.x * blockDim.x)

// Element offsets of linear position i (row-major over L's shape) for every operand.
//
// The divisions are most of an n-d kernel's arithmetic, and a GPU has no 64-bit integer
// divider: 64-bit / and % are software routines, several times the cost of 32-bit ones.
// So a layout of fewer than 2^32 elements — every one a model here makes — divides in 32
// bits; the offsets, which strides can make large, stay 64-bit. (L.numel is the same for
// every thread, so the branch never splits a warp.) Measured on an H200 over one medium
// GPT step (bench/RESULTS.md): the copy kernels took 2.91 ms instead of 3.25, the binary
// ones 1.38 instead of 1.60 — a modest gain: these kernels are mostly waiting on memory.
template <int N>
__device__ __forceinline__ void nd_offsets(const NdLayout<N>& L, int64_t i, int64_t (&off)[N]) {
    APRENDER_UNROLL
    for (int k = 0; k < N; ++k) off[k] = 0;
    if (L.numel <= (int64_t)UINT32_MAX) {  // then i and every size fit in 32 bits
        uint32_t j = (uint32_t)i;
        for (int d = L.rank - 1; d >= 0; --d) {
            uint32_t n = (uint32_t)L.size[d];
            uint32_t c = j % n;
            j /= n;
            APRENDER_UNROLL
            for (int k = 0; k < N; ++k) off[k] += (int64_t)c * L.stride[k][d];
        }
        return;
    }
    for (int d = L.rank - 1; d >= 0; --d) {
        int64_t n = L.size[d];
        int64_t c = i % n;
        i /= n;
        APRENDER_UNROLL
        for (int k = 0; k < N; ++k) off[k] += c * L.stride[k][d];
    }
}

// Record a bad index: the smallest position wins (see kNoError in layout.h).
__device__ __forceinline__ void record_error(unsigned long long* error, int64_t position, int32_t value) {
    unsigned long long key = ((unsigned long long)position << 32) | (uint32_t)value;
    atomicMin(error, key);
}

}  // namespace aprender::cuda
