// reduce_kernels.cuh — sum and max over any set of axes, into an output with zero strides on
// the reduced axes (the contract of Backend::reduce).
//
// The host (cuda_backend.cpp) splits x's axes into kept ones (walked with x's and out's
// strides) and reduced ones (x's strides only). Two launch shapes, picked by layout:
//
//  columns  — the innermost kept axis is contiguous in x (e.g. a bias gradient: sum
//             over the rows of [B·T, C]). Block (32, 8): the 32 threads of a warp own
//             32 neighbouring outputs, so every load of the warp is one 128-byte line;
//             the 8 warps split the reduced range and meet in shared memory.
//  rows     — the reduced elements are the contiguous ones (sum over the last axis,
//             or over everything). One block of 256 threads per output; the threads
//             stride through the reduced range and meet in a block reduction.
//
// A long reduction with few outputs would leave the GPU idle, so the reduced range is
// also split over gridDim.y blocks (about 4 per SM in all); for sum each block then
// atomically adds its partial result. Partial sums are accumulated in double, as on
// the CPU. Consequence: with atomics the order of the final additions varies from run
// to run (differences of float32 rounding, ~1e-7 relative); max never splits.
//
// Napkin math: every element of x is read once (4 B for float32), the output written
// once: [16384, 1536] → [1536] reads 100 MB, ≈ 35 µs at 3 TB/s if coalesced — which
// is why the columns layout exists (the rows layout on it would read 4 B per 32 B sector).
//
// The kernels only (reduce.cu launches them). Their threads cooperate — shared memory,
// __syncthreads, warp shuffles (block.cuh) — so tests/cuda_kernels_on_host_test.cpp runs
// them on the CPU through the cooperative launch of tests/cuda_on_host.h, a fiber per
// CUDA thread: keep this file to block.cuh and plain C++.
#pragma once

#include "cuda/block.cuh"

#include <limits>

namespace aprender::cuda {

namespace {

template <class T>
__device__ __forceinline__ bool is_nan(T v) { return v != v; }

// max that lets a NaN win, as the CPU's `if (v > o || isnan(v)) o = v`
struct NanMax {
    template <class T>
    __device__ T operator()(T a, T b) const { return is_nan(a) ? a : is_nan(b) ? b : (a > b ? a : b); }
};

template <class T, bool SUM>
__device__ __forceinline__ void store(T* out, double acc_sum, T acc_max, bool split) {
    if constexpr (SUM) {
        if (split) atomicAdd(out, static_cast<T>(acc_sum));
        else *out += static_cast<T>(acc_sum);
    } else {
        *out = acc_max;
    }
}

// kept: 0 = x, 1 = out; reduced: 0 = x
template <class T, bool SUM>
__global__ void reduce_columns(NdLayout<2> kept, NdLayout<1> reduced, const T* x, T* out, T lowest) {
    __shared__ double ssum[8][33];
    __shared__ T smax[8][33];
    int64_t o = (int64_t)blockIdx.x * 32 + threadIdx.x;
    bool active = o < kept.numel;
    int64_t off[2] = {0, 0};
    if (active) nd_offsets(kept, o, off);
    double s = 0;
    T m = lowest;
    if (active)
        for (int64_t r = (int64_t)blockIdx.y * 8 + threadIdx.y; r < reduced.numel; r += (int64_t)gridDim.y * 8) {
            int64_t xo[1];
            nd_offsets(reduced, r, xo);
            T v = x[off[0] + xo[0]];
            if constexpr (SUM) s += (double)v;
            else m = NanMax{}(m, v);
        }
    ssum[threadIdx.y][threadIdx.x] = s;
    smax[threadIdx.y][threadIdx.x] = m;
    __syncthreads();
    if (threadIdx.y == 0 && active) {
        for (int k = 1; k < 8; ++k) {
            s += ssum[k][threadIdx.x];
            m = NanMax{}(m, smax[k][threadIdx.x]);
        }
        store<T, SUM>(out + off[1], s, m, gridDim.y > 1);
    }
}

template <class T, bool SUM>
__global__ void reduce_rows(NdLayout<2> kept, NdLayout<1> reduced, const T* x, T* out, T lowest) {
    __shared__ double ssum[32];
    __shared__ T smax[32];
    for (int64_t o = blockIdx.x; o < kept.numel; o += gridDim.x) {
        int64_t off[2];
        nd_offsets(kept, o, off);
        double s = 0;
        T m = lowest;
        for (int64_t r = (int64_t)blockIdx.y * blockDim.x + threadIdx.x; r < reduced.numel;
             r += (int64_t)gridDim.y * blockDim.x) {
            int64_t xo[1];
            nd_offsets(reduced, r, xo);
            T v = x[off[0] + xo[0]];
            if constexpr (SUM) s += (double)v;
            else m = NanMax{}(m, v);
        }
        if constexpr (SUM) s = block_reduce(s, ssum, SumOp{}, 0.0);
        else m = block_reduce(m, smax, NanMax{}, lowest);
        if (threadIdx.x == 0) store<T, SUM>(out + off[1], s, m, gridDim.y > 1);
    }
}

}  // namespace

// The launch shape (see the top): grid (bx, splits), block (32, 8) for columns, kThreads
// for rows. The sum splits the reduced range over `splits` blocks along y (about 4 blocks
// per SM in all, each with at least 256 (columns) or 2048 (rows) elements); max never does.
struct ReduceShape {
    bool columns;
    unsigned bx, splits;
};
inline ReduceShape reduce_shape(bool sum, const NdLayout<2>& kept, const NdLayout<1>& reduced, int num_sms) {
    int64_t target_blocks = 4 * (int64_t)std::max(num_sms, 1);
    bool columns = kept.rank > 0 && kept.stride[0][kept.rank - 1] == 1;
    int64_t bx, splits;
    if (columns) {
        bx = (kept.numel + 31) / 32;
        splits = sum ? std::min<int64_t>({(target_blocks + bx - 1) / bx, (reduced.numel + 255) / 256, 65535}) : 1;
        if (bx > 0x7fffffff) fail("reduce: too many outputs for one launch");
    } else {
        bx = std::min<int64_t>(kept.numel, 65536);
        splits = sum ? std::min<int64_t>({(target_blocks + bx - 1) / bx, (reduced.numel + 2047) / 2048, 65535}) : 1;
    }
    return {columns, (unsigned)bx, (unsigned)std::max<int64_t>(splits, 1)};
}

}  // namespace aprender::cuda
