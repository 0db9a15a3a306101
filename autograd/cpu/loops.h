// loops.h — what every CPU kernel file shares: the n-d loop over strided operands, the
// dtype dispatch, and the ways a loop is split over the thread pool.
//
// Loops over n-d tensors first merge ("coalesce") the axes they can, so a contiguous
// tensor of any rank becomes one flat loop, which the compiler can vectorise; a view (a
// transpose, a slice, a broadcast operand with stride 0) walks its axes like an
// odometer, with a flat loop along the innermost one. Every split over the pool is a
// fixed partition of the work (autograd/parallel.h), so a thread count gives the same
// numbers run after run; where pieces computed apart are added together (sums, layer
// norm's gw and gb) or handed to OpenBLAS (gemm blocks), the pieces depend on the shape
// alone, so any thread count gives the same bits.
#pragma once

#include "autograd/dtype.h"
#include "autograd/parallel.h"
#include "autograd/tensor.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace aprender::cpu {
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

}  // namespace aprender::cpu
