// common.cuh — what every kernel file shares: launch sizes, n-d offsets and the error
// word (grid.cuh, which g++ can compile too), dtype dispatch, block-wide reductions.
// Included by the .cu files.
#pragma once

#include "cuda/grid.cuh"
#include "cuda/kernels.h"

#include <cuda_runtime.h>

#include <algorithm>
#include <cstdint>

namespace aprender::cuda {

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

}  // namespace aprender::cuda
