// layernorm.cu — the launchers of layernorm and layernorm_backward; the kernels, with
// their launch shape and napkin math, are in layernorm_kernels.cuh.
#include "cuda/common.cuh"
#include "cuda/layernorm_kernels.cuh"

namespace aprender::cuda {

void layernorm(const void* x, const void* w, const void* b, void* y, void* mean, void* rstd, int64_t rows,
               int64_t cols, double eps, DType dt) {
    if (rows == 0 || cols == 0) return;
    dispatch_float(dt, "layer_norm", [&](auto t) {
        using T = decltype(t);
        layernorm_kernel<T><<<row_blocks(rows), row_threads(cols)>>>(
            static_cast<const T*>(x), static_cast<const T*>(w), static_cast<const T*>(b), static_cast<T*>(y),
            static_cast<T*>(mean), static_cast<T*>(rstd), rows, cols, T(eps));
    });
    check_launch("layer_norm kernel");
}

void layernorm_backward(const void* gy, const void* x, const void* w, const void* mean, const void* rstd, void* gx,
                        void* gw, void* gb, int64_t rows, int64_t cols, DType dt, int num_sms) {
    if (rows == 0 || cols == 0) return;
    dispatch_float(dt, "layer_norm backward", [&](auto t) {
        using T = decltype(t);
        layernorm_backward_gx<T><<<row_blocks(rows), row_threads(cols)>>>(
            static_cast<const T*>(gy), static_cast<const T*>(x), static_cast<const T*>(w), static_cast<const T*>(mean),
            static_cast<const T*>(rstd), static_cast<T*>(gx), rows, cols);
        check_launch("layer_norm backward (gx) kernel");
        if (!gw && !gb) return;
        WbGrid grid = layernorm_wb_grid(rows, cols, num_sms);
        layernorm_backward_wb<T><<<dim3(grid.bx, grid.splits), dim3(32, 8)>>>(
            static_cast<const T*>(gy), static_cast<const T*>(x), static_cast<const T*>(mean),
            static_cast<const T*>(rstd), static_cast<T*>(gw), static_cast<T*>(gb), rows, cols);
        check_launch("layer_norm backward (gw, gb) kernel");
    });
}

}  // namespace aprender::cuda
