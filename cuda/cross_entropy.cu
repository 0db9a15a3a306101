// cross_entropy.cu — the launchers of cross_entropy and cross_entropy_backward; the
// kernels, with their launch shape and napkin math, are in cross_entropy_kernels.cuh.
#include "cuda/common.cuh"
#include "cuda/cross_entropy_kernels.cuh"

namespace aprender::cuda {

void cross_entropy(const void* logits, const int32_t* targets, int64_t rows, int64_t cols, int32_t ignore,
                   void* loss, void* lse, DType dt, unsigned long long* error) {
    if (rows == 0) return;
    dispatch_float(dt, "cross_entropy", [&](auto t) {
        using T = decltype(t);
        cross_entropy_kernel<T><<<row_blocks(rows), row_threads(cols)>>>(static_cast<const T*>(logits), targets, rows,
                                                                         cols, ignore, static_cast<T*>(loss),
                                                                         static_cast<T*>(lse), error);
    });
    check_launch("cross_entropy kernel");
}

void cross_entropy_backward(const void* logits, const int32_t* targets, const void* lse, int64_t rows, int64_t cols,
                            int32_t ignore, double scale, void* glogits, DType dt) {
    if (rows == 0 || cols == 0) return;
    dispatch_float(dt, "cross_entropy backward", [&](auto t) {
        using T = decltype(t);
        cross_entropy_backward_kernel<T><<<row_blocks(rows), row_threads(cols)>>>(
            static_cast<const T*>(logits), targets, static_cast<const T*>(lse), rows, cols, ignore, T(scale),
            static_cast<T*>(glogits));
    });
    check_launch("cross_entropy backward kernel");
}

}  // namespace aprender::cuda
