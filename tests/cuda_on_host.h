// cuda_on_host.h — just enough CUDA for g++ to compile the kernels whose threads work
// alone (cuda/*_kernels.cuh) and run them on the CPU, with no GPU and no CUDA header.
//
// __global__, __device__, __host__ vanish (__forceinline__ becomes inline); threadIdx,
// blockIdx, blockDim and gridDim are plain globals; atomicAdd and atomicMin are plain
// read-modify-writes. launch() runs a "grid" one thread at a time: every (block, thread)
// pair in turn, each running its whole grid-stride loop. A grid smaller than the data
// makes the loop take its stride; the real shape (blocks_for(n) × kThreads) covers it.
//
// What this checks: the kernels' own index math — grid-stride loops, n-d offsets over
// broadcast and strided layouts (and the host's make_layout that builds them), dtype
// casts, index checks and the error word — against the CPU backend, on every build.
// What it cannot: anything concurrent (races, atomics really colliding, the order of
// colliding additions), block cooperation (shared memory, __syncthreads, shuffles: the
// reduce/softmax/layernorm/cross-entropy kernels are not run here), the launchers
// themselves (<<<>>>, their argument casts, dtype dispatch: the tests repeat them), and
// the GPU's own arithmetic (its libm, fused multiply-adds, float rounding). Those need a
// GPU: tests/cuda_ops_test.cpp.
//
// Include it after every other header (it defines reserved names), then the kernel headers.
#pragma once

#if defined(__CUDACC__) || defined(__CUDA_RUNTIME_H__) || defined(__DRIVER_TYPES_H__)
#error "cuda_on_host.h stands in for CUDA: include it without nvcc and without CUDA's headers"
#endif

// <math.h> too: libstdc++'s puts the float overloads (::exp(float), ...) in the global
// namespace, as CUDA's math functions do, so the kernels' unqualified calls find them.
#include <math.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#define __global__
#define __device__
#define __host__
#define __forceinline__ inline

namespace cuda_on_host {
struct Dim3 {
    unsigned x = 1, y = 1, z = 1;
};
}  // namespace cuda_on_host

inline cuda_on_host::Dim3 threadIdx{0, 0, 0}, blockIdx{0, 0, 0}, blockDim{1, 1, 1}, gridDim{1, 1, 1};

template <class T>
T atomicAdd(T* address, T value) {
    T old = *address;
    *address = old + value;
    return old;
}
inline unsigned long long atomicMin(unsigned long long* address, unsigned long long value) {
    unsigned long long old = *address;
    *address = std::min(old, value);
    return old;
}

namespace cuda_on_host {

// kernel<<<blocks, threads>>>(args...), one thread after another.
template <class... P, class... A>
void launch(unsigned blocks, unsigned threads, void (*kernel)(P...), A&&... args) {
    gridDim = {blocks, 1, 1};
    blockDim = {threads, 1, 1};
    for (unsigned b = 0; b < blocks; ++b)
        for (unsigned t = 0; t < threads; ++t) {
            blockIdx = {b, 0, 0};
            threadIdx = {t, 0, 0};
            kernel(args...);
        }
}

}  // namespace cuda_on_host
