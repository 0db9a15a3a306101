// The CUDA kernels whose threads work alone (cuda/*_kernels.cuh), compiled by g++ and run
// on the CPU through tests/cuda_on_host.h, against the CPU backend on the same inputs.
// No GPU needed: these run on every build, CUDA=0 included, and are never skipped.
//
// What they check: the kernels' index math — grid-stride loops (each kernel runs with
// its real launch shape, with one thread, and with 2 blocks of 3 threads so the loop
// takes its stride), n-d offsets over broadcast (zero-stride), transposed, sliced and
// size-1 axes, the host's layouts (cuda/layout.h, the very functions cuda_backend.cpp
// calls), dtype casts, the index checks and their error word. Outputs start as NaN (or
// -777 for int32), so an element a kernel forgets to write shows up.
// What they cannot (see cuda_on_host.h): concurrency, block cooperation (reduce, softmax,
// layernorm, cross-entropy are left to tests/cuda_ops_test.cpp on a GPU), the launchers
// (their argument casts are repeated here) and the GPU's own arithmetic.
//
// Tolerances: exact wherever both sides do the same operations in the same order (fill,
// copy, binary, where, gather, embedding, the Philox numbers, AdamW, most unary ops).
// float32 exp and tanh (and sigmoid and GELU, built on them): the CPU uses its own fast
// approximations (autograd/fastmath.h), the kernels libm's: relative 1e-6, absolute 1e-6
// (GELU's 1 + tanh(u) cancels for negative x, leaving tanh's ~2e-7 absolute difference).
// embedding_backward and scatter_add: the threads' additions into one element come in
// another order than the CPU's: 1e-6 (float32) and 1e-14 (float64) times (1 + |value|).
#include "autograd/backend.h"
#include "autograd/tensor.h"

#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <random>
#include <string>
#include <type_traits>
#include <vector>

// after every other header: it defines __global__ and friends away
#include "cuda_on_host.h"

#include "cuda/adamw_kernels.cuh"
#include "cuda/elementwise_kernels.cuh"
#include "cuda/embedding_kernels.cuh"
#include "cuda/gather_kernels.cuh"
#include "cuda/random_kernels.cuh"

#if !APRENDER_CUDA
// CUDA builds get it from libaprender_cuda.so (cuda_backend.cpp); make_layout calls it.
namespace aprender::cuda {
void fail(const std::string& message) { throw TensorError(message); }
}  // namespace aprender::cuda
#endif

using namespace aprender;
namespace kc = aprender::cuda;
using cuda_on_host::launch;

namespace {

// ---- helpers ------------------------------------------------------------------------------

template <class T> constexpr DType dtype_of() {
    if constexpr (std::is_same_v<T, float>) return DType::f32;
    else if constexpr (std::is_same_v<T, double>) return DType::f64;
    else return DType::i32;
}
template <class F> void for_all_dtypes(F&& f) { f(float{}), f(double{}), f(int32_t{}); }
template <class F> void for_float_dtypes(F&& f) { f(float{}), f(double{}); }

// The real launch shape, one thread, and a grid smaller than the data.
struct LaunchShape {
    unsigned blocks, threads;
};
std::vector<LaunchShape> launch_shapes(int64_t n) { return {{kc::blocks_for(n), kc::kThreads}, {1, 1}, {2, 3}}; }
std::string str(LaunchShape s) { return std::to_string(s.blocks) + "x" + std::to_string(s.threads); }

// Uniform in [lo, hi); for int32, rounded down; `step` > 0 rounds floats down to a
// multiple of it (ties for eq, gt, lt and maximum).
template <class T>
std::vector<T> random_values(size_t n, double lo, double hi, uint64_t seed, double step = 0) {
    std::mt19937_64 gen(seed);
    std::uniform_real_distribution<double> u(lo, hi);
    std::vector<T> v(n);
    for (auto& x : v) {
        double d = u(gen);
        if (step > 0) d = std::floor(d / step) * step;
        x = std::is_integral_v<T> ? T(std::floor(d)) : T(d);
    }
    return v;
}

template <class T> T poison() {
    if constexpr (std::is_floating_point_v<T>) return std::numeric_limits<T>::quiet_NaN();
    else return T(-777);
}
template <class T> bool same(T a, T b) {
    if constexpr (std::is_floating_point_v<T>)
        if (std::isnan(a) && std::isnan(b)) return true;
    return a == b;
}

// Every element equal (NaN equals NaN); reports the first difference.
template <class T>
void check_equal(const std::vector<T>& got, const std::vector<T>& want, const std::string& what) {
    REQUIRE(got.size() == want.size());
    size_t bad = 0, first = 0;
    for (size_t i = 0; i < got.size(); ++i)
        if (!same(got[i], want[i]) && bad++ == 0) first = i;
    INFO(what, ": ", bad, " elements differ, the first at ", first, ": ", (double)got[first], " vs ",
         (double)want[first]);
    CHECK(bad == 0);
}
// |got - want| <= rel·|want| + abs elementwise (NaN only against NaN).
template <class T>
void check_close(const std::vector<T>& got, const std::vector<T>& want, double rel, double abs,
                 const std::string& what) {
    REQUIRE(got.size() == want.size());
    size_t bad = 0, first = 0;
    for (size_t i = 0; i < got.size(); ++i) {
        double g = got[i], w = want[i];
        bool ok = same(got[i], want[i]) || std::fabs(g - w) <= rel * std::fabs(w) + abs;
        if (!ok && bad++ == 0) first = i;
    }
    INFO(what, ": ", bad, " elements differ, the first at ", first, ": ", (double)got[first], " vs ",
         (double)want[first]);
    CHECK(bad == 0);
}

// A strided view: shape, strides and offset into a buffer of `span` elements.
struct View {
    Shape shape, strides;
    int64_t offset = 0;
    int64_t span() const {
        int64_t last = offset;
        for (size_t d = 0; d < shape.size(); ++d) last += (shape[d] - 1) * strides[d];
        return last + 1;
    }
    int64_t numel() const { return shape_numel(shape); }
    // memory offset of row-major position i
    int64_t at(int64_t i) const {
        int64_t off = offset;
        for (int64_t d = (int64_t)shape.size() - 1; d >= 0; --d) {
            off += (i % shape[d]) * strides[d];
            i /= shape[d];
        }
        return off;
    }
    template <class T> Strided of(std::vector<T>& buf) const { return {buf.data() + offset, shape, strides}; }
};
View dense(const Shape& s) { return {s, kc::dense_strides(s), 0}; }

constexpr unsigned long long error_word(int64_t position, int32_t value) {
    return ((unsigned long long)position << 32) | (uint32_t)value;
}

}  // namespace

// ---- the layouts --------------------------------------------------------------------------

TEST_CASE("cuda kernels on the host: make_layout drops size-1 axes and merges contiguous ones") {
    Shape s = {2, 1, 3, 4}, dense_s = kc::dense_strides(s), t = {12, 99, 1, 3};  // last two axes swapped in t
    auto L = kc::make_layout<2>(s, {&dense_s, &t}, "test");
    CHECK(L.numel == 24);
    CHECK(L.rank == 3);  // the size-1 axis is gone; nothing merges, t is not contiguous
    auto D = kc::make_layout<1>(s, {&dense_s}, "test");
    CHECK(D.rank == 1);  // dense: one axis
    CHECK(D.size[0] == 24);
    Shape scalar;
    CHECK(kc::make_layout<1>(scalar, {&scalar}, "test").rank == 0);
    Shape nine(9, 2), ninest(9);
    for (int d = 0; d < 9; ++d) ninest[d] = int64_t(1) << (2 * (8 - d));  // every axis strided: nothing merges
    CHECK_THROWS_WITH_AS(kc::make_layout<1>(nine, {&ninest}, "copy"),
                         "copy: the CUDA backend handles at most 8 non-mergeable axes, got 9", TensorError);
}

// ---- elementwise.cu -------------------------------------------------------------------------

TEST_CASE("cuda kernels on the host: fill") {
    for_all_dtypes([](auto t) {
        using T = decltype(t);
        for (int64_t n : {1, 300, 517})
            for (double value : {2.75, -1.5})
                for (auto ls : launch_shapes(n)) {
                    std::vector<T> got(n, poison<T>()), want(n, poison<T>());
                    launch(ls.blocks, ls.threads, kc::fill_kernel<T>, got.data(), n, static_cast<T>(value));
                    cpu_backend().fill(want.data(), n, value, dtype_of<T>());
                    check_equal(got, want, std::string("fill ") + dtype_name(dtype_of<T>()) + " " + str(ls));
                }
    });
}

TEST_CASE("cuda kernels on the host: copy over strided, broadcast and transposed layouts, with casts") {
    struct Case {
        const char* name;
        View src, dst;
    };
    std::vector<Case> cases = {
        {"dense", dense({3, 4, 5}), dense({3, 4, 5})},
        {"transposed source", {{4, 5}, {1, 4}, 0}, dense({4, 5})},
        {"sliced source into a transposed destination", {{3, 4}, {16, 2}, 3}, {{3, 4}, {1, 3}, 0}},
        {"broadcast source", {{3, 4, 5}, {0, 0, 1}, 0}, dense({3, 4, 5})},
        {"size-1 axes", {{2, 1, 3}, {3, 7, 1}, 1}, {{2, 1, 3}, {1, 5, 2}, 2}},
        {"scalar", {{}, {}, 2}, {{}, {}, 1}},
    };
    for (const auto& c : cases)
        for_all_dtypes([&](auto s) {
            for_all_dtypes([&](auto d) {
                using S = decltype(s);
                using D = decltype(d);
                std::vector<S> src = random_values<S>(c.src.span(), -50, 50, 7);
                for (auto ls : launch_shapes(c.src.numel())) {
                    std::vector<D> got(c.dst.span(), poison<D>()), want = got;
                    auto sv = c.src.of(src), gv = c.dst.of(got), wv = c.dst.of(want);
                    launch(ls.blocks, ls.threads, kc::copy_kernel<S, D>, kc::copy_layout(sv, gv),
                           static_cast<const S*>(sv.data), static_cast<D*>(gv.data));
                    cpu_backend().copy(sv, dtype_of<S>(), wv, dtype_of<D>());
                    check_equal(got, want, std::string("copy, ") + c.name + ", " + dtype_name(dtype_of<S>()) + " to " +
                                               dtype_name(dtype_of<D>()) + ", " + str(ls));
                }
            });
        });
}

TEST_CASE("cuda kernels on the host: unary ops and their derivatives") {
    using U = UnaryOp;
    struct Op {
        U op;
        const char* name;
        bool positive;             // input in [0.2, 3) rather than [-3, 3)
        bool reads_x, reads_y;     // what the derivative reads: the kernel gets null for the other
        bool approx_f32;           // built on exp or tanh: the CPU's fastmath vs libm
        double a = 0, b = 0;
    };
    std::vector<Op> ops = {
        {U::neg, "neg", false, false, false, false},
        {U::exp, "exp", false, false, true, true},
        {U::log, "log", true, true, false, false},
        {U::sqrt, "sqrt", true, false, true, false},
        {U::rsqrt, "rsqrt", true, false, true, false},
        {U::abs, "abs", false, true, false, false},
        {U::tanh, "tanh", false, false, true, true},
        {U::sigmoid, "sigmoid", false, false, true, true},
        {U::relu, "relu", false, true, false, false},
        {U::gelu, "gelu", false, true, false, true},
        {U::pow, "pow", true, true, false, false, 1.7},
        {U::clamp, "clamp", false, true, false, false, -0.5, 0.8},
        {U::affine, "affine", false, false, false, false, 2.0, -1.0},
    };
    const int64_t n = 257;
    for (const auto& o : ops)
        for_float_dtypes([&](auto t) {
            using T = decltype(t);
            DType dt = dtype_of<T>();
            bool approx = o.approx_f32 && dt == DType::f32;
            double rel = approx ? 1e-6 : 0, abs = approx ? 1e-6 : 0;
            std::vector<T> x = random_values<T>(n, o.positive ? 0.2 : -3.0, 3.0, 11),
                           gy = random_values<T>(n, -2, 2, 12);
            std::vector<T> y_cpu(n), gx_cpu(n);
            cpu_backend().unary(o.op, x.data(), y_cpu.data(), n, o.a, o.b, dt);
            cpu_backend().unary_backward(o.op, x.data(), y_cpu.data(), gy.data(), gx_cpu.data(), n, o.a, o.b, dt);
            for (auto ls : launch_shapes(n)) {
                std::string what = std::string(o.name) + " " + dtype_name(dt) + " " + str(ls);
                std::vector<T> y(n, poison<T>()), gx(n, poison<T>());
                launch(ls.blocks, ls.threads, kc::unary_kernel<T>, o.op, static_cast<const T*>(x.data()), y.data(), n,
                       T(o.a), T(o.b));
                check_close(y, y_cpu, rel, abs, what);
                // the derivative from the CPU's y, so that only the derivative's formula is compared
                launch(ls.blocks, ls.threads, kc::unary_backward_kernel<T>, o.op,
                       o.reads_x ? static_cast<const T*>(x.data()) : nullptr,
                       o.reads_y ? static_cast<const T*>(y_cpu.data()) : nullptr, static_cast<const T*>(gy.data()),
                       gx.data(), n, T(o.a), T(o.b));
                check_close(gx, gx_cpu, rel, abs, what + " backward");
            }
        });
}

namespace {
struct BinaryCase {
    const char* name;
    View a, b;  // a.shape is out's shape; b has the same shape (broadcast through its strides)
};
std::vector<BinaryCase> binary_cases() {
    return {
        {"dense", dense({7, 9}), dense({7, 9})},
        // a: [3, 1, 5] broadcast along axis 1; b: a transposed [5, 4] broadcast along axis 0
        {"broadcast and transposed", {{3, 4, 5}, {5, 0, 1}, 0}, {{3, 4, 5}, {0, 1, 4}, 0}},
        // a: every other column of rows 0, 2, 4 of a [6, 10] buffer; b: one scalar
        {"sliced and scalar", {{3, 5}, {20, 2}, 1}, {{3, 5}, {0, 0}, 0}},
        {"size-1 axes", {{2, 1, 3}, {1, 9, 2}, 0}, {{2, 1, 3}, {3, 1, 1}, 0}},
    };
}
}  // namespace

TEST_CASE("cuda kernels on the host: binary ops with broadcasting") {
    using B = BinaryOp;
    std::vector<std::pair<B, const char*>> ops = {{B::add, "add"}, {B::sub, "sub"},         {B::mul, "mul"},
                                                  {B::div, "div"}, {B::maximum, "maximum"}, {B::eq, "eq"},
                                                  {B::gt, "gt"},   {B::lt, "lt"}};
    for (const auto& c : binary_cases())
        for (auto [op, name] : ops)
            for_all_dtypes([&](auto t) {
                using T = decltype(t);
                DType dt = dtype_of<T>();
                // halves (floats) or small integers: ties for eq, gt, lt, maximum; b never 0 for int32's div
                std::vector<T> a = random_values<T>(c.a.span(), -4, 4, 21, 0.5),
                               b = random_values<T>(c.b.span(), 1, 5, 22, 0.5);
                int64_t n = c.a.numel();
                std::vector<T> want(n, poison<T>());
                cpu_backend().binary(op, c.a.of(a), c.b.of(b), want.data(), dt);
                for (auto ls : launch_shapes(n)) {
                    std::vector<T> got(n, poison<T>());
                    auto av = c.a.of(a), bv = c.b.of(b);
                    launch(ls.blocks, ls.threads, kc::binary_kernel<T>, op, kc::binary_layout(av, bv),
                           static_cast<const T*>(av.data), static_cast<const T*>(bv.data), got.data());
                    check_equal(got, want, std::string(name) + ", " + c.name + ", " + dtype_name(dt) + ", " + str(ls));
                }
            });
}

TEST_CASE("cuda kernels on the host: where with broadcast condition and operands, every dtype pair") {
    for (const auto& c : binary_cases()) {
        for (const View& cv : {c.a, c.b})  // the condition laid out as a, then as b
            for_all_dtypes([&](auto ct) {
                for_all_dtypes([&](auto t) {
                    using C = decltype(ct);
                    using T = decltype(t);
                    std::vector<C> cd = random_values<C>(cv.span(), 0, 2, 31, 1.0);  // 0 and 1
                    std::vector<T> a = random_values<T>(c.a.span(), -9, 9, 32), b = random_values<T>(c.b.span(), -9, 9, 33);
                    int64_t n = c.a.numel();
                    std::vector<T> want(n, poison<T>());
                    auto cs = cv.of(cd), as = c.a.of(a), bs = c.b.of(b);
                    cpu_backend().where(cs, dtype_of<C>(), as, bs, want.data(), dtype_of<T>());
                    for (auto ls : launch_shapes(n)) {
                        std::vector<T> got(n, poison<T>());
                        launch(ls.blocks, ls.threads, kc::where_kernel<C, T>, kc::where_layout(cs, as, bs),
                               static_cast<const C*>(cs.data), static_cast<const T*>(as.data),
                               static_cast<const T*>(bs.data), got.data());
                        check_equal(got, want, std::string("where, ") + c.name + ", condition " +
                                                   dtype_name(dtype_of<C>()) + ", " + dtype_name(dtype_of<T>()) +
                                                   ", " + str(ls));
                    }
                });
            });
    }
}

// ---- random.cu ------------------------------------------------------------------------------

TEST_CASE("cuda kernels on the host: Philox uniform and normal numbers are the CPU's, bit for bit") {
    const int64_t n = 1000;
    for_float_dtypes([&](auto t) {
        using T = decltype(t);
        DType dt = dtype_of<T>();
        for (uint64_t offset : {0ull, 12345ull})
            for (auto ls : launch_shapes(n)) {
                std::string what = std::string(dtype_name(dt)) + " offset " + std::to_string(offset) + " " + str(ls);
                std::vector<T> got(n, poison<T>()), want(n, poison<T>());
                launch(ls.blocks, ls.threads, kc::uniform_kernel<T>, got.data(), n, -2.0, 3.0, uint64_t(42), offset);
                cpu_backend().fill_uniform(want.data(), n, -2.0, 3.0, 42, offset, dt);
                check_equal(got, want, "uniform " + what);
                launch(ls.blocks, ls.threads, kc::normal_kernel<T>, got.data(), n, 1.0, 2.0, uint64_t(42), offset);
                cpu_backend().fill_normal(want.data(), n, 1.0, 2.0, 42, offset, dt);
                check_equal(got, want, "normal " + what);
            }
    });
}

// ---- embedding.cu ---------------------------------------------------------------------------

TEST_CASE("cuda kernels on the host: embedding, and the error word for ids outside the table") {
    const int64_t rows = 7, cols = 5;
    for_all_dtypes([&](auto t) {
        using T = decltype(t);
        DType dt = dtype_of<T>();
        std::vector<T> table = random_values<T>(rows * cols, -9, 9, 41);
        auto run = [&](const std::vector<int32_t>& ids, LaunchShape ls, unsigned long long& error) {
            int64_t n = ids.size();
            std::vector<T> out(n * cols, poison<T>());
            error = kc::kNoError;
            launch(ls.blocks, ls.threads, kc::embedding_kernel<T>, ids.data(), n, static_cast<const T*>(table.data()),
                   rows, cols, out.data(), &error);
            return out;
        };
        std::vector<int32_t> ids = {3, 0, 6, 6, 1, 2, 5, 4, 0};
        int64_t n = ids.size();
        std::vector<T> want(n * cols, poison<T>());
        cpu_backend().embedding(ids.data(), n, table.data(), rows, cols, want.data(), dt);
        for (auto ls : launch_shapes(n * cols)) {
            std::string what = std::string(dtype_name(dt)) + " " + str(ls);
            unsigned long long error;
            check_equal(run(ids, ls, error), want, "embedding " + what);
            CHECK(error == kc::kNoError);

            // bad ids at positions 3, 6 and 8: the word holds the first (position 3, id 7);
            // their rows are written as 0, the others as usual
            std::vector<int32_t> bad = ids;
            bad[3] = 7, bad[6] = -2, bad[8] = 100;
            std::vector<T> out = run(bad, ls, error), expect = want;
            for (int64_t i : {3, 6, 8})
                for (int64_t j = 0; j < cols; ++j) expect[i * cols + j] = T(0);
            check_equal(out, expect, "embedding with bad ids " + what);
            CHECK(error == error_word(3, 7));
            // a negative id alone: its bits in the low word, decoded as backend.cpp does
            bad = ids;
            bad[5] = -1;
            run(bad, ls, error);
            CHECK(error == error_word(5, -1));
            CHECK((int64_t)(error >> 32) == 5);
            CHECK((int32_t)(uint32_t)(error & 0xffffffffu) == -1);
        }
        std::vector<int32_t> bad = ids;
        bad[3] = 7;
        CHECK_THROWS_WITH_AS(cpu_backend().embedding(bad.data(), n, table.data(), rows, cols, want.data(), dt),
                             "embedding: id 7 at position 3 is out of range for a table of 7 rows", TensorError);
    });
}

TEST_CASE("cuda kernels on the host: embedding_backward adds repeated ids and skips bad ones") {
    const int64_t rows = 7, cols = 5;
    for_float_dtypes([&](auto t) {
        using T = decltype(t);
        DType dt = dtype_of<T>();
        double tol = dt == DType::f32 ? 1e-6 : 1e-14;
        // id 2 three times, 0 twice; 7 and -1 are outside the table
        std::vector<int32_t> ids = {2, 0, 2, 5, 2, -1, 7, 1, 0};
        int64_t n = ids.size();
        std::vector<T> gout = random_values<T>(n * cols, -2, 2, 51), start = random_values<T>(rows * cols, -1, 1, 52);
        std::vector<T> want = start;
        cpu_backend().embedding_backward(ids.data(), n, gout.data(), rows, cols, want.data(), dt);
        for (auto ls : launch_shapes(n * cols)) {
            std::vector<T> got = start;
            launch(ls.blocks, ls.threads, kc::embedding_backward_kernel<T>, ids.data(), n,
                   static_cast<const T*>(gout.data()), rows, cols, got.data());
            check_close(got, want, tol, tol, std::string("embedding_backward ") + dtype_name(dt) + " " + str(ls));
        }
    });
}

// ---- gather.cu ------------------------------------------------------------------------------

namespace {
struct GatherCase {
    const char* name;
    View x;  // x (gather) or gx (scatter_add)
    int64_t dim;
    View index;  // out / gout have index's shape
};
std::vector<GatherCase> gather_cases() {
    return {
        {"dense, last axis", dense({4, 6}), 1, dense({4, 3})},
        // x: a transposed [6, 4]; index: a transposed [6, 2]
        {"transposed x and index, axis 0", {{4, 6}, {1, 4}, 0}, 0, {{2, 6}, {1, 2}, 0}},
        // x: a [3, 4, 5] window (offset 1) of a [3, 5, 8] buffer; index broadcast along axis 0
        {"sliced x, broadcast index, middle axis", {{3, 4, 5}, {40, 8, 1}, 1}, 1, {{3, 2, 5}, {0, 5, 1}, 0}},
    };
}
}  // namespace

TEST_CASE("cuda kernels on the host: gather, and the error word for indices out of range") {
    for (const auto& c : gather_cases())
        for_all_dtypes([&](auto t) {
            using T = decltype(t);
            DType dt = dtype_of<T>();
            int64_t dim_size = c.x.shape[c.dim], n = c.index.numel();
            std::vector<T> x = random_values<T>(c.x.span(), -9, 9, 61);
            std::vector<int32_t> index = random_values<int32_t>(c.index.span(), 0, (double)dim_size, 62);
            std::vector<T> want(n, poison<T>());
            cpu_backend().gather(c.x.of(x), c.dim, c.index.of(index), want.data(), dt);
            auto run = [&](const std::vector<int32_t>& idx, LaunchShape ls, unsigned long long& error) {
                std::vector<int32_t> copy = idx;  // of(...) takes a mutable buffer
                auto xs = c.x.of(x), is = c.index.of(copy);
                auto al = kc::gather_layout(xs, c.dim, is);
                CHECK(al.dim_size == dim_size);
                std::vector<T> out(n, poison<T>());
                error = kc::kNoError;
                launch(ls.blocks, ls.threads, kc::gather_kernel<T>, al.L, static_cast<const T*>(xs.data),
                       al.dim_stride, al.dim_size, static_cast<const int32_t*>(is.data), out.data(), &error);
                return out;
            };
            for (auto ls : launch_shapes(n)) {
                std::string what = std::string(c.name) + ", " + dtype_name(dt) + ", " + str(ls);
                unsigned long long error;
                check_equal(run(index, ls, error), want, "gather " + what);
                CHECK(error == kc::kNoError);
                // bad indices at (row-major) positions 5 and 8 of index's shape — wherever
                // they are in memory: the word holds position 5 and its value
                std::vector<int32_t> bad = index;
                bad[c.index.at(5)] = (int32_t)dim_size;
                bad[c.index.at(8)] = -3;
                if (c.index.strides[0] == 0) {  // broadcast index: one memory element, several positions
                    INFO("positions 5 and 8 must not share memory in this case");
                    REQUIRE(c.index.at(5) != c.index.at(8));
                }
                std::vector<T> out = run(bad, ls, error), expect(n);
                int64_t first = -1;
                for (int64_t i = 0; i < n; ++i) {
                    int32_t k = bad[c.index.at(i)];
                    bool ok = k >= 0 && k < dim_size;
                    expect[i] = ok ? want[i] : T(0);
                    if (!ok && first < 0) first = i;
                }
                check_equal(out, expect, "gather with bad indices, " + what);
                CHECK(first == 5);
                CHECK(error == error_word(5, (int32_t)dim_size));
            }
        });
}

TEST_CASE("cuda kernels on the host: scatter_add adds repeated indices and skips bad ones") {
    std::vector<GatherCase> cases = gather_cases();
    // gout not contiguous either: a transposed [3, 4] buffer for the first case
    std::vector<View> gouts = {{{4, 3}, {1, 4}, 0}, dense({2, 6}), dense({3, 2, 5})};
    for (size_t ci = 0; ci < cases.size(); ++ci)
        for_float_dtypes([&](auto t) {
            using T = decltype(t);
            const auto& c = cases[ci];
            const View& gv = gouts[ci];
            DType dt = dtype_of<T>();
            double tol = dt == DType::f32 ? 1e-6 : 1e-14;
            int64_t dim_size = c.x.shape[c.dim], n = c.index.numel();
            std::vector<T> gout = random_values<T>(gv.span(), -2, 2, 71),
                           start = random_values<T>(c.x.span(), -1, 1, 72);
            // few distinct values: repeated indices
            std::vector<int32_t> index = random_values<int32_t>(c.index.span(), 0, std::min<double>(2, dim_size), 73);
            // bad entries: the kernel skips them; the CPU (which does not check) gets index 0
            // and a zero gradient there instead — the same sums
            std::vector<int32_t> bad = index, fixed = index;
            std::vector<T> gout_fixed = gout;
            for (int64_t i : {int64_t(1), n - 1}) {
                int64_t m = c.index.at(i);
                bad[m] = i == 1 ? -1 : (int32_t)dim_size;
                fixed[m] = 0;
                // every position reading this index element loses its gradient
                for (int64_t p = 0; p < n; ++p)
                    if (c.index.at(p) == m) gout_fixed[gv.at(p)] = T(0);
            }
            for (bool with_bad : {false, true}) {
                std::vector<T> want = start;
                std::vector<int32_t> cpu_index = with_bad ? fixed : index;
                cpu_backend().scatter_add(gv.of(with_bad ? gout_fixed : gout), c.dim, c.index.of(cpu_index),
                                          c.x.of(want), dt);
                for (auto ls : launch_shapes(n)) {
                    std::vector<T> got = start;
                    std::vector<int32_t> idx = with_bad ? bad : index;
                    auto gs = gv.of(gout), is = c.index.of(idx), xs = c.x.of(got);
                    auto al = kc::scatter_add_layout(gs, c.dim, is, xs);
                    launch(ls.blocks, ls.threads, kc::scatter_add_kernel<T>, al.L, static_cast<T*>(xs.data),
                           al.dim_stride, al.dim_size, static_cast<const int32_t*>(is.data),
                           static_cast<const T*>(gs.data));
                    check_close(got, want, tol, tol,
                                std::string("scatter_add, ") + c.name + (with_bad ? ", bad indices, " : ", ") +
                                    dtype_name(dt) + ", " + str(ls));
                }
            }
        });
}

// ---- adamw.cu -------------------------------------------------------------------------------

TEST_CASE("cuda kernels on the host: adamw updates p, m and v as the CPU does") {
    const int64_t n = 300;
    Backend::AdamW h{1e-3, 0.9, 0.999, 1e-8, 0.01, 1 - std::pow(0.9, 3), 1 - std::pow(0.999, 3)};
    for_float_dtypes([&](auto t) {
        using T = decltype(t);
        DType dt = dtype_of<T>();
        std::vector<T> p0 = random_values<T>(n, -1, 1, 81), g = random_values<T>(n, -1, 1, 82),
                       m0 = random_values<T>(n, -0.1, 0.1, 83), v0 = random_values<T>(n, 0, 0.01, 84);
        std::vector<T> p = p0, m = m0, v = v0;
        cpu_backend().adamw(p.data(), g.data(), m.data(), v.data(), n, h, dt);
        for (auto ls : launch_shapes(n)) {
            std::vector<T> kp = p0, km = m0, kv = v0;
            launch(ls.blocks, ls.threads, kc::adamw_kernel<T>, kp.data(), static_cast<const T*>(g.data()), km.data(),
                   kv.data(), n, T(h.beta1), T(h.beta2), T(h.lr), T(h.eps), T(h.weight_decay), T(h.bias_correction1),
                   T(h.bias_correction2));
            std::string what = std::string(dtype_name(dt)) + " " + str(ls);
            check_equal(kp, p, "adamw p " + what);
            check_equal(km, m, "adamw m " + what);
            check_equal(kv, v, "adamw v " + what);
        }
    });
}
