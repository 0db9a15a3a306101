// layout.h — NdLayout, the shapes and strides a kernel walks, and how the backend builds
// one from the tensors' strides. Plain C++ (no CUDA header): cuda_backend.cpp (g++),
// the .cu files (nvcc) and tests/cuda_kernels_on_host_test.cpp (g++, no GPU) include it.
#pragma once

#include "autograd/backend.h"

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace aprender::cuda {

// Throws TensorError; implemented in cuda_backend.cpp, where TensorError is known.
[[noreturn]] void fail(const std::string& message);

// ---- n-d layouts ------------------------------------------------------------------------
constexpr int kMaxDims = 8;

// N operands walked over one shape, each with its own strides (in elements). The host
// first drops size-1 axes and merges axes that are contiguous for every operand, as the
// CPU's nd_loop does, so a dense tensor of any rank becomes rank 1.
template <int N>
struct NdLayout {
    int rank = 0;
    int64_t numel = 1;
    int64_t size[kMaxDims] = {};
    int64_t stride[N][kMaxDims] = {};
};

template <int N>
NdLayout<N> make_layout(const std::vector<int64_t>& shape, const std::array<const std::vector<int64_t>*, N>& strides,
                        const char* kernel) {
    NdLayout<N> L;
    std::vector<int64_t> sh;
    std::array<std::vector<int64_t>, N> st;
    for (size_t d = 0; d < shape.size(); ++d) {
        L.numel *= shape[d];
        if (shape[d] == 1) continue;
        sh.push_back(shape[d]);
        for (int k = 0; k < N; ++k) st[k].push_back((*strides[k])[d]);
    }
    for (int64_t d = (int64_t)sh.size() - 2; d >= 0; --d) {
        bool mergeable = true;
        for (int k = 0; k < N; ++k) mergeable = mergeable && st[k][d] == st[k][d + 1] * sh[d + 1];
        if (!mergeable) continue;
        sh[d] *= sh[d + 1];
        sh.erase(sh.begin() + d + 1);
        for (int k = 0; k < N; ++k) {
            st[k][d] = st[k][d + 1];
            st[k].erase(st[k].begin() + d + 1);
        }
    }
    if (sh.size() > (size_t)kMaxDims)
        fail(std::string(kernel) + ": the CUDA backend handles at most 8 non-mergeable axes, got " +
             std::to_string(sh.size()));
    L.rank = (int)sh.size();
    for (int d = 0; d < L.rank; ++d) {
        L.size[d] = sh[d];
        for (int k = 0; k < N; ++k) L.stride[k][d] = st[k][d];
    }
    return L;
}

// Row-major strides of a shape.
inline std::vector<int64_t> dense_strides(const std::vector<int64_t>& s) {
    std::vector<int64_t> st(s.size());
    int64_t acc = 1;
    for (int64_t i = (int64_t)s.size() - 1; i >= 0; --i) {
        st[i] = acc;
        acc *= s[i];
    }
    return st;
}

// ---- the layouts of backend.h's strided kernels ------------------------------------------
// operands: 0 = src, 1 = dst
inline NdLayout<2> copy_layout(const Strided& src, const Strided& dst) {
    return make_layout<2>(src.shape, {&src.strides, &dst.strides}, "copy");
}
// operands: 0 = a, 1 = b, 2 = out (contiguous)
inline NdLayout<3> binary_layout(const Strided& a, const Strided& b) {
    std::vector<int64_t> os = dense_strides(a.shape);
    return make_layout<3>(a.shape, {&a.strides, &b.strides, &os}, "binary op");
}
// operands: 0 = cond, 1 = a, 2 = b, 3 = out (contiguous)
inline NdLayout<4> where_layout(const Strided& cond, const Strided& a, const Strided& b) {
    std::vector<int64_t> os = dense_strides(a.shape);
    return make_layout<4>(a.shape, {&cond.strides, &a.strides, &b.strides, &os}, "where");
}
// gather and scatter_add walk index's shape; operand 0 is x (gx) with its `dim` stride
// zeroed, since the index supplies that coordinate: dim_stride · index is added to it.
struct AxisLayout {
    NdLayout<3> L;  // 0 = x (gx), 1 = index, 2 = out (contiguous) / gout
    int64_t dim_stride, dim_size;
};
inline AxisLayout gather_layout(const Strided& x, int64_t dim, const Strided& index) {
    std::vector<int64_t> xs = x.strides, os = dense_strides(index.shape);
    xs[dim] = 0;
    return {make_layout<3>(index.shape, {&xs, &index.strides, &os}, "gather"), x.strides[dim], x.shape[dim]};
}
inline AxisLayout scatter_add_layout(const Strided& gout, int64_t dim, const Strided& index, const Strided& gx) {
    std::vector<int64_t> xs = gx.strides;
    xs[dim] = 0;
    return {make_layout<3>(index.shape, {&xs, &index.strides, &gout.strides}, "scatter_add"), gx.strides[dim],
            gx.shape[dim]};
}

// reduce walks x's kept axes (out's stride nonzero; operands 0 = x, 1 = out) and its
// reduced axes (out's stride 0; operand 0 = x) as two layouts.
struct ReduceLayouts {
    NdLayout<2> kept;
    NdLayout<1> reduced;
};
inline ReduceLayouts reduce_layouts(const Strided& x, const Strided& out) {
    std::vector<int64_t> kshape, kx, kout, rshape, rx;
    for (size_t d = 0; d < x.shape.size(); ++d) {
        if (out.strides[d] != 0) {
            kshape.push_back(x.shape[d]);
            kx.push_back(x.strides[d]);
            kout.push_back(out.strides[d]);
        } else {
            rshape.push_back(x.shape[d]);
            rx.push_back(x.strides[d]);
        }
    }
    return {make_layout<2>(kshape, {&kx, &kout}, "reduce"), make_layout<1>(rshape, {&rx}, "reduce")};
}

// Where an index check (embedding id, cross-entropy target, gather index) records the
// first bad element: one 64-bit word on the device, (position << 32) | (uint32) value,
// lowered with atomicMin so the smallest position wins — the element the CPU's loop
// would have stopped at. All ones means "no error".
constexpr unsigned long long kNoError = ~0ull;

}  // namespace aprender::cuda
