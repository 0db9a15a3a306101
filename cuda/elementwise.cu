// elementwise.cu — the launchers of fill, copy, unary, unary_backward, binary and where;
// the kernels, with their launch shape and napkin math, are in elementwise_kernels.cuh.
#include "cuda/common.cuh"
#include "cuda/elementwise_kernels.cuh"

namespace aprender::cuda {

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
    if (sdt == ddt) {
        int w = pack_width<2>(L, {src, dst}, dtype_size(sdt));
        if (w > 1) {
            dispatch_all(sdt, [&](auto t) {
                using T = decltype(t);
                copy_packed_kernel<T><<<blocks_for(L.numel / w), kThreads>>>(L, static_cast<const T*>(src),
                                                                             static_cast<T*>(dst));
            });
            check_launch("copy kernel (packed)");
            return;
        }
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
    if (int w = pack_width<3>(L, {a, b, out}, dtype_size(dt)); w > 1) {
        dispatch_all(dt, [&](auto t) {
            using T = decltype(t);
            binary_packed_kernel<T><<<blocks_for(L.numel / w), kThreads>>>(
                op, L, static_cast<const T*>(a), static_cast<const T*>(b), static_cast<T*>(out));
        });
        check_launch("binary kernel (packed)");
        return;
    }
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
