// block.cuh — what a block-cooperative kernel needs on top of grid.cuh: the block-wide
// reduction (warp shuffles, then shared memory between warps) and the launch shape of
// the row kernels (softmax, layernorm, cross-entropy: one block per row).
//
// Compiled by nvcc (through common.cuh) and, with no GPU, by g++ under the shim
// tests/cuda_on_host.h, whose cooperative launch runs a block's threads as fibers
// (__syncthreads a barrier, shuffles through a per-warp exchange, __shared__ static
// storage) — so the kernel headers that include this file (reduce_kernels.cuh,
// softmax_kernels.cuh, layernorm_kernels.cuh, cross_entropy_kernels.cuh) run on the host
// in tests/cuda_kernels_on_host_test.cpp. Keep it free of CUDA headers.
#pragma once

#include "cuda/grid.cuh"

#include <algorithm>
#include <cmath>
#include <cstdint>

namespace aprender::cuda {

// Sum or max of one value per thread across the block; every thread gets the result.
// Warps combine with shuffles, then warp 0 combines the warps' results from shared memory.
// `scratch` holds 32 values; blockDim.x must be a multiple of 32.
struct SumOp {
    template <class T> __device__ T operator()(T a, T b) const { return a + b; }
};
struct MaxOp {
    template <class T> __device__ T operator()(T a, T b) const { return a > b ? a : b; }
};

// Across one warp: five shuffles (a butterfly), every lane gets the result.
template <class T, class Op>
__device__ T warp_reduce(T v, Op op) {
    APRENDER_UNROLL
    for (int o = 16; o > 0; o /= 2) v = op(v, __shfl_xor_sync(0xffffffffu, v, o));
    return v;
}

template <class T, class Op>
__device__ T block_reduce(T v, T* scratch, Op op, T identity) {
    int lane = threadIdx.x % 32, warp = threadIdx.x / 32, warps = blockDim.x / 32;
    v = warp_reduce(v, op);
    __syncthreads();  // scratch may still be read by a previous call
    if (lane == 0) scratch[warp] = v;
    __syncthreads();
    v = lane < warps ? scratch[lane] : identity;
    return warp_reduce(v, op);
}

// The two passes of a numerically stable softmax over one row of n values, by the whole
// block: the row's max m, then sum_j exp(x_j - m), which cannot overflow. softmax and
// cross-entropy both start this way; every thread gets both numbers.
template <class T>
struct RowExpSum {
    T max, sum;
};
template <class T>
__device__ RowExpSum<T> row_exp_sum(const T* x, int64_t n, T* scratch) {
    T mx = -INFINITY;
    for (int64_t j = threadIdx.x; j < n; j += blockDim.x) mx = max(mx, x[j]);
    mx = block_reduce(mx, scratch, MaxOp{}, T(-INFINITY));
    T sum = 0;
    for (int64_t j = threadIdx.x; j < n; j += blockDim.x) sum += exp(x[j] - mx);
    return {mx, block_reduce(sum, scratch, SumOp{}, T(0))};
}

// The same two passes by one warp, each lane taking every 32nd value from `lane` on.
template <class T>
__device__ RowExpSum<T> warp_row_exp_sum(const T* x, int64_t n, int lane) {
    T mx = -INFINITY;
    for (int64_t j = lane; j < n; j += 32) mx = max(mx, x[j]);
    mx = warp_reduce(mx, MaxOp{});
    T sum = 0;
    for (int64_t j = lane; j < n; j += 32) sum += exp(x[j] - mx);
    return {mx, warp_reduce(sum, SumOp{})};
}

// The row kernels' launch shape: min(256, cols rounded up to a warp) threads striding
// along a row, one block per row (at most 65536, then a grid stride over the rows).
inline int row_threads(int64_t cols) { return (int)std::min<int64_t>(256, std::max<int64_t>(32, (cols + 31) / 32 * 32)); }
inline unsigned row_blocks(int64_t rows) { return (unsigned)std::max<int64_t>(1, std::min<int64_t>(rows, 65536)); }

// Short rows get one warp each instead (softmax_kernels.cuh): 256 threads, 8 rows per
// block, at most 65536 blocks, then a grid stride over the rows.
constexpr int64_t kWarpRowMaxCols = 1024;
inline unsigned warp_row_blocks(int64_t rows) {
    return (unsigned)std::max<int64_t>(1, std::min<int64_t>((rows + 7) / 8, 65536));
}

}  // namespace aprender::cuda
