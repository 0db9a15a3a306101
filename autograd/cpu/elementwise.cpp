// elementwise.cpp — the kernels where each output element needs only its own inputs:
// fill, strided copy with casts, the unary ops and their derivatives, binary ops with
// broadcasting, where. (cuda/elementwise_kernels.cuh is the GPU's version.)
//
// Work split: contiguous loops (fill, unary) are cut into chunks of at least kGrain
// elements; strided ones (copy, binary) along their first axis longer than 1
// (parallel_over_shape, loops.h); where runs on one thread. The op is a template
// argument, not a switch per element, so each op compiles to its own tight loop that
// the compiler can vectorise.
//
// Napkin math: these kernels are memory-bound unless the math is heavy. A float32 add
// moves 12 B per element; bench/RESULTS.md records bench/micro's add of n x n operands
// at ~170-185 GB/s for n = 256 and 1024, ~67 GB/s for n = 2048, where they no longer
// fit in cache (2 threads). gelu, at ~26 GB/s, is bound by its tanh, not by memory.
#include "autograd/cpu/cpu_backend.h"
#include "autograd/cpu/loops.h"

#include "autograd/elementwise_math.h"
#include "autograd/fastmath.h"

#include <cmath>
#include <cstring>
#include <type_traits>

namespace aprender::cpu {

namespace {

// The formulas are in autograd/elementwise_math.h, shared with the CUDA kernels; the CPU
// brings its vectorisable float32 exp and tanh (fastmath.h) and the C library for the rest.
struct CpuMath {
    template <class T> [[gnu::always_inline]] static T exp(T x) { return fastmath::exp(x); }
    template <class T> [[gnu::always_inline]] static T tanh(T x) { return fastmath::tanh(x); }
    template <class T> static T log(T x) { return std::log(x); }
    template <class T> static T sqrt(T x) { return std::sqrt(x); }
    template <class T> static T fabs(T x) { return std::fabs(x); }
    template <class T> static T pow(T x, T a) { return std::pow(x, a); }
};
template <class T> inline T unary_f(UnaryOp op, T x, T a, T b) { return elementwise::unary_f<CpuMath>(op, x, a, b); }
template <class T> inline T unary_df(UnaryOp op, T x, T y, T a, T b) {
    return elementwise::unary_df<CpuMath>(op, x, y, a, b);
}
using elementwise::binary_f;

// Applying a switch per element would be slow; instantiate one loop per op instead.
template <class T, BinaryOp OP>
void binary_loop(const Strided& a, const Strided& b, T* out) {
    std::vector<int64_t> out_strides = contiguous_strides(a.shape);
    parallel_over_shape(a.shape, {&a.strides, &b.strides, &out_strides}, [&](const auto& shape, const auto& base) {
        const T* pa = static_cast<const T*>(a.data) + base[0];
        const T* pb = static_cast<const T*>(b.data) + base[1];
        T* po = out + base[2];
        nd_loop<3>(shape, {a.strides, b.strides, out_strides}, [&](auto off, int64_t n, auto s) {
            const T* x = pa + off[0];
            const T* y = pb + off[1];
            T* z = po + off[2];
            if (s[0] == 1 && s[1] == 1 && s[2] == 1)
                for (int64_t i = 0; i < n; ++i) z[i] = binary_f<T>(OP, x[i], y[i]);
            else if (s[0] == 1 && s[1] == 0 && s[2] == 1)
                for (int64_t i = 0; i < n; ++i) z[i] = binary_f<T>(OP, x[i], y[0]);
            else
                for (int64_t i = 0; i < n; ++i) z[i * s[2]] = binary_f<T>(OP, x[i * s[0]], y[i * s[1]]);
        });
    });
}

template <class T, UnaryOp OP>
void unary_loop(const T* x, T* y, int64_t n, T a, T b) {
    for (int64_t i = 0; i < n; ++i) y[i] = unary_f<T>(OP, x[i], a, b);
}
template <class T, UnaryOp OP>
void unary_backward_loop(const T* x, const T* y, const T* gy, T* gx, int64_t n, T a, T b) {
    // An op's derivative reads x or y, never both; point the other at gy so the loop has
    // no per-element branch and vectorises.
    const T* xs = x ? x : gy;
    const T* ys = y ? y : gy;
    for (int64_t i = 0; i < n; ++i) gx[i] = gy[i] * unary_df<T>(OP, xs[i], ys[i], a, b);
}

template <template <class, UnaryOp> class Fn, class T, class... Args>
void with_unary(UnaryOp op, Args&&... args) {
    switch (op) {
#define CASE(o) case UnaryOp::o: Fn<T, UnaryOp::o>::run(args...); return;
        CASE(neg) CASE(exp) CASE(log) CASE(sqrt) CASE(rsqrt) CASE(abs) CASE(tanh) CASE(sigmoid) CASE(relu)
        CASE(gelu) CASE(pow) CASE(clamp) CASE(affine)
#undef CASE
    }
}
template <class T, UnaryOp OP>
struct UnaryFwd {
    static void run(const T* x, T* y, int64_t n, T a, T b) {
        parallel_for(n, kGrain, [&](int64_t s, int64_t e) { unary_loop<T, OP>(x + s, y + s, e - s, a, b); });
    }
};
template <class T, UnaryOp OP>
struct UnaryBwd {
    static void run(const T* x, const T* y, const T* gy, T* gx, int64_t n, T a, T b) {
        parallel_for(n, kGrain, [&](int64_t s, int64_t e) {
            unary_backward_loop<T, OP>(x ? x + s : nullptr, y ? y + s : nullptr, gy + s, gx + s, e - s, a, b);
        });
    }
};

}  // namespace

void CpuBackend::fill(void* dst, int64_t n, double value, DType dt) {
    dispatch(dt, [&](auto t) {
        using T = decltype(t);
        T* p = static_cast<T*>(dst);
        parallel_for(n, kGrain, [&](int64_t b, int64_t e) { std::fill(p + b, p + e, static_cast<T>(value)); });
    });
}

void CpuBackend::copy(const Strided& src, DType sdt, const Strided& dst, DType ddt) {
    dispatch(sdt, [&](auto s) {
        dispatch(ddt, [&](auto d) {
            using S = decltype(s);
            using D = decltype(d);
            parallel_over_shape(src.shape, {&src.strides, &dst.strides}, [&](const auto& shape, const auto& base) {
                const S* ps = static_cast<const S*>(src.data) + base[0];
                D* pd = static_cast<D*>(dst.data) + base[1];
                nd_loop<2>(shape, {src.strides, dst.strides}, [&](auto off, int64_t n, auto st) {
                    if constexpr (std::is_same_v<S, D>)
                        if (st[0] == 1 && st[1] == 1) {
                            std::memcpy(pd + off[1], ps + off[0], n * sizeof(S));
                            return;
                        }
                    for (int64_t i = 0; i < n; ++i) pd[off[1] + i * st[1]] = elementwise::convert<D>(ps[off[0] + i * st[0]]);
                });
            });
        });
    });
}

void CpuBackend::unary(UnaryOp op, const void* x, void* y, int64_t n, double a, double b, DType dt) {
    dispatch_float(dt, "unary op", [&](auto t) {
        using T = decltype(t);
        with_unary<UnaryFwd, T>(op, static_cast<const T*>(x), static_cast<T*>(y), n, T(a), T(b));
    });
}

void CpuBackend::unary_backward(UnaryOp op, const void* x, const void* y, const void* gy, void* gx, int64_t n, double a,
                                double b, DType dt) {
    dispatch_float(dt, "unary backward", [&](auto t) {
        using T = decltype(t);
        with_unary<UnaryBwd, T>(op, static_cast<const T*>(x), static_cast<const T*>(y), static_cast<const T*>(gy),
                                static_cast<T*>(gx), n, T(a), T(b));
    });
}

void CpuBackend::binary(BinaryOp op, const Strided& a, const Strided& b, void* out, DType dt) {
    dispatch(dt, [&](auto t) {
        using T = decltype(t);
        T* o = static_cast<T*>(out);
        switch (op) {
            case BinaryOp::add: binary_loop<T, BinaryOp::add>(a, b, o); break;
            case BinaryOp::sub: binary_loop<T, BinaryOp::sub>(a, b, o); break;
            case BinaryOp::mul: binary_loop<T, BinaryOp::mul>(a, b, o); break;
            case BinaryOp::div: binary_loop<T, BinaryOp::div>(a, b, o); break;
            case BinaryOp::maximum: binary_loop<T, BinaryOp::maximum>(a, b, o); break;
            case BinaryOp::eq: binary_loop<T, BinaryOp::eq>(a, b, o); break;
            case BinaryOp::gt: binary_loop<T, BinaryOp::gt>(a, b, o); break;
            case BinaryOp::lt: binary_loop<T, BinaryOp::lt>(a, b, o); break;
        }
    });
}

void CpuBackend::where(const Strided& cond, DType cdt, const Strided& a, const Strided& b, void* out, DType dt) {
    dispatch(cdt, [&](auto c) {
        dispatch(dt, [&](auto t) {
            using C = decltype(c);
            using T = decltype(t);
            const C* pc = static_cast<const C*>(cond.data);
            const T* pa = static_cast<const T*>(a.data);
            const T* pb = static_cast<const T*>(b.data);
            T* po = static_cast<T*>(out);
            std::vector<int64_t> os = contiguous_strides(a.shape);
            nd_loop<4>(a.shape, {cond.strides, a.strides, b.strides, os}, [&](auto off, int64_t n, auto s) {
                for (int64_t i = 0; i < n; ++i)
                    po[off[3] + i * s[3]] = pc[off[0] + i * s[0]] != C(0) ? pa[off[1] + i * s[1]] : pb[off[2] + i * s[2]];
            });
        });
    });
}

}  // namespace aprender::cpu
