// adamw_kernels.cuh — the AdamW update, in place on p, m and v: over one parameter tensor
// (adamw_kernel), or over up to kAdamWChunk tensors in one launch (adamw_many_kernel).
//
// Launch shape: one thread per element, 256 per block, grid-stride. adamw_many_kernel
// takes a chunk of tensors by value (their pointers, sizes and hyperparameters fit in a
// kernel's 4 KB of arguments) and gives each tensor a row of blocks, gridDim.y = the
// number of tensors: a GPT's ~100 parameter tensors are 4 launches, not ~100 of ~3 µs
// each — PyTorch's "foreach" path does the same. A row's blocks beyond its tensor's size
// exit at once.
//
// Napkin math: per float element read p, g, m, v (16 B) and write p, m, v (12 B):
// 28 B. GPT-2 small's 124 M parameters: 3.5 GB per step, ≈ 1.2 ms at 3 TB/s. The
// arithmetic (a sqrt and a few multiplies) is free next to that.
//
// The kernels only (adamw.cu launches them). Each thread works alone: no shared memory,
// no __syncthreads, no shuffles. So tests/cuda_kernels_on_host_test.cpp runs this file on
// the CPU too, through tests/cuda_on_host.h: keep it to grid.cuh and plain C++.
#pragma once

#include "cuda/grid.cuh"

namespace aprender::cuda {

// One tensor's update, with its hyperparameters (the step count t, and so the bias
// corrections 1 - beta^t, is each parameter's own).
template <class T>
struct AdamWArgs {
    T* p;
    const T* g;
    T* m;
    T* v;
    int64_t n;
    T b1, b2, lr, eps, wd, bc1, bc2;
};

constexpr int kAdamWChunk = 32;
template <class T>
struct AdamWChunk {
    AdamWArgs<T> t[kAdamWChunk];
};

namespace {

// The CPU's formula, line for line (autograd/cpu/adamw.cpp).
template <class T>
__device__ __forceinline__ void adamw_element(const AdamWArgs<T>& a, int64_t i) {
    T gi = a.g[i];
    T mi = a.b1 * a.m[i] + (T(1) - a.b1) * gi;
    T vi = a.b2 * a.v[i] + (T(1) - a.b2) * gi * gi;
    a.m[i] = mi;
    a.v[i] = vi;
    T mhat = mi / a.bc1, vhat = vi / a.bc2;
    // decoupled weight decay (Loshchilov & Hutter): shrink p, then the Adam step
    a.p[i] -= a.lr * (a.wd * a.p[i] + mhat / (sqrt(vhat) + a.eps));
}

template <class T>
__global__ void adamw_kernel(AdamWArgs<T> a) {
    APRENDER_GRID_STRIDE(i, a.n) adamw_element(a, i);
}

// Row blockIdx.y of the grid updates tensor blockIdx.y of the chunk.
template <class T>
__global__ void adamw_many_kernel(AdamWChunk<T> chunk) {
    const AdamWArgs<T>& a = chunk.t[blockIdx.y];
    APRENDER_GRID_STRIDE(i, a.n) adamw_element(a, i);
}

}  // namespace

}  // namespace aprender::cuda
