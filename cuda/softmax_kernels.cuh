// softmax_kernels.cuh — softmax / log_softmax along rows (optionally causal), and the backward.
//
// Launch shape, long rows (cols > 1024): one block per row (grid-stride over rows),
// min(256, cols rounded up to a warp) threads striding along the row. Forward: a block
// max, a block sum of exp(x - max), then the write — the row is read three times, but a
// row of a few thousand floats stays in L1/L2, so DRAM sees it about once.
// Short rows (cols ≤ 1024, attention's scores): one warp per row, 8 rows per block of 256
// threads, the same three passes with lanes striding by 32, reduced by shuffles alone. A
// block per row would spend most of its time at the barriers of its two block-wide
// reductions for a few hundred values, with only 8 rows on an SM at a time instead of 64.
// On an H200, the block-per-row kernels took 1.9 ms of a medium GPT step (98,304 rows of
// 256), PyTorch's warp-per-row ones 0.8 ms (bench/RESULTS.md); this path came after that
// run and has not been timed on a GPU yet.
// Causal: row r of each [T, T] block sees columns j <= r % T; the rest are written as 0
// (log: -inf).
//
// Napkin math: attention scores [B·H·T, T] for B=8, H=12, T=1024 are 100 M floats:
// one read + one write = 800 MB ≈ 0.3 ms at 3 TB/s, per direction. (A fused
// "flash" attention never writes them at all; that is the next step, not this one.)
//
// The kernels only (softmax.cu launches them). Their threads cooperate — shared memory,
// __syncthreads, warp shuffles (block.cuh) — so tests/cuda_kernels_on_host_test.cpp runs
// them on the CPU through the cooperative launch of tests/cuda_on_host.h, a fiber per
// CUDA thread: keep this file to block.cuh and plain C++.
#pragma once

#include "cuda/block.cuh"

namespace aprender::cuda {

namespace {

// One row's output from its max and sum of exponentials, each thread writing every
// `step`-th column from `first` (the block's threads, or a warp's lanes). Columns past
// `visible` (causal) get probability 0, log-probability -inf.
template <class T>
__device__ void write_row(const T* xr, T* yr, int64_t cols, int64_t visible, RowExpSum<T> row, bool log_out,
                          int64_t first, int64_t step) {
    if (log_out) {
        T lse = row.max + log(row.sum);
        for (int64_t j = first; j < cols; j += step) yr[j] = j < visible ? xr[j] - lse : T(-INFINITY);
    } else {
        T inv = T(1) / row.sum;
        for (int64_t j = first; j < cols; j += step) yr[j] = j < visible ? exp(xr[j] - row.max) * inv : T(0);
    }
}

template <class T>
__global__ void softmax_kernel(const T* x, T* y, int64_t rows, int64_t cols, bool log_out, bool causal) {
    __shared__ T scratch[32];
    for (int64_t r = blockIdx.x; r < rows; r += gridDim.x) {
        const T* xr = x + r * cols;
        T* yr = y + r * cols;
        int64_t visible = causal ? (r % cols) + 1 : cols;
        write_row(xr, yr, cols, visible, row_exp_sum(xr, visible, scratch), log_out, threadIdx.x, blockDim.x);
    }
}

// One warp per row: the warp's rows are r = its index in the grid, then every
// (warps in the grid)-th; all 32 lanes take the same rows, so every shuffle has them all.
template <class T>
__global__ void softmax_warp_kernel(const T* x, T* y, int64_t rows, int64_t cols, bool log_out, bool causal) {
    int lane = threadIdx.x % 32;
    int64_t warps = (int64_t)gridDim.x * (blockDim.x / 32);
    for (int64_t r = (int64_t)blockIdx.x * (blockDim.x / 32) + threadIdx.x / 32; r < rows; r += warps) {
        const T* xr = x + r * cols;
        T* yr = y + r * cols;
        int64_t visible = causal ? (r % cols) + 1 : cols;
        write_row(xr, yr, cols, visible, warp_row_exp_sum(xr, visible, lane), log_out, lane, 32);
    }
}

// log:  gx = gy - softmax(x) * sum(gy), with softmax(x) = exp(y)
// else: gx = y * (gy - sum(gy * y))
template <class T>
__global__ void softmax_backward_kernel(const T* y, const T* gy, T* gx, int64_t rows, int64_t cols, bool log_out) {
    __shared__ T scratch[32];
    for (int64_t r = blockIdx.x; r < rows; r += gridDim.x) {
        const T* yr = y + r * cols;
        const T* gr = gy + r * cols;
        T* out = gx + r * cols;
        T s = 0;
        for (int64_t j = threadIdx.x; j < cols; j += blockDim.x) s += log_out ? gr[j] : gr[j] * yr[j];
        s = block_reduce(s, scratch, SumOp{}, T(0));
        for (int64_t j = threadIdx.x; j < cols; j += blockDim.x)
            out[j] = log_out ? gr[j] - exp(yr[j]) * s : yr[j] * (gr[j] - s);
    }
}

// The backward of short rows, one warp per row (as softmax_warp_kernel).
template <class T>
__global__ void softmax_backward_warp_kernel(const T* y, const T* gy, T* gx, int64_t rows, int64_t cols, bool log_out) {
    int lane = threadIdx.x % 32;
    int64_t warps = (int64_t)gridDim.x * (blockDim.x / 32);
    for (int64_t r = (int64_t)blockIdx.x * (blockDim.x / 32) + threadIdx.x / 32; r < rows; r += warps) {
        const T* yr = y + r * cols;
        const T* gr = gy + r * cols;
        T* out = gx + r * cols;
        T s = 0;
        for (int64_t j = lane; j < cols; j += 32) s += log_out ? gr[j] : gr[j] * yr[j];
        s = warp_reduce(s, SumOp{});
        for (int64_t j = lane; j < cols; j += 32) out[j] = log_out ? gr[j] - exp(yr[j]) * s : yr[j] * (gr[j] - s);
    }
}

}  // namespace

}  // namespace aprender::cuda
