// gather_kernels.cuh — gather along one axis (out[..j..] = x[.. index[..j..] ..]) and its
// backward, scatter_add (gx[.. index ..] += gout).
//
// Launch shape: one thread per element of `index` (out has index's shape), 256 per
// block, grid-stride; the n-d layout walks x (with its `dim` stride zeroed: the index
// supplies that coordinate), index and out together. An index outside [0, size of dim)
// is recorded in the error word and thrown by the host, at its next synchronisation, with
// the CPU's message; scatter_add skips such an index and records it too (the forward pass
// checked the indices, so one found here was changed since — the CPU throws for it as well).
// scatter_add uses atomicAdd: several positions may point at the same element.
//
// Napkin math: per element one 4-byte index read, one data read (scattered along dim:
// up to one 32-byte sector each) and one write — a few µs for the sizes aprender uses
// (index_select of rows, picking logits).
//
// The kernels only (gather.cu launches them). Each thread works alone: no shared memory,
// no __syncthreads, no shuffles. So tests/cuda_kernels_on_host_test.cpp runs this file on
// the CPU too, through tests/cuda_on_host.h: keep it to grid.cuh and plain C++.
#pragma once

#include "cuda/grid.cuh"

namespace aprender::cuda {

namespace {

template <class T>
__global__ void gather_kernel(NdLayout<3> L, const T* x, int64_t dim_stride, int64_t dim_size, const int32_t* index,
                              T* out, unsigned long long* error) {
    APRENDER_GRID_STRIDE(i, L.numel) {
        int64_t off[3];
        nd_offsets(L, i, off);
        int32_t k = index[off[1]];
        if (k < 0 || k >= dim_size) {
            record_error(error, i, k);
            out[off[2]] = T(0);
        } else {
            out[off[2]] = x[off[0] + (int64_t)k * dim_stride];
        }
    }
}

template <class T>
__global__ void scatter_add_kernel(NdLayout<3> L, T* gx, int64_t dim_stride, int64_t dim_size, const int32_t* index,
                                   const T* gout, unsigned long long* error) {
    APRENDER_GRID_STRIDE(i, L.numel) {
        int64_t off[3];
        nd_offsets(L, i, off);
        int32_t k = index[off[1]];
        if (k >= 0 && k < dim_size) atomicAdd(gx + off[0] + (int64_t)k * dim_stride, gout[off[2]]);
        else record_error(error, i, k);
    }
}

}  // namespace

}  // namespace aprender::cuda
