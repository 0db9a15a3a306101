// embedding.cu — the launchers of embedding and embedding_backward; the kernels, with their
// launch shape and napkin math, are in embedding_kernels.cuh.
#include "cuda/common.cuh"
#include "cuda/embedding_kernels.cuh"

namespace aprender::cuda {

void embedding(const int32_t* ids, int64_t n, const void* table, int64_t rows, int64_t cols, void* out, DType dt,
               unsigned long long* error) {
    if (n == 0 || cols == 0) return;
    dispatch_all(dt, [&](auto t) {
        using T = decltype(t);
        embedding_kernel<T><<<blocks_for(n * cols), kThreads>>>(ids, n, static_cast<const T*>(table), rows, cols,
                                                                static_cast<T*>(out), error);
    });
    check_launch("embedding kernel");
}

void embedding_backward(const int32_t* ids, int64_t n, const void* gout, int64_t rows, int64_t cols, void* gtable,
                        DType dt) {
    if (n == 0 || cols == 0) return;
    dispatch_float(dt, "embedding backward", [&](auto t) {
        using T = decltype(t);
        embedding_backward_kernel<T><<<blocks_for(n * cols), kThreads>>>(ids, n, static_cast<const T*>(gout), rows,
                                                                         cols, static_cast<T*>(gtable));
    });
    check_launch("embedding backward kernel");
}

}  // namespace aprender::cuda
