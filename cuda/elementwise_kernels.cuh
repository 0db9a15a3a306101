// elementwise_kernels.cuh — fill, strided copy with casts, unary ops and their derivatives,
// binary ops with broadcasting, where.
//
// Launch shape: one thread per output element, 256 threads per block, at most 65536
// blocks with a grid-stride loop. The op is a run-time switch: every thread of a launch
// takes the same branch, so it costs a few instructions, and one kernel per dtype keeps
// compile time and binary size small (13 unary ops would otherwise be 13 kernels).
//
// Napkin math: these kernels are memory-bound. unary reads 4 B and writes 4 B per float
// element: a GPT-2-small GELU over 8·1024·3072 floats moves 2·100 MB, ≈ 70 µs at an
// H100's ~3 TB/s. binary moves 12 B per element (a broadcast operand is re-read from
// cache, so ~8 B). An n-d layout costs one division per axis per element, or per pack of
// 16 bytes where the layout allows (copy and binary: pack_width in grid.cuh), which also
// makes each load and store one 16-byte instruction; dense tensors are merged to rank 1
// on the host (make_layout).
//
// The kernels only (elementwise.cu launches them). Each thread works alone: no shared memory,
// no __syncthreads, no shuffles. So tests/cuda_kernels_on_host_test.cpp runs this file on
// the CPU too, through tests/cuda_on_host.h: keep it to grid.cuh and plain C++.
#pragma once

#include "autograd/elementwise_math.h"
#include "cuda/grid.cuh"

#include <cmath>

namespace aprender::cuda {

namespace {

// ---- fill and copy ------------------------------------------------------------------------

template <class T>
__global__ void fill_kernel(T* dst, int64_t n, T value) {
    APRENDER_GRID_STRIDE(i, n) dst[i] = value;
}

template <class S, class D>
__global__ void copy_kernel(NdLayout<2> L, const S* src, D* dst) {
    APRENDER_GRID_STRIDE(i, L.numel) {
        int64_t off[2];
        nd_offsets(L, i, off);
        dst[off[1]] = elementwise::convert<D>(src[off[0]]);
    }
}

// Same dtype, a pack at a time (pack_width in grid.cuh): numel / W threads' worth of work.
template <class T>
__global__ void copy_packed_kernel(NdLayout<2> L, const T* src, T* dst) {
    constexpr int W = Pack<T>::width;
    APRENDER_GRID_STRIDE(p, L.numel / W) {
        int64_t off[2];
        nd_offsets(L, p * W, off);
        store_pack(dst + off[1], load_pack(src + off[0], L.stride[0][L.rank - 1]));
    }
}

// ---- unary ----------------------------------------------------------------------------------
// The formulas are autograd/elementwise_math.h, the CPU's own lines; here with CUDA's libm
// (expf, tanhf, ... for float; exp, tanh, ... for double) where the CPU uses its fastmath.
struct CudaMath {
    template <class T> __device__ static T exp(T x) { return ::exp(x); }
    template <class T> __device__ static T tanh(T x) { return ::tanh(x); }
    template <class T> __device__ static T log(T x) { return ::log(x); }
    template <class T> __device__ static T sqrt(T x) { return ::sqrt(x); }
    template <class T> __device__ static T fabs(T x) { return ::fabs(x); }
    template <class T> __device__ static T pow(T x, T a) { return ::pow(x, a); }
};
using elementwise::binary_f;

template <class T>
__global__ void unary_kernel(UnaryOp op, const T* x, T* y, int64_t n, T a, T b) {
    APRENDER_GRID_STRIDE(i, n) y[i] = elementwise::unary_f<CudaMath>(op, x[i], a, b);
}

// x or y may be null (an op's derivative reads only one of them): never dereferenced then.
template <class T>
__global__ void unary_backward_kernel(UnaryOp op, const T* x, const T* y, const T* gy, T* gx, int64_t n, T a, T b) {
    APRENDER_GRID_STRIDE(i, n) {
        T xi = x ? x[i] : T(0), yi = y ? y[i] : T(0);
        gx[i] = gy[i] * elementwise::unary_df<CudaMath>(op, xi, yi, a, b);
    }
}

// ---- binary and where -------------------------------------------------------------------------

// operands: 0 = a, 1 = b, 2 = out (contiguous)
template <class T>
__global__ void binary_kernel(BinaryOp op, NdLayout<3> L, const T* a, const T* b, T* out) {
    APRENDER_GRID_STRIDE(i, L.numel) {
        int64_t off[3];
        nd_offsets(L, i, off);
        out[off[2]] = binary_f<T>(op, a[off[0]], b[off[1]]);
    }
}

// The same, a pack at a time (pack_width in grid.cuh).
template <class T>
__global__ void binary_packed_kernel(BinaryOp op, NdLayout<3> L, const T* a, const T* b, T* out) {
    constexpr int W = Pack<T>::width;
    APRENDER_GRID_STRIDE(p, L.numel / W) {
        int64_t off[3];
        nd_offsets(L, p * W, off);
        Pack<T> x = load_pack(a + off[0], L.stride[0][L.rank - 1]), y = load_pack(b + off[1], L.stride[1][L.rank - 1]);
        Pack<T> z;
        APRENDER_UNROLL
        for (int j = 0; j < W; ++j) z.v[j] = binary_f<T>(op, x.v[j], y.v[j]);
        store_pack(out + off[2], z);
    }
}

// operands: 0 = cond, 1 = a, 2 = b, 3 = out
template <class C, class T>
__global__ void where_kernel(NdLayout<4> L, const C* cond, const T* a, const T* b, T* out) {
    APRENDER_GRID_STRIDE(i, L.numel) {
        int64_t off[4];
        nd_offsets(L, i, off);
        out[off[3]] = cond[off[0]] != C(0) ? a[off[1]] : b[off[2]];
    }
}

}  // namespace

}  // namespace aprender::cuda
