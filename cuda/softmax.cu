// softmax.cu — the launchers of softmax and softmax_backward; the kernels, with their
// launch shape and napkin math, are in softmax_kernels.cuh.
#include "cuda/common.cuh"
#include "cuda/softmax_kernels.cuh"

namespace aprender::cuda {

void softmax(const void* x, void* y, int64_t rows, int64_t cols, bool log, bool causal, DType dt) {
    if (rows == 0 || cols == 0) return;
    dispatch_float(dt, "softmax", [&](auto t) {
        using T = decltype(t);
        if (cols <= kWarpRowMaxCols)
            softmax_warp_kernel<T><<<warp_row_blocks(rows), 256>>>(static_cast<const T*>(x), static_cast<T*>(y), rows,
                                                                   cols, log, causal);
        else
            softmax_kernel<T><<<row_blocks(rows), row_threads(cols)>>>(static_cast<const T*>(x), static_cast<T*>(y),
                                                                       rows, cols, log, causal);
    });
    check_launch("softmax kernel");
}

void softmax_backward(const void* y, const void* gy, void* gx, int64_t rows, int64_t cols, bool log, DType dt) {
    if (rows == 0 || cols == 0) return;
    dispatch_float(dt, "softmax backward", [&](auto t) {
        using T = decltype(t);
        if (cols <= kWarpRowMaxCols)
            softmax_backward_warp_kernel<T><<<warp_row_blocks(rows), 256>>>(
                static_cast<const T*>(y), static_cast<const T*>(gy), static_cast<T*>(gx), rows, cols, log);
        else
            softmax_backward_kernel<T><<<row_blocks(rows), row_threads(cols)>>>(
                static_cast<const T*>(y), static_cast<const T*>(gy), static_cast<T*>(gx), rows, cols, log);
    });
    check_launch("softmax backward kernel");
}

}  // namespace aprender::cuda
