// adamw.cu — the launchers of adamw; the kernels, with their
// launch shape and napkin math, are in adamw_kernels.cuh.
#include "cuda/common.cuh"
#include "cuda/adamw_kernels.cuh"

namespace aprender::cuda {

void adamw(void* p, const void* g, void* m, void* v, int64_t n, const Backend::AdamW& h, DType dt) {
    if (n == 0) return;
    dispatch_float(dt, "adamw", [&](auto t) {
        using T = decltype(t);
        adamw_kernel<T><<<blocks_for(n), kThreads>>>(static_cast<T*>(p), static_cast<const T*>(g), static_cast<T*>(m),
                                                     static_cast<T*>(v), n, T(h.beta1), T(h.beta2), T(h.lr), T(h.eps),
                                                     T(h.weight_decay), T(h.bias_correction1),
                                                     T(h.bias_correction2));
    });
    check_launch("adamw kernel");
}

}  // namespace aprender::cuda
