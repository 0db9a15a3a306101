// common.cuh — what every kernel file shares: launch sizes, n-d offsets, dtype dispatch,
// block-wide reductions. Device code only; included by the .cu files.
#pragma once

#include "cuda/kernels.h"

#include <cuda_runtime.h>

#include <algorithm>
#include <cstdint>

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
template <int N>
__device__ __forceinline__ void nd_offsets(const NdLayout<N>& L, int64_t i, int64_t (&off)[N]) {
#pragma unroll
    for (int k = 0; k < N; ++k) off[k] = 0;
    for (int d = L.rank - 1; d >= 0; --d) {
        int64_t n = L.size[d];
        int64_t c = i % n;
        i /= n;
#pragma unroll
        for (int k = 0; k < N; ++k) off[k] += c * L.stride[k][d];
    }
}

// Call f with a value of the C++ type for dt; `kernel` names the caller in the error.
template <class F>
void dispatch_all(DType dt, F&& f) {
    switch (dt) {
        case DType::f32: f(float{}); return;
        case DType::f64: f(double{}); return;
        case DType::i32: f(int32_t{}); return;
    }
}
template <class F>
void dispatch_float(DType dt, const char* kernel, F&& f) {
    switch (dt) {
        case DType::f32: f(float{}); return;
        case DType::f64: f(double{}); return;
        default: fail(std::string(kernel) + ": needs float32 or float64, got " + dtype_name(dt));
    }
}

// Sum or max of one value per thread across the block; every thread gets the result.
// Warps combine with shuffles, then warp 0 combines the warps' results from shared memory.
// `scratch` holds 32 values; blockDim.x must be a multiple of 32.
struct SumOp {
    template <class T> __device__ T operator()(T a, T b) const { return a + b; }
};
struct MaxOp {
    template <class T> __device__ T operator()(T a, T b) const { return a > b ? a : b; }
};

template <class T, class Op>
__device__ T block_reduce(T v, T* scratch, Op op, T identity) {
    int lane = threadIdx.x % 32, warp = threadIdx.x / 32, warps = blockDim.x / 32;
#pragma unroll
    for (int o = 16; o > 0; o /= 2) v = op(v, __shfl_xor_sync(0xffffffffu, v, o));
    __syncthreads();  // scratch may still be read by a previous call
    if (lane == 0) scratch[warp] = v;
    __syncthreads();
    v = lane < warps ? scratch[lane] : identity;
#pragma unroll
    for (int o = 16; o > 0; o /= 2) v = op(v, __shfl_xor_sync(0xffffffffu, v, o));
    return v;
}

// Record a bad index: the smallest position wins (see kNoError in kernels.h).
__device__ __forceinline__ void record_error(unsigned long long* error, int64_t position, int32_t value) {
    unsigned long long key = ((unsigned long long)position << 32) | (uint32_t)value;
    atomicMin(error, key);
}

}  // namespace aprender::cuda
