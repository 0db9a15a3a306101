// elementwise.cu — fill, strided copy with casts, unary ops and their derivatives,
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
// cache, so ~8 B). An n-d layout costs one division per axis per element, hidden under
// the memory latency; dense tensors are merged to rank 1 on the host (make_layout).
#include "autograd/elementwise_math.h"
#include "cuda/common.cuh"

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
        dst[off[1]] = static_cast<D>(src[off[0]]);
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

void fill(void* dst, int64_t n, double value, DType dt) {
    if (n == 0) return;
    dispatch_all(dt, [&](auto t) {
        using T = decltype(t);
        fill_kernel<T><<<blocks_for(n), kThreads>>>(static_cast<T*>(dst), n, static_cast<T>(value));
    });
    check_launch("fill kernel");
}

void copy(const NdLayout<2>& L, const void* src, DType sdt, void* dst, DType ddt) {
    if (L.numel == 0) return;
    // dense and same dtype: one cudaMemcpy (the copy engine, no kernel)
    if (sdt == ddt && (L.rank == 0 || (L.rank == 1 && L.stride[0][0] == 1 && L.stride[1][0] == 1))) {
        check(cudaMemcpyAsync(dst, src, L.numel * dtype_size(sdt), cudaMemcpyDeviceToDevice), "cudaMemcpyAsync (copy)");
        return;
    }
    dispatch_all(sdt, [&](auto s) {
        dispatch_all(ddt, [&](auto d) {
            using S = decltype(s);
            using D = decltype(d);
            copy_kernel<S, D><<<blocks_for(L.numel), kThreads>>>(L, static_cast<const S*>(src), static_cast<D*>(dst));
        });
    });
    check_launch("copy kernel");
}

void unary(UnaryOp op, const void* x, void* y, int64_t n, double a, double b, DType dt) {
    if (n == 0) return;
    dispatch_float(dt, "unary op", [&](auto t) {
        using T = decltype(t);
        unary_kernel<T><<<blocks_for(n), kThreads>>>(op, static_cast<const T*>(x), static_cast<T*>(y), n, T(a), T(b));
    });
    check_launch("unary kernel");
}

void unary_backward(UnaryOp op, const void* x, const void* y, const void* gy, void* gx, int64_t n, double a, double b,
                    DType dt) {
    if (n == 0) return;
    dispatch_float(dt, "unary backward", [&](auto t) {
        using T = decltype(t);
        unary_backward_kernel<T><<<blocks_for(n), kThreads>>>(op, static_cast<const T*>(x), static_cast<const T*>(y),
                                                              static_cast<const T*>(gy), static_cast<T*>(gx), n, T(a),
                                                              T(b));
    });
    check_launch("unary backward kernel");
}

void binary(BinaryOp op, const NdLayout<3>& L, const void* a, const void* b, void* out, DType dt) {
    if (L.numel == 0) return;
    dispatch_all(dt, [&](auto t) {
        using T = decltype(t);
        binary_kernel<T><<<blocks_for(L.numel), kThreads>>>(op, L, static_cast<const T*>(a), static_cast<const T*>(b),
                                                            static_cast<T*>(out));
    });
    check_launch("binary kernel");
}

void where(const NdLayout<4>& L, const void* cond, DType cdt, const void* a, const void* b, void* out, DType dt) {
    if (L.numel == 0) return;
    dispatch_all(cdt, [&](auto c) {
        dispatch_all(dt, [&](auto t) {
            using C = decltype(c);
            using T = decltype(t);
            where_kernel<C, T><<<blocks_for(L.numel), kThreads>>>(L, static_cast<const C*>(cond),
                                                                  static_cast<const T*>(a), static_cast<const T*>(b),
                                                                  static_cast<T*>(out));
        });
    });
    check_launch("where kernel");
}

}  // namespace aprender::cuda
