// adamw_kernels.cuh — one AdamW update over a parameter tensor, in place on p, m and v.
//
// Launch shape: one thread per element, 256 per block, grid-stride; one launch per
// parameter tensor (a GPT has ~100 of them: ~100 launches of ~3 µs each per step —
// a multi-tensor launch would fuse them, as PyTorch's "foreach" path does).
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

namespace {

// The CPU's formula, line for line (cpu_backend.cpp, adamw).
template <class T>
__global__ void adamw_kernel(T* p, const T* g, T* m, T* v, int64_t n, T b1, T b2, T lr, T eps, T wd, T bc1, T bc2) {
    APRENDER_GRID_STRIDE(i, n) {
        T gi = g[i];
        T mi = b1 * m[i] + (T(1) - b1) * gi;
        T vi = b2 * v[i] + (T(1) - b2) * gi * gi;
        m[i] = mi;
        v[i] = vi;
        T mhat = mi / bc1, vhat = vi / bc2;
        // decoupled weight decay (Loshchilov & Hutter): shrink p, then the Adam step
        p[i] -= lr * (wd * p[i] + mhat / (sqrt(vhat) + eps));
    }
}

}  // namespace

}  // namespace aprender::cuda
