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
// The block-cooperative kernels (reduce, softmax, layernorm, cross-entropy) run through the
// shim's cooperative launch, a fiber per CUDA thread: see "the block-cooperative
// kernels" below. What none of this can check (see cuda_on_host.h): the GPU's scheduling
// and its own arithmetic. (The launchers run on the host with the whole backend, in
// APRENDER_EMULATE_GPU=kernels: tests/host_cuda/.)
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
#include "cuda/cross_entropy_kernels.cuh"
#include "cuda/elementwise_kernels.cuh"
#include "cuda/embedding_kernels.cuh"
#include "cuda/gather_kernels.cuh"
#include "cuda/layernorm_kernels.cuh"
#include "cuda/random_kernels.cuh"
#include "cuda/reduce_kernels.cuh"
#include "cuda/softmax_kernels.cuh"

#if !APRENDER_CUDA
// CUDA builds get it from libaprender_cuda.so (cuda_backend.cpp); make_layout calls it.
namespace aprender::cuda {
void fail(const std::string& message) { throw TensorError(message); }
}  // namespace aprender::cuda
#endif

using namespace aprender;
namespace kc = aprender::cuda;
using cuda_on_host::launch;
using cuda_on_host::launch_blocks;

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

TEST_CASE("cuda kernels on the host: nd_offsets divides in 32 bits below 2^32 elements, in 64 above, same offsets") {
    // The offsets of position i, the long way: its coordinates times the strides.
    auto expected = [](const kc::NdLayout<2>& L, int64_t i, int k) {
        int64_t off = 0;
        for (int d = L.rank - 1; d >= 0; --d) off += (i % L.size[d]) * L.stride[k][d], i /= L.size[d];
        return off;
    };
    auto check_positions = [&](const kc::NdLayout<2>& L, const std::vector<int64_t>& positions) {
        for (int64_t i : positions) {
            int64_t off[2];
            kc::nd_offsets(L, i, off);
            INFO("position " << i);
            CHECK(off[0] == expected(L, i, 0));
            CHECK(off[1] == expected(L, i, 1));
        }
    };
    // (B, T, nh, hs) read as (B, nh, T, hs): attention's head transpose, 32-bit path
    Shape s = {64, 6, 256, 64}, dst = kc::dense_strides(s), src = {256 * 384, 64, 384, 1};
    auto small = kc::make_layout<2>(s, {&src, &dst}, "test");
    REQUIRE(small.numel < (int64_t(1) << 32));
    check_positions(small, {0, 1, 63, 64, 16383, 16384, 98303, small.numel / 2 + 12345, small.numel - 1});
    // 2^33 elements (a layout only: nothing is allocated), 64-bit path; strides past 2^32 too
    Shape big = {int64_t(1) << 20, 3, 1 << 13}, bd = kc::dense_strides(big), bs = {1, int64_t(1) << 20, int64_t(3) << 20};
    auto L = kc::make_layout<2>(big, {&bs, &bd}, "test");
    REQUIRE(L.numel > (int64_t(1) << 32));
    check_positions(L, {0, 5, (int64_t(1) << 32) - 1, int64_t(1) << 32, (int64_t(1) << 32) + 77777, L.numel - 1});
}

TEST_CASE("cuda kernels on the host: pack_width takes 16 bytes along a unit-stride innermost axis, or 1") {
    alignas(16) static float buf[64];
    auto width = [](const View& src, const View& dst, const float* s, float* d) {
        Strided sv{const_cast<float*>(s) + src.offset, src.shape, src.strides}, dv{d + dst.offset, dst.shape, dst.strides};
        return kc::pack_width<2>(kc::copy_layout(sv, dv), {sv.data, dv.data}, sizeof(float));
    };
    float* out = buf + 32;
    CHECK(width(dense({3, 8}), dense({3, 8}), buf, out) == 4);            // dense: rank 1, 24 elements
    CHECK(width({{3, 8}, {0, 1}, 0}, dense({3, 8}), buf, out) == 4);      // a row repeated
    CHECK(width({{3, 8}, {0, 0}, 5}, dense({3, 8}), buf, out) == 4);      // one value: broadcast, any alignment
    CHECK(width(dense({3, 6}), {{3, 6}, {8, 1}, 0}, buf, out) == 1);      // rows of 6: not a multiple of 4
    CHECK(width({{3, 8}, {8, 1}, 1}, dense({3, 8}), buf, out) == 1);      // the source starts misaligned
    CHECK(width({{2, 8}, {10, 1}, 0}, dense({2, 8}), buf, out) == 1);     // its second row too
    CHECK(width({{8, 4}, {1, 8}, 0}, dense({8, 4}), buf, out) == 1);      // a transpose: stride 8 inside
    CHECK(width(dense({3, 8}), {{3, 8}, {8, 0}, 0}, buf, out) == 1);      // a written operand needs stride 1
    CHECK(width({{}, {}, 0}, {{}, {}, 0}, buf, out) == 1);                // a scalar
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
        // packs (pack_width): the bias rows of a Linear, attention's heads side by side
        {"a row repeated (packs)", {{3, 8}, {0, 1}, 0}, dense({3, 8})},
        {"heads transposed (packs)", {{2, 3, 2, 8}, {48, 8, 24, 1}, 0}, dense({2, 3, 2, 8})},
        {"packs, misaligned source", {{3, 8}, {8, 1}, 1}, dense({3, 8})},
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
                    if constexpr (std::is_same_v<S, D>) {  // the launcher's packed path, where the layout allows
                        std::vector<D> packed(c.dst.span(), poison<D>());
                        auto pv = c.dst.of(packed);
                        auto L = kc::copy_layout(sv, pv);
                        int w = kc::pack_width<2>(L, {sv.data, pv.data}, sizeof(S));
                        if (w == 1) continue;
                        launch(kc::blocks_for(L.numel / w), ls.threads, kc::copy_packed_kernel<S>, L,
                               static_cast<const S*>(sv.data), static_cast<D*>(pv.data));
                        check_equal(packed, want, std::string("copy in packs of ") + std::to_string(w) + ", " +
                                                      c.name + ", " + dtype_name(dtype_of<S>()) + ", " + str(ls));
                    }
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
        // packs (pack_width): a matrix times a row broadcast down it, or a column across it
        {"row broadcast (packs)", dense({5, 8}), {{5, 8}, {0, 1}, 0}},
        {"column broadcast (packs)", {{4, 3, 8}, {48, 16, 1}, 0}, {{4, 3, 8}, {3, 1, 0}, 0}},
    };
}
}  // namespace

TEST_CASE("cuda kernels on the host: binary ops with broadcasting") {
    using B = BinaryOp;
    std::vector<std::pair<B, const char*>> ops = {{B::add, "add"}, {B::sub, "sub"},         {B::mul, "mul"},
                                                  {B::div, "div"}, {B::maximum, "maximum"}, {B::eq, "eq"},
                                                  {B::gt, "gt"},   {B::lt, "lt"}};
    for (const auto& c : binary_cases())
        for (auto [op, name] : ops)  // (op = op: clang before 16 cannot capture a structured binding by itself)
            for_all_dtypes([&, op = op, name = name](auto t) {
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
                    auto L = kc::binary_layout(av, bv);  // the launcher's packed path, where the layout allows
                    int w = kc::pack_width<3>(L, {av.data, bv.data, got.data()}, sizeof(T));
                    if (w == 1) continue;
                    std::vector<T> packed(n, poison<T>());
                    launch(kc::blocks_for(n / w), ls.threads, kc::binary_packed_kernel<T>, op, L,
                           static_cast<const T*>(av.data), static_cast<const T*>(bv.data), packed.data());
                    check_equal(packed, want, std::string(name) + " in packs of " + std::to_string(w) + ", " + c.name +
                                                  ", " + dtype_name(dt) + ", " + str(ls));
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

TEST_CASE("cuda kernels on the host: scatter_add adds repeated indices, skips bad ones and reports them") {
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
            // bad entries: the kernel skips them and records the first; the CPU (which
            // refuses them) gets index 0 and a zero gradient there instead — the same sums
            std::vector<int32_t> bad = index, fixed = index;
            std::vector<T> gout_fixed = gout;
            int64_t first_bad = n;  // the smallest position that reads a bad index element
            for (int64_t i : {int64_t(1), n - 1}) {
                int64_t m = c.index.at(i);
                bad[m] = i == 1 ? -1 : (int32_t)dim_size;
                fixed[m] = 0;
                // every position reading this index element loses its gradient
                for (int64_t p = 0; p < n; ++p)
                    if (c.index.at(p) == m) gout_fixed[gv.at(p)] = T(0), first_bad = std::min(first_bad, p);
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
                    unsigned long long error = kc::kNoError;
                    launch(ls.blocks, ls.threads, kc::scatter_add_kernel<T>, al.L, static_cast<T*>(xs.data),
                           al.dim_stride, al.dim_size, static_cast<const int32_t*>(is.data),
                           static_cast<const T*>(gs.data), &error);
                    check_close(got, want, tol, tol,
                                std::string("scatter_add, ") + c.name + (with_bad ? ", bad indices, " : ", ") +
                                    dtype_name(dt) + ", " + str(ls));
                    CHECK(error == (with_bad ? error_word(first_bad, bad[c.index.at(first_bad)]) : kc::kNoError));
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
            launch(ls.blocks, ls.threads, kc::adamw_kernel<T>,
                   kc::AdamWArgs<T>{kp.data(), g.data(), km.data(), kv.data(), n, T(h.beta1), T(h.beta2), T(h.lr),
                                    T(h.eps), T(h.weight_decay), T(h.bias_correction1), T(h.bias_correction2)});
            std::string what = std::string(dtype_name(dt)) + " " + str(ls);
            check_equal(kp, p, "adamw p " + what);
            check_equal(km, m, "adamw m " + what);
            check_equal(kv, v, "adamw v " + what);
        }
    });
}

TEST_CASE("cuda kernels on the host: adamw_many updates several tensors in one launch, each as adamw does") {
    // three tensors of different sizes, weight decays and step counts (bias corrections);
    // one grid row per tensor, the rows as long as the longest tensor needs
    const std::vector<int64_t> sizes = {300, 7, 1000};
    const std::vector<Backend::AdamW> hs = {
        {1e-3, 0.9, 0.999, 1e-8, 0.01, 1 - std::pow(0.9, 3), 1 - std::pow(0.999, 3)},
        {1e-3, 0.9, 0.999, 1e-8, 0.0, 1 - std::pow(0.9, 1), 1 - std::pow(0.999, 1)},
        {1e-3, 0.9, 0.95, 1e-8, 0.1, 1 - std::pow(0.9, 20), 1 - std::pow(0.95, 20)}};
    for_float_dtypes([&](auto t) {
        using T = decltype(t);
        DType dt = dtype_of<T>();
        std::vector<std::vector<T>> p0, g, m0, v0;
        for (size_t k = 0; k < sizes.size(); ++k) {
            int64_t n = sizes[k];
            p0.push_back(random_values<T>(n, -1, 1, 90 + k));
            g.push_back(random_values<T>(n, -1, 1, 93 + k));
            m0.push_back(random_values<T>(n, -0.1, 0.1, 96 + k));
            v0.push_back(random_values<T>(n, 0, 0.01, 99 + k));
        }
        for (unsigned blocks : {1u, 2u, kc::blocks_for(1000)}) {
            auto p = p0, m = m0, v = v0, kp = p0, km = m0, kv = v0;
            kc::AdamWChunk<T> chunk{};
            for (size_t k = 0; k < sizes.size(); ++k) {
                cpu_backend().adamw(p[k].data(), g[k].data(), m[k].data(), v[k].data(), sizes[k], hs[k], dt);
                const Backend::AdamW& h = hs[k];
                chunk.t[k] = {kp[k].data(), g[k].data(), km[k].data(), kv[k].data(), sizes[k], T(h.beta1), T(h.beta2),
                              T(h.lr), T(h.eps), T(h.weight_decay), T(h.bias_correction1), T(h.bias_correction2)};
            }
            launch(cuda_on_host::Dim3{blocks, (unsigned)sizes.size(), 1}, kc::kThreads, kc::adamw_many_kernel<T>, chunk);
            for (size_t k = 0; k < sizes.size(); ++k) {
                std::string what = std::string(dtype_name(dt)) + " tensor " + std::to_string(k) + ", " +
                                   std::to_string(blocks) + " blocks per row";
                check_equal(kp[k], p[k], "adamw_many p " + what);
                check_equal(km[k], m[k], "adamw_many m " + what);
                check_equal(kv[k], v[k], "adamw_many v " + what);
            }
        }
    });
}

// ==== the block-cooperative kernels ==========================================================
// reduce, softmax, layernorm and cross-entropy run through launch_blocks (cuda_on_host.h):
// one block at a time, its threads as fibers meeting at __syncthreads and in warp
// shuffles. Each runs with the launcher's shape (the shape helpers of block.cuh and the
// *_kernels.cuh headers, which the launchers call) and with a smaller one (2 blocks of 64
// threads) so that rows longer than the block and more rows than blocks take their strides.
//
// Tolerances: the threads sum in another order than the CPU's serial loop (a strided
// partial per thread, then the shuffle tree), and the CPU's float32 exp is its own
// approximation (autograd/fastmath.h, ~1e-7 relative) where the kernels call libm: relative
// 1e-5 for float32, 1e-12 for float64, plus an absolute term of the same size times the
// values' scale (~1) for the results that cancel (softmax and layernorm backward, a
// log-probability near 0). reduce sums in double on both sides: 1e-6 / 1e-13 relative.
// Max is exact.

namespace {

using cuda_on_host::Dim3;

template <class T> double rel_tol() { return std::is_same_v<T, float> ? 1e-5 : 1e-12; }

struct RowShape {
    unsigned blocks, threads;
};
// the launcher's shape, and 2 blocks of 64 threads
std::vector<RowShape> row_shapes(int64_t rows, int64_t cols) {
    return {{kc::row_blocks(rows), (unsigned)kc::row_threads(cols)}, {2, 64}};
}
std::string str(RowShape s) { return std::to_string(s.blocks) + "x" + std::to_string(s.threads); }

}  // namespace

// ---- reduce_kernels.cuh ------------------------------------------------------------------------

namespace {
struct ReduceCase {
    const char* name;
    View x;
    std::vector<bool> reduced;  // per axis
    int num_sms;                // the launcher's split of the reduced range depends on it
};
std::vector<ReduceCase> reduce_cases() {
    return {
        // rows: the reduced axis is the contiguous one, longer than the block
        {"rows, last axis of [6, 300]", dense({6, 300}), {false, true}, 1},
        // columns: the kept axis is contiguous; 40 outputs (a partial block of 32), the
        // 300 rows split over 2 blocks along y that add atomically
        {"columns, first axis of [300, 40]", dense({300, 40}), {true, false}, 4},
        // everything into one output, split over 3 blocks along y (rows layout)
        {"all of [5000]", dense({5000}), {true}, 8},
        {"all of [7, 50, 3]", dense({7, 50, 3}), {true, true, true}, 1},
        // x a transposed [6, 5, 4] (strides 1, 6, 30), the middle axis reduced: rows layout
        // over a strided reduced axis and strided kept axes
        {"middle axis of a transposed [2, 5, 3]", {{2, 5, 3}, {15, 3, 1}, 0}, {false, true, false}, 1},
        {"middle axis of a permuted [2, 5, 3]", {{2, 5, 3}, {1, 6, 2}, 0}, {false, true, false}, 2},
        // a window (offset 3) of a [9, 70] buffer, the first axis reduced: columns
        {"first axis of a [8, 64] window", {{8, 64}, {70, 1}, 3}, {true, false}, 2},
    };
}
}  // namespace

TEST_CASE("cuda kernels on the host: reduce (sum and max) over rows, columns, everything, strided axes") {
    for (const ReduceCase& rc : reduce_cases())
        for (bool sum : {true, false})
            for_all_dtypes([&](auto t) {
                using T = decltype(t);
                DType dt = dtype_of<T>();
                std::vector<T> x = random_values<T>(rc.x.span(), -10, 10, 77);
                if (!sum && std::is_floating_point_v<T>) x[rc.x.at(rc.x.numel() / 2)] = poison<T>();  // NaN wins
                // out: dense over the kept axes, stride 0 on the reduced ones
                Shape out_strides(rc.x.shape.size(), 0);
                int64_t acc = 1, out_n = 1;
                for (int64_t d = (int64_t)rc.x.shape.size() - 1; d >= 0; --d)
                    if (!rc.reduced[d]) {
                        out_strides[d] = acc;
                        acc *= rc.x.shape[d];
                        out_n *= rc.x.shape[d];
                    }
                T init = sum ? T(0) : poison<T>();
                std::vector<T> want(out_n, init);
                Strided xs = rc.x.of(x), os{want.data(), rc.x.shape, out_strides};
                cpu_backend().reduce(sum ? ReduceOp::sum : ReduceOp::max, xs, os, dt);

                kc::ReduceLayouts L = kc::reduce_layouts(xs, os);  // what cuda_backend.cpp calls
                kc::ReduceShape sh = kc::reduce_shape(sum, L.kept, L.reduced, rc.num_sms);
                std::vector<Dim3> blocks = {sh.columns ? Dim3{32, 8, 1} : Dim3{(unsigned)kc::kThreads, 1, 1}};
                if (!sh.columns) blocks.push_back({64, 1, 1});
                for (Dim3 block : blocks) {
                    std::vector<T> got(out_n, init);
                    T lowest = std::numeric_limits<T>::lowest();
                    const T* px = x.data() + rc.x.offset;
                    Dim3 grid{sh.bx, sh.splits, 1};
                    if (sh.columns) {
                        if (sum) launch_blocks(grid, block, kc::reduce_columns<T, true>, L.kept, L.reduced, px, got.data(), lowest);
                        else launch_blocks(grid, block, kc::reduce_columns<T, false>, L.kept, L.reduced, px, got.data(), lowest);
                    } else {
                        if (sum) launch_blocks(grid, block, kc::reduce_rows<T, true>, L.kept, L.reduced, px, got.data(), lowest);
                        else launch_blocks(grid, block, kc::reduce_rows<T, false>, L.kept, L.reduced, px, got.data(), lowest);
                    }
                    std::string what = std::string(sum ? "sum" : "max") + " " + rc.name + " " + dtype_name(dt) +
                                       (sh.columns ? " columns" : " rows") + " grid " + std::to_string(sh.bx) + "x" +
                                       std::to_string(sh.splits) + " block " + std::to_string(block.x);
                    if (sum) check_close(got, want, std::is_same_v<T, float> ? 1e-6 : 1e-13, 1e-12, what);
                    else check_equal(got, want, what);
                }
            });
    // the shapes above do take both layouts and split the reduced range
    std::vector<double> x(300 * 40);
    View v = dense({300, 40});
    Shape os = {0, 1};
    auto L = kc::reduce_layouts(v.of(x), {x.data(), v.shape, os});
    auto sh = kc::reduce_shape(true, L.kept, L.reduced, 4);
    CHECK(sh.columns);
    CHECK(sh.bx == 2);
    CHECK(sh.splits == 2);
    std::vector<double> y(5000);
    View w = dense({5000});
    Shape os0 = {0};
    auto L0 = kc::reduce_layouts(w.of(y), {y.data(), w.shape, os0});
    auto sh0 = kc::reduce_shape(true, L0.kept, L0.reduced, 8);
    CHECK(!sh0.columns);
    CHECK(sh0.splits == 3);
}

// ---- softmax_kernels.cuh -----------------------------------------------------------------------

TEST_CASE("cuda kernels on the host: softmax, log_softmax, causal, and their backward") {
    struct Case {
        int64_t rows, cols;
        bool causal;
    };
    // rows shorter than a warp, one warp, longer than the block; causal: two [T, T] blocks;
    // 9 rows of 40: more rows than a block of the warp kernel has warps, a partial last pass
    for (Case c : std::vector<Case>{
             {5, 7, false}, {4, 32, false}, {3, 300, false}, {32, 16, true}, {6, 3, true}, {9, 40, false}})
        for (bool log : {false, true})
            for_float_dtypes([&](auto t) {
                using T = decltype(t);
                DType dt = dtype_of<T>();
                int64_t n = c.rows * c.cols;
                std::vector<T> x = random_values<T>(n, -5, 5, 5), gy = random_values<T>(n, -1, 1, 6);
                std::vector<T> y(n, poison<T>()), gx(n, poison<T>());
                cpu_backend().softmax(x.data(), y.data(), c.rows, c.cols, log, c.causal, dt);
                // the backward of the causal case gets y with its zeros (log: -inf) as given
                std::vector<T> yb = y;
                if (log && c.causal)
                    for (auto& v : yb) v = std::isinf(v) ? T(-1e4) : v;  // finite, so gy·exp(y) stays 0
                cpu_backend().softmax_backward(yb.data(), gy.data(), gx.data(), c.rows, c.cols, log, dt);
                for (RowShape rs : row_shapes(c.rows, c.cols)) {
                    std::string what = std::to_string(c.rows) + "x" + std::to_string(c.cols) +
                                       (c.causal ? " causal" : "") + (log ? " log" : "") + " " + dtype_name(dt) +
                                       " " + str(rs);
                    std::vector<T> got(n, poison<T>()), ggot(n, poison<T>());
                    launch_blocks({rs.blocks}, {rs.threads}, kc::softmax_kernel<T>, static_cast<const T*>(x.data()),
                                  got.data(), c.rows, c.cols, log, c.causal);
                    check_close(got, y, rel_tol<T>(), rel_tol<T>(), "softmax " + what);
                    launch_blocks({rs.blocks}, {rs.threads}, kc::softmax_backward_kernel<T>,
                                  static_cast<const T*>(yb.data()), static_cast<const T*>(gy.data()), ggot.data(),
                                  c.rows, c.cols, log);
                    check_close(ggot, gx, rel_tol<T>(), rel_tol<T>(), "softmax backward " + what);
                }
                // the warp-per-row kernels (the launcher's choice up to 1024 columns): their
                // launch shape, and 2 blocks of 2 warps, so the warps' grid stride is taken
                for (RowShape rs : {RowShape{kc::warp_row_blocks(c.rows), 256}, RowShape{2, 64}}) {
                    std::string what = std::to_string(c.rows) + "x" + std::to_string(c.cols) +
                                       (c.causal ? " causal" : "") + (log ? " log" : "") + " " + dtype_name(dt) +
                                       " warp per row " + str(rs);
                    std::vector<T> got(n, poison<T>()), ggot(n, poison<T>());
                    launch_blocks({rs.blocks}, {rs.threads}, kc::softmax_warp_kernel<T>,
                                  static_cast<const T*>(x.data()), got.data(), c.rows, c.cols, log, c.causal);
                    check_close(got, y, rel_tol<T>(), rel_tol<T>(), "softmax " + what);
                    launch_blocks({rs.blocks}, {rs.threads}, kc::softmax_backward_warp_kernel<T>,
                                  static_cast<const T*>(yb.data()), static_cast<const T*>(gy.data()), ggot.data(),
                                  c.rows, c.cols, log);
                    check_close(ggot, gx, rel_tol<T>(), rel_tol<T>(), "softmax backward " + what);
                }
            });
}

// ---- cross_entropy_kernels.cuh -----------------------------------------------------------------

TEST_CASE("cuda kernels on the host: cross_entropy, ignore_index, the error word, and the backward") {
    const int32_t ignore = -100;
    for (int64_t cols : {10, 300})
        for_float_dtypes([&](auto t) {
            using T = decltype(t);
            DType dt = dtype_of<T>();
            const int64_t rows = 6;
            std::vector<T> logits = random_values<T>(rows * cols, -4, 4, 8);
            std::vector<int32_t> targets = {3, 0, ignore, int32_t(cols - 1), 7, 1};
            std::vector<T> loss(rows, poison<T>()), lse(rows, poison<T>()), g(rows * cols, poison<T>());
            cpu_backend().cross_entropy(logits.data(), targets.data(), rows, cols, ignore, loss.data(), lse.data(), dt);
            const double scale = 1.0 / 5;
            cpu_backend().cross_entropy_backward(logits.data(), targets.data(), lse.data(), rows, cols, ignore, scale,
                                                 g.data(), dt);
            auto run = [&](const std::vector<int32_t>& tg, RowShape rs, std::vector<T>& l, std::vector<T>& s) {
                l.assign(rows, poison<T>());
                s.assign(rows, poison<T>());
                unsigned long long error = kc::kNoError;
                launch_blocks({rs.blocks}, {rs.threads}, kc::cross_entropy_kernel<T>,
                              static_cast<const T*>(logits.data()), tg.data(), rows, cols, ignore, l.data(), s.data(),
                              &error);
                return error;
            };
            for (RowShape rs : row_shapes(rows, cols)) {
                std::string what = std::to_string(cols) + " classes " + dtype_name(dt) + " " + str(rs);
                std::vector<T> l, s;
                CHECK(run(targets, rs, l, s) == kc::kNoError);
                check_close(l, loss, rel_tol<T>(), rel_tol<T>(), "cross_entropy loss " + what);
                check_close(s, lse, rel_tol<T>(), rel_tol<T>(), "cross_entropy lse " + what);
                CHECK(l[2] == T(0));  // ignored

                std::vector<T> gg(rows * cols, poison<T>());
                launch_blocks({rs.blocks}, {rs.threads}, kc::cross_entropy_backward_kernel<T>,
                              static_cast<const T*>(logits.data()), static_cast<const int32_t*>(targets.data()),
                              static_cast<const T*>(lse.data()), rows, cols, ignore, T(scale), gg.data());
                check_close(gg, g, rel_tol<T>(), rel_tol<T>(), "cross_entropy backward " + what);

                // bad targets at rows 1 and 4: the word holds the first; their losses are 0
                std::vector<int32_t> bad = targets;
                bad[1] = (int32_t)cols, bad[4] = -3;
                CHECK(run(bad, rs, l, s) == error_word(1, (int32_t)cols));
                CHECK(l[1] == T(0));
                CHECK(l[4] == T(0));
                check_close(s, lse, rel_tol<T>(), rel_tol<T>(), "cross_entropy lse with bad targets " + what);
                bad = targets;
                bad[5] = -1;
                CHECK(run(bad, rs, l, s) == error_word(5, -1));
            }
            std::vector<int32_t> bad = targets;
            bad[1] = (int32_t)cols;
            CHECK_THROWS_WITH_AS(cpu_backend().cross_entropy(logits.data(), bad.data(), rows, cols, ignore,
                                                             loss.data(), lse.data(), dt),
                                 ("cross_entropy: target " + std::to_string(cols) + " at row 1 is out of range for " +
                                  std::to_string(cols) + " classes")
                                     .c_str(),
                                 TensorError);
        });
}

// ---- layernorm_kernels.cuh ---------------------------------------------------------------------

TEST_CASE("cuda kernels on the host: layernorm forward and backward, with and without weight and bias") {
    struct Case {
        int64_t rows, cols;
        int num_sms;
    };
    // a row shorter than a warp; longer than the block; 150 rows of 40: gw/gb's grid is
    // 2 column blocks (the second partial) x 3 row splits adding atomically
    for (Case c : std::vector<Case>{{5, 24, 1}, {3, 300, 1}, {150, 40, 4}})
        for (bool affine : {true, false})
            for_float_dtypes([&](auto t) {
                using T = decltype(t);
                DType dt = dtype_of<T>();
                int64_t n = c.rows * c.cols;
                const double eps = 1e-5;
                std::vector<T> x = random_values<T>(n, -3, 3, 11), gy = random_values<T>(n, -1, 1, 12);
                std::vector<T> w = random_values<T>(c.cols, 0.5, 1.5, 13), b = random_values<T>(c.cols, -1, 1, 14);
                const T* pw = affine ? w.data() : nullptr;
                const T* pb = affine ? b.data() : nullptr;
                std::vector<T> y(n, poison<T>()), mean(c.rows, poison<T>()), rstd(c.rows, poison<T>());
                cpu_backend().layernorm(x.data(), pw, pb, y.data(), mean.data(), rstd.data(), c.rows, c.cols, eps, dt);
                // gw and gb accumulate: they start from earlier values
                std::vector<T> gx(n, poison<T>()), gw = random_values<T>(c.cols, -1, 1, 15),
                                                   gb = random_values<T>(c.cols, -1, 1, 16);
                std::vector<T> gw0 = gw, gb0 = gb;
                cpu_backend().layernorm_backward(gy.data(), x.data(), pw, mean.data(), rstd.data(), gx.data(),
                                                 gw.data(), gb.data(), c.rows, c.cols, dt);
                // the row kernels on the small cases (a thread per CUDA thread costs: 150 rows
                // would take seconds); the 150 rows are for gw/gb's split grid
                for (RowShape rs : c.rows <= 5 ? row_shapes(c.rows, c.cols) : std::vector<RowShape>{}) {
                    std::string what = std::to_string(c.rows) + "x" + std::to_string(c.cols) +
                                       (affine ? " affine " : " plain ") + dtype_name(dt) + " " + str(rs);
                    std::vector<T> gy_(n, poison<T>()), gm(c.rows, poison<T>()), gr(c.rows, poison<T>());
                    launch_blocks({rs.blocks}, {rs.threads}, kc::layernorm_kernel<T>, static_cast<const T*>(x.data()),
                                  pw, pb, gy_.data(), gm.data(), gr.data(), c.rows, c.cols, T(eps));
                    check_close(gy_, y, rel_tol<T>(), rel_tol<T>(), "layernorm y " + what);
                    check_close(gm, mean, rel_tol<T>(), rel_tol<T>(), "layernorm mean " + what);
                    check_close(gr, rstd, rel_tol<T>(), 0, "layernorm rstd " + what);

                    std::vector<T> ggx(n, poison<T>());
                    launch_blocks({rs.blocks}, {rs.threads}, kc::layernorm_backward_gx<T>,
                                  static_cast<const T*>(gy.data()), static_cast<const T*>(x.data()), pw,
                                  static_cast<const T*>(mean.data()), static_cast<const T*>(rstd.data()), ggx.data(),
                                  c.rows, c.cols);
                    check_close(ggx, gx, rel_tol<T>(), rel_tol<T>(), "layernorm gx " + what);
                }
                // gw, gb (they do not depend on w: once): the launcher's grid, and one block
                // along y; gw or gb alone with the launcher's grid only
                kc::WbGrid grid = kc::layernorm_wb_grid(c.rows, c.cols, c.num_sms);
                if (c.rows == 150) CHECK(grid.splits == 3);
                if (!affine) return;
                for (unsigned splits : {grid.splits, 1u}) {
                    std::string what = std::to_string(c.rows) + "x" + std::to_string(c.cols) +
                                       (affine ? " affine " : " plain ") + dtype_name(dt) + " splits " +
                                       std::to_string(splits);
                    std::vector<T> ggw = gw0, ggb = gb0;
                    launch_blocks({grid.bx, splits}, {32, 8}, kc::layernorm_backward_wb<T>,
                                  static_cast<const T*>(gy.data()), static_cast<const T*>(x.data()),
                                  static_cast<const T*>(mean.data()), static_cast<const T*>(rstd.data()), ggw.data(),
                                  ggb.data(), c.rows, c.cols);
                    // sums over up to 150 rows of values ~1, in another order: the scale is ~10
                    check_close(ggw, gw, rel_tol<T>(), 10 * rel_tol<T>(), "layernorm gw " + what);
                    check_close(ggb, gb, rel_tol<T>(), 10 * rel_tol<T>(), "layernorm gb " + what);
                    if (splits != grid.splits) continue;
                    // gw alone (gb null), then gb alone
                    std::vector<T> only = gw0;
                    launch_blocks({grid.bx, splits}, {32, 8}, kc::layernorm_backward_wb<T>,
                                  static_cast<const T*>(gy.data()), static_cast<const T*>(x.data()),
                                  static_cast<const T*>(mean.data()), static_cast<const T*>(rstd.data()), only.data(),
                                  static_cast<T*>(nullptr), c.rows, c.cols);
                    check_close(only, gw, rel_tol<T>(), 10 * rel_tol<T>(), "layernorm gw alone " + what);
                    only = gb0;
                    launch_blocks({grid.bx, splits}, {32, 8}, kc::layernorm_backward_wb<T>,
                                  static_cast<const T*>(gy.data()), static_cast<const T*>(x.data()),
                                  static_cast<const T*>(mean.data()), static_cast<const T*>(rstd.data()),
                                  static_cast<T*>(nullptr), only.data(), c.rows, c.cols);
                    check_close(only, gb, rel_tol<T>(), 10 * rel_tol<T>(), "layernorm gb alone " + what);
                }
            });
}

// ---- the cooperative launch itself -------------------------------------------------------------

namespace {
// A barrier only some threads reach: the launch must fail, not hang or pass.
__global__ void divergent_barrier(int* out) {
    if (threadIdx.x < 16) __syncthreads();
    out[threadIdx.x] = 1;
}
// Each thread writes its index to shared memory; after the barrier it reads its neighbour's.
__global__ void shared_neighbour(int* out) {
    __shared__ int s[128];
    s[threadIdx.x] = (int)(threadIdx.x + 1000 * blockIdx.x);
    __syncthreads();
    out[blockIdx.x * blockDim.x + threadIdx.x] = s[(threadIdx.x + 1) % blockDim.x];
}
// Half the warp waits at __syncthreads, the other half at a shuffle: on a GPU, a hang.
__global__ void mismatched_barriers(int* out) {
    if (threadIdx.x < 16) __syncthreads();
    else out[threadIdx.x] = __shfl_xor_sync(0xffffffffu, (int)threadIdx.x, 1);
}
// shared_neighbour without its barrier: each thread reads both neighbours' slots.
__global__ void missing_barrier(int* out) {
    __shared__ int s[64];
    s[threadIdx.x] = (int)(threadIdx.x + 1000 * (blockIdx.x + 1));
    out[(blockIdx.x * 2 + 0) * 64 + threadIdx.x] = s[(threadIdx.x + 1) % 64];
    out[(blockIdx.x * 2 + 1) * 64 + threadIdx.x] = s[(threadIdx.x + 63) % 64];
}
}  // namespace

TEST_CASE("cuda kernels on the host: the cooperative launch shares memory, shuffles, and catches divergent barriers") {
    std::vector<int> out(3 * 128, -1);
    launch_blocks({3}, {128}, shared_neighbour, out.data());
    for (int b = 0; b < 3; ++b)
        for (int t = 0; t < 128; ++t) CHECK(out[b * 128 + t] == (t + 1) % 128 + 1000 * b);
    std::vector<int> flags(32, 0);
    CHECK_THROWS_AS(launch_blocks({1}, {32}, divergent_barrier, flags.data()), std::runtime_error);
    CHECK_THROWS_WITH_AS(launch_blocks({1}, {32}, mismatched_barriers, flags.data()),
                         doctest::Contains("deadlock in block (0, 0, 0)"), std::runtime_error);
    // A missing barrier is caught every run, whichever neighbour a thread reads: the threads
    // of block 0 run in ascending order (thread t reads slot t + 1 before its owner writes
    // it), those of block 1 in descending order (slot t - 1).
    std::vector<int> seen(2 * 2 * 64, 0);
    launch_blocks({2}, {64}, missing_barrier, seen.data());
    for (int b = 0; b < 2; ++b)
        for (int side = 0; side < 2; ++side) {
            int stale = 0;
            for (int t = 0; t < 64; ++t) {
                int neighbour = side == 0 ? (t + 1) % 64 : (t + 63) % 64;
                stale += seen[(b * 2 + side) * 64 + t] != neighbour + 1000 * (b + 1);
            }
            INFO("block " << b << (side == 0 ? ", right" : ", left") << " neighbour");
            CHECK(stale > 0);
        }
    // block_reduce: every thread gets the block's sum and max, over 4 warps
    static std::vector<double> results;
    results.assign(128 * 2, -1);
    auto kernel = +[](double* r) {
        __shared__ double scratch[32];
        double v = threadIdx.x;
        r[threadIdx.x] = kc::block_reduce(v, scratch, kc::SumOp{}, 0.0);
        r[128 + threadIdx.x] = kc::block_reduce(v, scratch, kc::MaxOp{}, -1.0);
    };
    launch_blocks({1}, {128}, kernel, results.data());
    for (int t = 0; t < 128; ++t) {
        CHECK(results[t] == 127 * 128 / 2);
        CHECK(results[128 + t] == 127);
    }
}
