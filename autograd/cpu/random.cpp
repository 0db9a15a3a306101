// random.cpp — tensors of uniform and normal numbers from Philox 4x32-10 (autograd/random.h).
//
// Philox is counter-based: element i of a draw is philox::uniform(offset + i, seed), a
// function of its position alone. So the loop can be cut anywhere and the numbers never
// depend on the split; cuda/random_kernels.cuh calls the same function, so a seed gives
// the same tensor on both devices. The chunks are of kGrain / 8 elements, smaller than
// the other loops' (loops.h), because each number is computed, not just moved: Philox's
// 10 rounds, and for a normal number a log, a sqrt and a sine or cosine.
#include "autograd/cpu/cpu_backend.h"
#include "autograd/cpu/loops.h"

#include "autograd/random.h"

namespace aprender::cpu {

void CpuBackend::fill_uniform(void* dst, int64_t n, double lo, double hi, uint64_t seed, uint64_t offset, DType dt) {
    dispatch_float(dt, "uniform", [&](auto t) {
        using T = decltype(t);
        T* p = static_cast<T*>(dst);
        parallel_for(n, kGrain / 8, [&](int64_t b, int64_t e) {
            for (int64_t i = b; i < e; ++i) p[i] = static_cast<T>(philox::scale_shift(hi - lo, philox::uniform(offset + i, seed), lo));
        });
    });
}

void CpuBackend::fill_normal(void* dst, int64_t n, double mean, double std, uint64_t seed, uint64_t offset, DType dt) {
    dispatch_float(dt, "normal", [&](auto t) {
        using T = decltype(t);
        T* p = static_cast<T*>(dst);
        parallel_for(n, kGrain / 8, [&](int64_t b, int64_t e) {
            for (int64_t i = b; i < e; ++i) p[i] = static_cast<T>(philox::scale_shift(std, philox::normal(offset + i, seed), mean));
        });
    });
}

}  // namespace aprender::cpu
