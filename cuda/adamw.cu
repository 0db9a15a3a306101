// adamw.cu — the launchers of adamw and adamw_many; the kernels, with their
// launch shape and napkin math, are in adamw_kernels.cuh.
#include "cuda/common.cuh"
#include "cuda/adamw_kernels.cuh"

namespace aprender::cuda {

template <class T>
static AdamWArgs<T> adamw_args(const Backend::AdamWTensor& t) {
    const Backend::AdamW& h = t.h;
    return {static_cast<T*>(t.p), static_cast<const T*>(t.g), static_cast<T*>(t.m), static_cast<T*>(t.v), t.n,
            T(h.beta1), T(h.beta2), T(h.lr), T(h.eps), T(h.weight_decay), T(h.bias_correction1),
            T(h.bias_correction2)};
}

void adamw(void* p, const void* g, void* m, void* v, int64_t n, const Backend::AdamW& h, DType dt) {
    if (n == 0) return;
    dispatch_float(dt, "adamw", [&](auto t) {
        using T = decltype(t);
        adamw_kernel<T><<<blocks_for(n), kThreads>>>(adamw_args<T>({p, g, m, v, n, h}));
    });
    check_launch("adamw kernel");
}

void adamw_many(const std::vector<Backend::AdamWTensor>& tensors, DType dt) {
    dispatch_float(dt, "adamw", [&](auto t) {
        using T = decltype(t);
        static_assert(sizeof(AdamWChunk<T>) <= 4096, "a kernel's arguments are limited to 4 KB");
        for (size_t first = 0; first < tensors.size(); first += kAdamWChunk) {
            AdamWChunk<T> chunk{};
            unsigned count = 0;
            int64_t longest = 0;
            for (size_t k = first; k < tensors.size() && count < kAdamWChunk; ++k) {
                if (tensors[k].n == 0) continue;
                chunk.t[count++] = adamw_args<T>(tensors[k]);
                longest = std::max(longest, tensors[k].n);
            }
            if (count == 0) continue;
            adamw_many_kernel<T><<<dim3(blocks_for(longest), count), kThreads>>>(chunk);
            check_launch("adamw (many tensors) kernel");
        }
    });
}

}  // namespace aprender::cuda
