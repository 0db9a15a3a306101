// random.cu — the launchers of fill_uniform and fill_normal; the kernels, with their
// launch shape and napkin math, are in random_kernels.cuh.
#include "cuda/common.cuh"
#include "cuda/random_kernels.cuh"

namespace aprender::cuda {

void fill_uniform(void* dst, int64_t n, double lo, double hi, uint64_t seed, uint64_t offset, DType dt) {
    if (n == 0) return;
    dispatch_float(dt, "uniform", [&](auto t) {
        using T = decltype(t);
        uniform_kernel<T><<<blocks_for(n), kThreads>>>(static_cast<T*>(dst), n, lo, hi, seed, offset);
    });
    check_launch("uniform kernel");
}

void fill_normal(void* dst, int64_t n, double mean, double std, uint64_t seed, uint64_t offset, DType dt) {
    if (n == 0) return;
    dispatch_float(dt, "normal", [&](auto t) {
        using T = decltype(t);
        normal_kernel<T><<<blocks_for(n), kThreads>>>(static_cast<T*>(dst), n, mean, std, seed, offset);
    });
    check_launch("normal kernel");
}

}  // namespace aprender::cuda
