// reduce.cpp — sum and max over any set of axes, into an output with zero strides on
// the reduced axes (the contract of Backend::reduce). (cuda/reduce_kernels.cuh is the
// GPU's version.)
//
// The work split is the subject of the comment above reduce_loop: it depends on the
// shape only, so a reduction gives the same bits with any number of threads (tested in
// tests/autograd_ops_test.cpp).
//
// Napkin math: every input is read once. A column sum (a bias gradient) streams
// through memory; a row sum is one float64 add chain per row, bound by the add's
// latency rather than by memory: bench/micro measured ~64 GB/s read for sum(0) of a
// [4096, 1024] float32 tensor and ~10 GB/s for sum(-1), 2 threads (bench/RESULTS.md).
#include "autograd/cpu/cpu_backend.h"
#include "autograd/cpu/loops.h"
#include "autograd/elementwise_math.h"

#include <cmath>
#include <limits>
#include <type_traits>

namespace aprender::cpu {

namespace {

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
    int64_t out_n = 1;  // out's element count: it is dense over its kept axes
    for (size_t d = 0; d < x.shape.size(); ++d)
        if (out.strides[d] != 0) out_n *= x.shape[d];
    if (out_n == 0) return;  // a kept axis of size 0: nothing to write (found by `make fuzz`)
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
        po[i] = elementwise::convert<T>(acc[i]) + (OP == ReduceOp::sum ? po[i] : T(0));  // a sum adds to out
}

}  // namespace

void CpuBackend::reduce(ReduceOp op, const Strided& x, const Strided& out, DType dt) {
    dispatch(dt, [&](auto t) {
        using T = decltype(t);
        if (op == ReduceOp::sum) reduce_loop<T, ReduceOp::sum>(x, out);
        else reduce_loop<T, ReduceOp::max>(x, out);
    });
}

}  // namespace aprender::cpu
