// layernorm_kernels.cuh — LayerNorm forward (saving mean and rstd per row) and backward.
//
// Forward, launch shape: one block per row (grid-stride over rows), min(256, C rounded up to a warp) threads.
// Two block reductions (mean, then the biased variance from the mean — the CPU's
// two-pass formula, which does not cancel catastrophically like E[x²] - E[x]²), then
// y = (x - mean)·rstd·w + b. Napkin math: [B·T, C] = [8192, 768] floats: read x twice
// (L1/L2 catches the second), write y: ~50 MB ≈ 20 µs at 3 TB/s.
//
// Backward, two kernels:
//  gx    — one block per row: dx = rstd·(dn - mean(dn) - n·mean(dn·n)), dn = gy·w,
//          n = (x - mean)·rstd recomputed from the saved statistics (never stored).
//  gw/gb — column sums over rows, laid out like reduce.cu's "columns" shape: block
//          (32, 8), a warp owns 32 neighbouring columns (coalesced), 8 warps and
//          gridDim.y blocks split the rows; partial sums meet in shared memory and are
//          atomically added into gw and gb (which accumulate, +=, by contract).
// Both read gy and x once each: ~2·[B·T, C] floats, plus the write of gx.
//
// The kernels only (layernorm.cu launches them). Their threads cooperate — shared memory,
// __syncthreads, warp shuffles (block.cuh) — so tests/cuda_kernels_on_host_test.cpp runs
// them on the CPU through the cooperative launch of tests/cuda_on_host.h, a fiber per
// CUDA thread: keep this file to block.cuh and plain C++.
#pragma once

#include "cuda/block.cuh"

namespace aprender::cuda {

namespace {

template <class T>
__global__ void layernorm_kernel(const T* x, const T* w, const T* b, T* y, T* mean, T* rstd, int64_t rows,
                                 int64_t cols, T eps) {
    __shared__ T scratch[32];
    for (int64_t r = blockIdx.x; r < rows; r += gridDim.x) {
        const T* xr = x + r * cols;
        T* yr = y + r * cols;
        T s = 0;
        for (int64_t j = threadIdx.x; j < cols; j += blockDim.x) s += xr[j];
        T m = block_reduce(s, scratch, SumOp{}, T(0)) / T(cols);
        T v = 0;
        for (int64_t j = threadIdx.x; j < cols; j += blockDim.x) v += (xr[j] - m) * (xr[j] - m);
        v = block_reduce(v, scratch, SumOp{}, T(0)) / T(cols);  // biased variance, as PyTorch's LayerNorm
        T rs = T(1) / sqrt(v + eps);
        for (int64_t j = threadIdx.x; j < cols; j += blockDim.x) {
            T n = (xr[j] - m) * rs;
            yr[j] = (w ? n * w[j] : n) + (b ? b[j] : T(0));
        }
        if (threadIdx.x == 0) {
            mean[r] = m;
            rstd[r] = rs;
        }
    }
}

template <class T>
__global__ void layernorm_backward_gx(const T* gy, const T* x, const T* w, const T* mean, const T* rstd, T* gx,
                                      int64_t rows, int64_t cols) {
    __shared__ T scratch[32];
    for (int64_t r = blockIdx.x; r < rows; r += gridDim.x) {
        const T* g = gy + r * cols;
        const T* xr = x + r * cols;
        T m = mean[r], rs = rstd[r];
        T sum_dn = 0, sum_dn_n = 0;
        for (int64_t j = threadIdx.x; j < cols; j += blockDim.x) {
            T n = (xr[j] - m) * rs;
            T dn = w ? g[j] * w[j] : g[j];
            sum_dn += dn;
            sum_dn_n += dn * n;
        }
        T mean_dn = block_reduce(sum_dn, scratch, SumOp{}, T(0)) / T(cols);
        T mean_dn_n = block_reduce(sum_dn_n, scratch, SumOp{}, T(0)) / T(cols);
        T* out = gx + r * cols;
        for (int64_t j = threadIdx.x; j < cols; j += blockDim.x) {
            T n = (xr[j] - m) * rs;
            T dn = w ? g[j] * w[j] : g[j];
            out[j] = rs * (dn - mean_dn - n * mean_dn_n);
        }
    }
}

template <class T>
__global__ void layernorm_backward_wb(const T* gy, const T* x, const T* mean, const T* rstd, T* gw, T* gb,
                                      int64_t rows, int64_t cols) {
    __shared__ T sw[8][33], sb[8][33];
    int64_t j = (int64_t)blockIdx.x * 32 + threadIdx.x;
    T aw = 0, ab = 0;
    if (j < cols)
        for (int64_t r = (int64_t)blockIdx.y * 8 + threadIdx.y; r < rows; r += (int64_t)gridDim.y * 8) {
            T g = gy[r * cols + j];
            aw += g * (x[r * cols + j] - mean[r]) * rstd[r];
            ab += g;
        }
    sw[threadIdx.y][threadIdx.x] = aw;
    sb[threadIdx.y][threadIdx.x] = ab;
    __syncthreads();
    if (threadIdx.y == 0 && j < cols) {
        for (int k = 1; k < 8; ++k) {
            aw += sw[k][threadIdx.x];
            ab += sb[k][threadIdx.x];
        }
        if (gw) atomicAdd(gw + j, aw);
        if (gb) atomicAdd(gb + j, ab);
    }
}

}  // namespace

// layernorm_backward_wb's grid: 32 columns per block along x; along y, enough blocks to
// give the GPU about 4 per SM in all, each with at least 64 rows.
struct WbGrid {
    unsigned bx, splits;
};
inline WbGrid layernorm_wb_grid(int64_t rows, int64_t cols, int num_sms) {
    int64_t bx = (cols + 31) / 32;
    int64_t target = 4 * (int64_t)std::max(num_sms, 1);
    int64_t splits = std::max<int64_t>(1, std::min<int64_t>({(target + bx - 1) / bx, (rows + 63) / 64, 65535}));
    return {(unsigned)bx, (unsigned)splits};
}

}  // namespace aprender::cuda
