// gather.cu — the launchers of gather and scatter_add; the kernels, with their
// launch shape and napkin math, are in gather_kernels.cuh.
#include "cuda/common.cuh"
#include "cuda/gather_kernels.cuh"

namespace aprender::cuda {

void gather(const NdLayout<3>& L, const void* x, int64_t dim_stride, int64_t dim_size, const int32_t* index, void* out,
            DType dt, unsigned long long* error) {
    if (L.numel == 0) return;
    dispatch_all(dt, [&](auto t) {
        using T = decltype(t);
        gather_kernel<T><<<blocks_for(L.numel), kThreads>>>(L, static_cast<const T*>(x), dim_stride, dim_size, index,
                                                            static_cast<T*>(out), error);
    });
    check_launch("gather kernel");
}

void scatter_add(const NdLayout<3>& L, void* gx, int64_t dim_stride, int64_t dim_size, const int32_t* index,
                 const void* gout, DType dt, unsigned long long* error) {
    if (L.numel == 0) return;
    dispatch_float(dt, "scatter_add", [&](auto t) {
        using T = decltype(t);
        scatter_add_kernel<T><<<blocks_for(L.numel), kThreads>>>(L, static_cast<T*>(gx), dim_stride, dim_size,
                                                                 index, static_cast<const T*>(gout), error);
    });
    check_launch("scatter_add kernel");
}

}  // namespace aprender::cuda
