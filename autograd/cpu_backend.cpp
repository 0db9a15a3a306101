// cpu_backend.cpp — the kernels of backend.h for the CPU: OpenBLAS for the matrix
// products, plain loops for the rest. Loops over n-d tensors first merge ("coalesce")
// the axes they can, so a contiguous tensor of any rank becomes one flat loop.
#include "autograd/backend.h"

#include "autograd/elementwise_math.h"
#include "autograd/fastmath.h"
#include "autograd/parallel.h"
#include "autograd/random.h"
#include "autograd/tensor.h"

#include <cblas.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <map>
#include <mutex>

namespace aprender {

namespace {

// ---- n-d loops ------------------------------------------------------------------------

// Drop size-1 axes, then merge axis d into d+1 wherever every operand is contiguous
// across them: a contiguous tensor of any rank becomes one axis.
template <size_t N>
void coalesce(std::vector<int64_t>& shape, std::array<std::vector<int64_t>, N>& strides) {
    std::vector<int64_t> sh;
    std::array<std::vector<int64_t>, N> st;
    for (size_t d = 0; d < shape.size(); ++d) {
        if (shape[d] == 1) continue;
        sh.push_back(shape[d]);
        for (size_t k = 0; k < N; ++k) st[k].push_back(strides[k][d]);
    }
    for (int64_t d = (int64_t)sh.size() - 2; d >= 0; --d) {
        bool mergeable = true;
        for (size_t k = 0; k < N; ++k) mergeable = mergeable && st[k][d] == st[k][d + 1] * sh[d + 1];
        if (!mergeable) continue;
        sh[d] *= sh[d + 1];
        sh.erase(sh.begin() + d + 1);
        for (size_t k = 0; k < N; ++k) {
            st[k][d] = st[k][d + 1];
            st[k].erase(st[k].begin() + d + 1);
        }
    }
    shape = std::move(sh);
    strides = std::move(st);
}

// Walk `shape` over N operands with their own strides. For each run along the
// innermost (merged) axis, call inner(offsets, count, inner_strides).
template <size_t N, class F>
void nd_loop(std::vector<int64_t> sh, std::array<std::vector<int64_t>, N> st, F&& inner) {
    if (shape_numel(sh) == 0) return;
    coalesce(sh, st);
    std::array<int64_t, N> off{}, inner_st{};
    if (sh.empty()) {  // a single element
        inner(off, 1, inner_st);
        return;
    }
    size_t rank = sh.size();
    for (size_t k = 0; k < N; ++k) inner_st[k] = st[k][rank - 1];
    int64_t count = sh[rank - 1];
    std::vector<int64_t> idx(rank - 1, 0);
    while (true) {
        inner(off, count, inner_st);
        int64_t d = (int64_t)rank - 2;  // odometer increment of the outer axes
        for (; d >= 0; --d) {
            for (size_t k = 0; k < N; ++k) off[k] += st[k][d];
            if (++idx[d] < sh[d]) break;
            for (size_t k = 0; k < N; ++k) off[k] -= st[k][d] * sh[d];
            idx[d] = 0;
        }
        if (d < 0) return;
    }
}

// Call f with a value of the C++ type for dt (float, double or int32_t).
template <class F>
void dispatch(DType dt, F&& f) {
    switch (dt) {
        case DType::f32: f(float{}); return;
        case DType::f64: f(double{}); return;
        case DType::i32: f(int32_t{}); return;
    }
}
template <class F>
void dispatch_float(DType dt, const char* kernel, F&& f) {
    switch (dt) {
        case DType::f32: f(float{}); return;
        case DType::f64: f(double{}); return;
        default: throw TensorError(std::string(kernel) + ": needs float32 or float64, got " + dtype_name(dt));
    }
}

// Split an n-d loop over the pool along its first axis longer than 1: each chunk gets
// the same shape with that axis cut to [begin, end), and per-operand element offsets.
constexpr int64_t kGrain = 1 << 15;  // elements: below this a loop is not worth splitting

template <class F>
void parallel_over_shape(const std::vector<int64_t>& shape, const std::vector<const std::vector<int64_t>*>& strides,
                         F&& fn) {
    size_t axis = 0;
    while (axis < shape.size() && shape[axis] == 1) ++axis;
    if (axis == shape.size()) {
        fn(shape, std::vector<int64_t>(strides.size(), 0));
        return;
    }
    int64_t per_unit = std::max<int64_t>(shape_numel(shape) / std::max<int64_t>(shape[axis], 1), 1);
    parallel_for(shape[axis], std::max<int64_t>(kGrain / per_unit, 1), [&](int64_t b, int64_t e) {
        std::vector<int64_t> sub = shape;
        sub[axis] = e - b;
        std::vector<int64_t> off;
        for (auto* st : strides) off.push_back(b * (*st)[axis]);
        fn(sub, off);
    });
}

// Rows of a [rows, cols] buffer, in chunks worth splitting.
inline void parallel_rows(int64_t rows, int64_t cols, const std::function<void(int64_t, int64_t)>& fn) {
    parallel_for(rows, std::max<int64_t>(kGrain / std::max<int64_t>(cols, 1), 1), fn);
}

// ---- elementwise math ------------------------------------------------------------------
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

// ---- reductions ----------------------------------------------------------------------------

// acc = acc (op) v: a sum, or a max that lets NaN through. (A template argument, not a
// run-time switch, so that the loops below compile to one tight loop per op.)
template <ReduceOp OP, class A, class T>
inline void fold(A& acc, T v) {
    if constexpr (OP == ReduceOp::sum) acc += v;
    else if (v > acc || std::isnan((double)v)) acc = v;
}

// Fold the inputs of a (sub-)shape into acc, indexed by out's strides. nd_loop visits x in
// row-major order, so each output folds its own inputs in row-major order too — however
// nd_loop merges the axes and wherever the shape was cut. (Max stays in memory: held in a
// register, the compiler turns its test into a chain of dependent selects, 3x slower than
// the branch, which the CPU predicts well.)
template <ReduceOp OP, class T, class A>
void reduce_into(const T* px, const std::vector<int64_t>& shape, const std::vector<int64_t>& xs,
                 const std::vector<int64_t>& os, A* acc) {
    nd_loop<2>(shape, {xs, os}, [&](auto off, int64_t n, auto s) {
        const T* p = px + off[0];
        if (OP == ReduceOp::sum && s[1] == 0) {  // one output: its running sum in a register
            A a = acc[off[1]];
            for (int64_t i = 0; i < n; ++i) fold<OP>(a, p[i * s[0]]);
            acc[off[1]] = a;
        } else {
            for (int64_t i = 0; i < n; ++i) fold<OP>(acc[off[1] + i * s[1]], p[i * s[0]]);
        }
    });
}

// Reduce x into out (out's strides are 0 on the reduced axes). Sums accumulate in double:
// sums of many float32 numbers lose digits otherwise.
//
// How the work is split depends on the shape alone, never on the thread count, so the
// numbers are the same with 1 thread or 16. After merging axes, the cut is along the
// outermost axis when possible, so that each piece reads long contiguous stretches of x:
//  - a reduced axis (a full sum; a column sum such as a bias gradient) is cut into blocks
//    of a fixed size. Each block folds into its own partial outputs, and the partials are
//    folded in block order: for a sum, a fixed rounding (a little better than one long
//    serial sum's); for max, exactly the serial answer. A block reads at least 256 inputs
//    per output, so that writing and re-reading the partials costs little.
//  - otherwise (a row sum; or a reduced axis too short for two blocks) the first kept
//    axis is cut: each thread owns its outputs and folds each one in serial order.
constexpr int64_t kReduceBlock = 1 << 15;  // inputs; changing it changes the last bits of big sums

template <class T, ReduceOp OP>
void reduce_loop(const Strided& x, const Strided& out) {
    using A = std::conditional_t<OP == ReduceOp::sum, double, T>;
    const T* px = static_cast<const T*>(x.data);
    T* po = static_cast<T*>(out.data);
    int64_t out_n = 1;  // out is dense over its kept axes
    for (size_t d = 0; d < x.shape.size(); ++d)
        if (out.strides[d] != 0) out_n = std::max(out_n, out.strides[d] * x.shape[d]);
    const A init = OP == ReduceOp::sum ? A(0) : A(std::numeric_limits<T>::lowest());
    std::vector<A> acc(out_n, init);

    std::vector<int64_t> shape = x.shape;
    std::array<std::vector<int64_t>, 2> st{x.strides, out.strides};
    coalesce(shape, st);
    const auto& xs = st[0];
    const auto& os = st[1];
    int64_t numel = shape_numel(shape);
    int64_t len = 0, blocks = 0;  // blocks of `len` along axis 0, when it is reduced
    if (numel > 0 && !shape.empty() && os[0] == 0) {
        int64_t per_unit = numel / shape[0];
        len = (std::max(kReduceBlock, 256 * out_n) + per_unit - 1) / per_unit;
        blocks = (shape[0] + len - 1) / len;
    }
    size_t kept = 0;  // the first kept axis
    while (kept < shape.size() && os[kept] == 0) ++kept;

    if (blocks >= 2) {
        std::vector<A> partial(blocks * out_n, init);
        parallel_for(blocks, 1, [&](int64_t b0, int64_t b1) {
            for (int64_t k = b0; k < b1; ++k) {
                std::vector<int64_t> sub = shape;
                sub[0] = std::min(len, shape[0] - k * len);
                reduce_into<OP>(px + k * len * xs[0], sub, xs, os, partial.data() + k * out_n);
            }
        });
        parallel_for(out_n, std::max<int64_t>(kGrain / blocks, 1), [&](int64_t i0, int64_t i1) {
            for (int64_t k = 0; k < blocks; ++k)
                for (int64_t i = i0; i < i1; ++i) fold<OP>(acc[i], partial[k * out_n + i]);
        });
    } else if (numel > 0 && kept < shape.size()) {
        parallel_for(shape[kept], std::max<int64_t>(kGrain / (numel / shape[kept]), 1), [&](int64_t b, int64_t e) {
            std::vector<int64_t> sub = shape;
            sub[kept] = e - b;
            reduce_into<OP>(px + b * xs[kept], sub, xs, os, acc.data() + b * os[kept]);
        });
    } else {  // small, a single element, or empty
        reduce_into<OP>(px, shape, xs, os, acc.data());
    }
    for (int64_t i = 0; i < out_n; ++i)
        po[i] = static_cast<T>(acc[i]) + (OP == ReduceOp::sum ? po[i] : T(0));  // a sum adds to out
}

// ---- the backend ----------------------------------------------------------------------------

class CpuBackend final : public Backend {
    static constexpr size_t kMaxCachedBytes = size_t(2) << 30;  // beyond 2 GiB of free blocks, give memory back
    std::mutex mutex_;
    std::map<size_t, std::vector<void*>> free_;
    size_t cached_bytes_ = 0;

public:
    ~CpuBackend() override {
        for (auto& [size, list] : free_)
            for (void* p : list) std::free(p);
    }
    const char* name() const override { return "cpu"; }

    // A caching allocator: a freed block goes on a free list for its size class and
    // the next tensor of that class reuses it. A training step allocates the same
    // sizes every time, so after the first step almost nothing reaches malloc — and
    // the kernel no longer has to zero fresh pages for every activation.
    void* allocate(size_t nbytes) override {
        size_t size = size_class(nbytes);
        {
            std::lock_guard<std::mutex> lock(mutex_);
            auto& list = free_[size];
            if (!list.empty()) {
                void* p = list.back();
                list.pop_back();
                cached_bytes_ -= size;
                return p;
            }
        }
        void* p = std::aligned_alloc(64, size);  // 64 bytes: a cache line, an AVX-512 register
        if (!p) throw TensorError("cpu: out of memory allocating " + std::to_string(nbytes) + " bytes");
        return p;
    }
    void release(void* p, size_t nbytes) override {
        size_t size = size_class(nbytes);
        std::lock_guard<std::mutex> lock(mutex_);
        if (cached_bytes_ + size > kMaxCachedBytes) {
            std::free(p);
            return;
        }
        free_[size].push_back(p);
        cached_bytes_ += size;
    }
    // Sizes are rounded up to 64 bytes, and above 4 KiB to a quarter step between powers
    // of two (at most 25% waste), so similar sizes share a list.
    static size_t size_class(size_t nbytes) {
        size_t n = (std::max<size_t>(nbytes, 1) + 63) / 64 * 64;
        if (n <= 4096) return n;
        size_t top = size_t(1) << (63 - __builtin_clzll(n - 1));  // largest power of two < n
        size_t step = top / 4;
        return (n + step - 1) / step * step;
    }
    size_t cached_bytes() const { return cached_bytes_; }

    void to_host(void* dst, const void* src, size_t n) override { std::memcpy(dst, src, n); }
    void from_host(void* dst, const void* src, size_t n) override { std::memcpy(dst, src, n); }

    void fill(void* dst, int64_t n, double value, DType dt) override {
        dispatch(dt, [&](auto t) {
            using T = decltype(t);
            T* p = static_cast<T*>(dst);
            parallel_for(n, kGrain, [&](int64_t b, int64_t e) { std::fill(p + b, p + e, static_cast<T>(value)); });
        });
    }

    void copy(const Strided& src, DType sdt, const Strided& dst, DType ddt) override {
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
                        for (int64_t i = 0; i < n; ++i) pd[off[1] + i * st[1]] = static_cast<D>(ps[off[0] + i * st[0]]);
                    });
                });
            });
        });
    }

    void fill_uniform(void* dst, int64_t n, double lo, double hi, uint64_t seed, uint64_t offset, DType dt) override {
        dispatch_float(dt, "uniform", [&](auto t) {
            using T = decltype(t);
            T* p = static_cast<T*>(dst);
            parallel_for(n, kGrain / 8, [&](int64_t b, int64_t e) {
                for (int64_t i = b; i < e; ++i) p[i] = static_cast<T>(philox::scale_shift(hi - lo, philox::uniform(offset + i, seed), lo));
            });
        });
    }
    void fill_normal(void* dst, int64_t n, double mean, double std, uint64_t seed, uint64_t offset, DType dt) override {
        dispatch_float(dt, "normal", [&](auto t) {
            using T = decltype(t);
            T* p = static_cast<T*>(dst);
            parallel_for(n, kGrain / 8, [&](int64_t b, int64_t e) {
                for (int64_t i = b; i < e; ++i) p[i] = static_cast<T>(philox::scale_shift(std, philox::normal(offset + i, seed), mean));
            });
        });
    }

    void unary(UnaryOp op, const void* x, void* y, int64_t n, double a, double b, DType dt) override {
        dispatch_float(dt, "unary op", [&](auto t) {
            using T = decltype(t);
            with_unary<UnaryFwd, T>(op, static_cast<const T*>(x), static_cast<T*>(y), n, T(a), T(b));
        });
    }
    void unary_backward(UnaryOp op, const void* x, const void* y, const void* gy, void* gx, int64_t n, double a,
                        double b, DType dt) override {
        dispatch_float(dt, "unary backward", [&](auto t) {
            using T = decltype(t);
            with_unary<UnaryBwd, T>(op, static_cast<const T*>(x), static_cast<const T*>(y), static_cast<const T*>(gy),
                                    static_cast<T*>(gx), n, T(a), T(b));
        });
    }

    void binary(BinaryOp op, const Strided& a, const Strided& b, void* out, DType dt) override {
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

    void where(const Strided& cond, DType cdt, const Strided& a, const Strided& b, void* out, DType dt) override {
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

    void reduce(ReduceOp op, const Strided& x, const Strided& out, DType dt) override {
        dispatch(dt, [&](auto t) {
            using T = decltype(t);
            if (op == ReduceOp::sum) reduce_loop<T, ReduceOp::sum>(x, out);
            else reduce_loop<T, ReduceOp::max>(x, out);
        });
    }

    // One product per call to single-threaded OpenBLAS; the pool splits the work: a batch
    // by its items, a single product by blocks of rows of C (or of columns when C is
    // short and wide). Each block is an independent product, so no result is shared.
    void gemm(const Gemm& g, DType dt) override {
        auto ta = g.trans_a ? CblasTrans : CblasNoTrans;
        auto tb = g.trans_b ? CblasTrans : CblasNoTrans;
        dispatch_float(dt, "gemm", [&](auto t) {
            using T = decltype(t);
            auto one = [&](const T* a, const T* b, T* c, int64_t m, int64_t n) {
                if constexpr (std::is_same_v<T, float>)
                    cblas_sgemm(CblasRowMajor, ta, tb, m, n, g.k, (float)g.alpha, a, g.lda, b, g.ldb, (float)g.beta, c,
                                g.ldc);
                else
                    cblas_dgemm(CblasRowMajor, ta, tb, m, n, g.k, g.alpha, a, g.lda, b, g.ldb, g.beta, c, g.ldc);
            };
            const T* A = static_cast<const T*>(g.a);
            const T* B = static_cast<const T*>(g.b);
            T* C = static_cast<T*>(g.c);
            double flops = 2.0 * (double)g.m * (double)g.n * (double)g.k * (double)g.batch;
            if (flops < 1e5) {  // too small to share
                for (int64_t i = 0; i < g.batch; ++i) one(A + i * g.stride_a, B + i * g.stride_b, C + i * g.stride_c, g.m, g.n);
            } else if (g.batch > 1) {
                parallel_for(g.batch, 1, [&](int64_t i0, int64_t i1) {
                    for (int64_t i = i0; i < i1; ++i)
                        one(A + i * g.stride_a, B + i * g.stride_b, C + i * g.stride_c, g.m, g.n);
                });
            } else {
                // Each block packs the whole of the operand it does not split, so split along
                // the longer side of C, in one block per thread: row blocks repack B, column
                // blocks repack A.
                int64_t threads = num_threads();
                if (g.m >= g.n) {  // blocks of rows: A's rows (or columns, if transposed)
                    parallel_for(g.m, std::max<int64_t>(32, (g.m + threads - 1) / threads), [&](int64_t r0, int64_t r1) {
                        one(A + (g.trans_a ? r0 : r0 * g.lda), B, C + r0 * g.ldc, r1 - r0, g.n);
                    });
                } else {  // blocks of columns: B's columns (or rows, if transposed)
                    parallel_for(g.n, std::max<int64_t>(32, (g.n + threads - 1) / threads), [&](int64_t c0, int64_t c1) {
                        one(A, B + (g.trans_b ? c0 * g.ldb : c0), C + c0, g.m, c1 - c0);
                    });
                }
            }
        });
    }

    void softmax(const void* xv, void* yv, int64_t rows, int64_t cols, bool log, bool causal, DType dt) override {
        dispatch_float(dt, "softmax", [&](auto t) {
            using T = decltype(t);
            const T* x = static_cast<const T*>(xv);
            T* y = static_cast<T*>(yv);
            parallel_rows(rows, cols, [&](int64_t r0, int64_t r1) {
            for (int64_t r = r0; r < r1; ++r) {
                const T* xr = x + r * cols;
                T* yr = y + r * cols;
                int64_t visible = causal ? (r % cols) + 1 : cols;  // causal: a [T, T] block per (b, h)
                T mx = xr[0];
                for (int64_t j = 1; j < visible; ++j) mx = std::max(mx, xr[j]);
                T sum = 0;
                for (int64_t j = 0; j < visible; ++j) {
                    T e = fastmath::exp(xr[j] - mx);
                    yr[j] = e;
                    sum += e;
                }
                if (log) {
                    T lse = mx + std::log(sum);
                    for (int64_t j = 0; j < visible; ++j) yr[j] = xr[j] - lse;
                    for (int64_t j = visible; j < cols; ++j) yr[j] = -std::numeric_limits<T>::infinity();
                } else {
                    T inv = T(1) / sum;
                    for (int64_t j = 0; j < visible; ++j) yr[j] *= inv;
                    for (int64_t j = visible; j < cols; ++j) yr[j] = T(0);
                }
            }
            });
        });
    }

    void softmax_backward(const void* yv, const void* gyv, void* gxv, int64_t rows, int64_t cols, bool log,
                          DType dt) override {
        dispatch_float(dt, "softmax backward", [&](auto t) {
            using T = decltype(t);
            const T* y = static_cast<const T*>(yv);
            const T* gy = static_cast<const T*>(gyv);
            T* gx = static_cast<T*>(gxv);
            parallel_rows(rows, cols, [&](int64_t r0, int64_t r1) {
            for (int64_t r = r0; r < r1; ++r) {
                const T* yr = y + r * cols;
                const T* gr = gy + r * cols;
                T* out = gx + r * cols;
                if (log) {  // y = x - lse:  gx = gy - softmax(x) * sum(gy)
                    T s = 0;
                    for (int64_t j = 0; j < cols; ++j) s += gr[j];
                    for (int64_t j = 0; j < cols; ++j) out[j] = gr[j] - fastmath::exp(yr[j]) * s;
                } else {    // gx = y * (gy - sum(gy * y))
                    T dot = 0;
                    for (int64_t j = 0; j < cols; ++j) dot += gr[j] * yr[j];
                    for (int64_t j = 0; j < cols; ++j) out[j] = yr[j] * (gr[j] - dot);
                }
            }
            });
        });
    }

    void layernorm(const void* xv, const void* wv, const void* bv, void* yv, void* meanv, void* rstdv, int64_t rows,
                   int64_t cols, double eps, DType dt) override {
        dispatch_float(dt, "layer_norm", [&](auto t) {
            using T = decltype(t);
            const T* x = static_cast<const T*>(xv);
            const T* w = static_cast<const T*>(wv);
            const T* b = static_cast<const T*>(bv);
            T* y = static_cast<T*>(yv);
            T* mean = static_cast<T*>(meanv);
            T* rstd = static_cast<T*>(rstdv);
            parallel_rows(rows, cols, [&](int64_t r0, int64_t r1) {
            for (int64_t r = r0; r < r1; ++r) {
                const T* xr = x + r * cols;
                T* yr = y + r * cols;
                T m = 0;
                for (int64_t j = 0; j < cols; ++j) m += xr[j];
                m /= T(cols);
                T v = 0;
                for (int64_t j = 0; j < cols; ++j) v += (xr[j] - m) * (xr[j] - m);
                v /= T(cols);  // biased variance, as PyTorch's LayerNorm
                T rs = T(1) / std::sqrt(v + T(eps));
                for (int64_t j = 0; j < cols; ++j) {
                    T n = (xr[j] - m) * rs;
                    yr[j] = (w ? n * w[j] : n) + (b ? b[j] : T(0));
                }
                mean[r] = m;
                rstd[r] = rs;
            }
            });
        });
    }

    void layernorm_backward(const void* gyv, const void* xv, const void* wv, const void* meanv, const void* rstdv,
                            void* gxv, void* gwv, void* gbv, int64_t rows, int64_t cols, DType dt) override {
        dispatch_float(dt, "layer_norm backward", [&](auto t) {
            using T = decltype(t);
            const T* gy = static_cast<const T*>(gyv);
            const T* x = static_cast<const T*>(xv);
            const T* w = static_cast<const T*>(wv);
            const T* mean = static_cast<const T*>(meanv);
            const T* rstd = static_cast<const T*>(rstdv);
            T* gx = static_cast<T*>(gxv);
            T* gw = static_cast<T*>(gwv);
            T* gb = static_cast<T*>(gbv);
            // Each chunk of rows sums its own share of gw and gb; the shares are added in
            // chunk order afterwards, so the result does not depend on timing.
            int64_t chunks = std::min<int64_t>(num_threads(), std::max<int64_t>(rows, 1));
            std::vector<T> partial(2 * chunks * cols, T(0));
            parallel_for(chunks, 1, [&](int64_t c0, int64_t c1) {
                for (int64_t c = c0; c < c1; ++c) {
                    T* pw = partial.data() + 2 * c * cols;
                    T* pb = pw + cols;
                    for (int64_t r = rows * c / chunks; r < rows * (c + 1) / chunks; ++r) {
                        const T* g = gy + r * cols;
                        const T* xr = x + r * cols;
                        T m = mean[r], rs = rstd[r];
                        // With n = (x - mean) * rstd and dn = gy * w:
                        //   dx = rstd * (dn - mean(dn) - n * mean(dn * n))
                        T sum_dn = 0, sum_dn_n = 0;
                        for (int64_t j = 0; j < cols; ++j) {
                            T n = (xr[j] - m) * rs;
                            T dn = w ? g[j] * w[j] : g[j];
                            sum_dn += dn;
                            sum_dn_n += dn * n;
                            pw[j] += g[j] * n;
                            pb[j] += g[j];
                        }
                        T mean_dn = sum_dn / T(cols), mean_dn_n = sum_dn_n / T(cols);
                        T* out = gx + r * cols;
                        for (int64_t j = 0; j < cols; ++j) {
                            T n = (xr[j] - m) * rs;
                            T dn = w ? g[j] * w[j] : g[j];
                            out[j] = rs * (dn - mean_dn - n * mean_dn_n);
                        }
                    }
                }
            });
            for (int64_t c = 0; c < chunks; ++c)
                for (int64_t j = 0; j < cols; ++j) {
                    if (gw) gw[j] += partial[2 * c * cols + j];
                    if (gb) gb[j] += partial[(2 * c + 1) * cols + j];
                }
        });
    }

    void embedding(const int32_t* ids, int64_t n, const void* table, int64_t rows, int64_t cols, void* out,
                   DType dt) override {
        for (int64_t i = 0; i < n; ++i)
            if (ids[i] < 0 || ids[i] >= rows)
                throw TensorError(fmt::format("embedding: id {} at position {} is out of range for a table of {} rows",
                                              ids[i], i, rows));
        size_t row_bytes = cols * dtype_size(dt);
        parallel_rows(n, cols, [&](int64_t i0, int64_t i1) {
            for (int64_t i = i0; i < i1; ++i)
                std::memcpy(static_cast<char*>(out) + i * row_bytes, static_cast<const char*>(table) + ids[i] * row_bytes,
                            row_bytes);
        });
    }

    void embedding_backward(const int32_t* ids, int64_t n, const void* gout, int64_t rows, int64_t cols,
                            void* gtable, DType dt) override {
        dispatch_float(dt, "embedding backward", [&](auto t) {
            using T = decltype(t);
            const T* g = static_cast<const T*>(gout);
            T* gt = static_cast<T*>(gtable);
            // split the columns, not the ids: two rows may share an id, two columns never collide
            parallel_for(cols, std::max<int64_t>(kGrain / std::max<int64_t>(n, 1), 8), [&](int64_t j0, int64_t j1) {
                for (int64_t i = 0; i < n; ++i)
                    if (ids[i] >= 0 && ids[i] < rows)
                        for (int64_t j = j0; j < j1; ++j) gt[ids[i] * cols + j] += g[i * cols + j];
            });
        });
    }

    void cross_entropy(const void* lv, const int32_t* targets, int64_t rows, int64_t cols, int32_t ignore,
                       void* lossv, void* lsev, DType dt) override {
        for (int64_t r = 0; r < rows; ++r)
            if (targets[r] != ignore && (targets[r] < 0 || targets[r] >= cols))
                throw TensorError(fmt::format("cross_entropy: target {} at row {} is out of range for {} classes",
                                              targets[r], r, cols));
        dispatch_float(dt, "cross_entropy", [&](auto t) {
            using T = decltype(t);
            const T* logits = static_cast<const T*>(lv);
            T* loss = static_cast<T*>(lossv);
            T* lse = static_cast<T*>(lsev);
            parallel_rows(rows, cols, [&](int64_t r0, int64_t r1) {
            for (int64_t r = r0; r < r1; ++r) {
                const T* x = logits + r * cols;
                T mx = *std::max_element(x, x + cols);
                T s = 0;
                for (int64_t j = 0; j < cols; ++j) s += fastmath::exp(x[j] - mx);
                lse[r] = mx + std::log(s);
                loss[r] = targets[r] == ignore ? T(0) : lse[r] - x[targets[r]];
            }
            });
        });
    }

    void cross_entropy_backward(const void* lv, const int32_t* targets, const void* lsev, int64_t rows, int64_t cols,
                                int32_t ignore, double scale, void* gv, DType dt) override {
        dispatch_float(dt, "cross_entropy backward", [&](auto t) {
            using T = decltype(t);
            const T* logits = static_cast<const T*>(lv);
            const T* lse = static_cast<const T*>(lsev);
            T* g = static_cast<T*>(gv);
            parallel_rows(rows, cols, [&](int64_t r0, int64_t r1) {
            for (int64_t r = r0; r < r1; ++r) {
                T* gr = g + r * cols;
                if (targets[r] == ignore) {
                    std::fill_n(gr, cols, T(0));
                    continue;
                }
                const T* x = logits + r * cols;
                for (int64_t j = 0; j < cols; ++j) gr[j] = T(scale) * fastmath::exp(x[j] - lse[r]);
                gr[targets[r]] -= T(scale);
            }
            });
        });
    }

    void gather(const Strided& x, int64_t dim, const Strided& index, void* out, DType dt) override {
        dispatch(dt, [&](auto t) {
            using T = decltype(t);
            const T* px = static_cast<const T*>(x.data);
            const int32_t* pi = static_cast<const int32_t*>(index.data);
            T* po = static_cast<T*>(out);
            std::vector<int64_t> xs = x.strides;
            int64_t dim_stride = xs[dim], dim_size = x.shape[dim];
            xs[dim] = 0;
            nd_loop<3>(index.shape, {xs, index.strides, contiguous_strides(index.shape)}, [&](auto off, int64_t n, auto s) {
                for (int64_t i = 0; i < n; ++i) {
                    int32_t k = pi[off[1] + i * s[1]];
                    if (k < 0 || k >= dim_size)
                        throw TensorError(fmt::format("gather: index {} is out of range for dimension {} of size {}", k,
                                                      dim, dim_size));
                    po[off[2] + i * s[2]] = px[off[0] + i * s[0] + k * dim_stride];
                }
            });
        });
    }

    void scatter_add(const Strided& gout, int64_t dim, const Strided& index, const Strided& gx, DType dt) override {
        dispatch_float(dt, "scatter_add", [&](auto t) {
            using T = decltype(t);
            const T* pg = static_cast<const T*>(gout.data);
            const int32_t* pi = static_cast<const int32_t*>(index.data);
            T* px = static_cast<T*>(gx.data);
            std::vector<int64_t> xs = gx.strides;
            int64_t dim_stride = xs[dim], dim_size = gx.shape[dim];
            xs[dim] = 0;
            // The forward pass checked the indices; they are checked again because a caller
            // may have changed the index tensor since (a write out of bounds is never an answer).
            nd_loop<3>(index.shape, {xs, index.strides, gout.strides}, [&](auto off, int64_t n, auto s) {
                for (int64_t i = 0; i < n; ++i) {
                    int64_t k = pi[off[1] + i * s[1]];
                    if (k < 0 || k >= dim_size)
                        throw TensorError(fmt::format("gather backward: index {} is outside 0..{} (was the index tensor "
                                                      "changed after the forward pass?)", k, dim_size - 1));
                    px[off[0] + i * s[0] + k * dim_stride] += pg[off[2] + i * s[2]];
                }
            });
        });
    }

    void adamw(void* pv, const void* gv, void* mv, void* vv, int64_t n, const AdamW& h, DType dt) override {
        dispatch_float(dt, "adamw", [&](auto t) {
            using T = decltype(t);
            T* p = static_cast<T*>(pv);
            const T* g = static_cast<const T*>(gv);
            T* m = static_cast<T*>(mv);
            T* v = static_cast<T*>(vv);
            const T b1 = T(h.beta1), b2 = T(h.beta2), lr = T(h.lr), eps = T(h.eps), wd = T(h.weight_decay);
            const T bc1 = T(h.bias_correction1), bc2 = T(h.bias_correction2);
            parallel_for(n, kGrain, [&](int64_t i0, int64_t i1) {
            for (int64_t i = i0; i < i1; ++i) {
                m[i] = b1 * m[i] + (T(1) - b1) * g[i];
                v[i] = b2 * v[i] + (T(1) - b2) * g[i] * g[i];
                T mhat = m[i] / bc1, vhat = v[i] / bc2;
                // decoupled weight decay (Loshchilov & Hutter): shrink p, then the Adam step
                p[i] -= lr * (wd * p[i] + mhat / (std::sqrt(vhat) + eps));
            }
            });
        });
    }
};

}  // namespace

Backend& cpu_backend() {
    static CpuBackend cpu;
    return cpu;
}

}  // namespace aprender
