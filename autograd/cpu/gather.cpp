// gather.cpp — out[..., j, ...] = x[..., index[..., j, ...], ...] along one dimension,
// and its backward scatter_add, which adds gout back at the same places. (cuda/
// gather_kernels.cuh is the GPU's version.)
//
// One n-d loop over the index's shape (nd_loop, loops.h) with three operands: x with
// the gathered dimension's stride set to 0 (the index supplies that coordinate), the
// index, and the output. Both run on one thread (scatter_add, split naively, would let
// two threads add into the same element). Every index is checked as it is read.
#include "autograd/cpu/cpu_backend.h"
#include "autograd/cpu/loops.h"

namespace aprender::cpu {

void CpuBackend::gather(const Strided& x, int64_t dim, const Strided& index, void* out, DType dt) {
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

void CpuBackend::scatter_add(const Strided& gout, int64_t dim, const Strided& index, const Strided& gx, DType dt) {
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

}  // namespace aprender::cpu
