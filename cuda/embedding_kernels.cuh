// embedding_kernels.cuh — row lookup out[i, :] = table[ids[i], :] and its backward.
//
// Launch shape: one thread per output element (n·cols), 256 per block, grid-stride;
// consecutive threads copy consecutive columns of one row, so reads and writes are
// coalesced. An id outside the table is recorded in the error word (record_error in grid.cuh) and its
// row written as 0; the host reads the word at its next synchronisation (cuda_backend.cpp,
// "the index checks") and throws the CPU's message. The backward skips such ids.
//
// Backward: gtable[ids[i], j] += gout[i, j] with atomicAdd, since two positions may
// hold the same token. Napkin math: [B·T, C] = [8192, 768] floats each way, ~25 MB:
// ≈ 10 µs; atomics on distinct addresses run at close to store speed, and repeated
// tokens collide only within their row. (The order of colliding additions varies
// between runs: the sums differ in the last float32 bits.)
//
// The kernels only (embedding.cu launches them). Each thread works alone: no shared memory,
// no __syncthreads, no shuffles. So tests/cuda_kernels_on_host_test.cpp runs this file on
// the CPU too, through tests/cuda_on_host.h: keep it to grid.cuh and plain C++.
#pragma once

#include "cuda/grid.cuh"

namespace aprender::cuda {

namespace {

template <class T>
__global__ void embedding_kernel(const int32_t* ids, int64_t n, const T* table, int64_t rows, int64_t cols, T* out,
                                 unsigned long long* error) {
    APRENDER_GRID_STRIDE(e, n * cols) {
        int64_t i = e / cols, j = e % cols;
        int32_t id = ids[i];
        if (id < 0 || id >= rows) {
            if (j == 0) record_error(error, i, id);
            out[e] = T(0);
        } else {
            out[e] = table[(int64_t)id * cols + j];
        }
    }
}

template <class T>
__global__ void embedding_backward_kernel(const int32_t* ids, int64_t n, const T* gout, int64_t rows, int64_t cols,
                                          T* gtable) {
    APRENDER_GRID_STRIDE(e, n * cols) {
        int64_t i = e / cols, j = e % cols;
        int32_t id = ids[i];
        if (id >= 0 && id < rows) atomicAdd(gtable + (int64_t)id * cols + j, gout[e]);  // a bad id: reported by the forward
    }
}

}  // namespace

}  // namespace aprender::cuda
