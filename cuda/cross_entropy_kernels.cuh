// cross_entropy_kernels.cuh — fused softmax + negative log-likelihood per row, and its backward.
//
// Forward, launch shape: one block per row (grid-stride over rows), min(256, V rounded up to a warp) threads:
// a block max, a block sum of exp(x - max), then lse = max + log(sum) and
// loss = lse - x[target] (0 for ignore_index). The probabilities are never stored.
// A target outside [0, V) is recorded in the error word (record_error in grid.cuh) and thrown by the
// host, at its next synchronisation, with the CPU's message; the backward never indexes
// with a target (it compares it with the column), so a bad one cannot write astray.
//
// Backward: one block per row, glogits = scale·(exp(x - lse) - onehot(target)), with
// lse saved by the forward, so the row is read once and written once.
//
// Napkin math: logits [B·T, V] = [8192, 50257] floats are 1.6 GB: the forward reads
// them once (~0.55 ms at 3 TB/s, the rows fit in L2 for the second pass), the backward
// reads and writes them once (~1.1 ms). llm.c fuses both into one kernel; we keep the
// backward separate because autograd calls it later.
//
// The kernels only (cross_entropy.cu launches them). Their threads cooperate — shared memory,
// __syncthreads, warp shuffles (block.cuh) — so tests/cuda_kernels_on_host_test.cpp runs
// them on the CPU through the cooperative launch of tests/cuda_on_host.h, a fiber per
// CUDA thread: keep this file to block.cuh and plain C++.
#pragma once

#include "cuda/block.cuh"

namespace aprender::cuda {

namespace {

template <class T>
__global__ void cross_entropy_kernel(const T* logits, const int32_t* targets, int64_t rows, int64_t cols,
                                     int32_t ignore, T* loss, T* lse, unsigned long long* error) {
    __shared__ T scratch[32];
    for (int64_t r = blockIdx.x; r < rows; r += gridDim.x) {
        const T* x = logits + r * cols;
        auto [mx, s] = row_exp_sum(x, cols, scratch);
        if (threadIdx.x == 0) {
            T l = mx + log(s);
            int32_t t = targets[r];
            bool bad = t != ignore && (t < 0 || t >= cols);
            if (bad) record_error(error, r, t);
            lse[r] = l;
            loss[r] = (t == ignore || bad) ? T(0) : l - x[t];
        }
    }
}

template <class T>
__global__ void cross_entropy_backward_kernel(const T* logits, const int32_t* targets, const T* lse, int64_t rows,
                                              int64_t cols, int32_t ignore, T scale, T* g) {
    for (int64_t r = blockIdx.x; r < rows; r += gridDim.x) {
        const T* x = logits + r * cols;
        T* gr = g + r * cols;
        int32_t t = targets[r];
        T l = lse[r];
        for (int64_t j = threadIdx.x; j < cols; j += blockDim.x) {
            if (t == ignore) {
                gr[j] = T(0);
                continue;
            }
            T v = scale * exp(x[j] - l);
            gr[j] = j == t ? v - scale : v;  // the CPU's order: write, then subtract at the target
        }
    }
}

}  // namespace

}  // namespace aprender::cuda
