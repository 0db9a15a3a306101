// cuda_runtime.h (host) — what nvcc adds to the runtime API for a .cu file: dim3 and the
// kernel launch. With it, the launchers of cuda/*.cu compile with g++ and run their
// kernels on the CPU (see cuda_runtime_api.h for what this is and is not).
//
// g++ does not know the launch syntax, so the build rewrites each
//     kernel<T><<<grid, block>>>(args...);
// into
//     host_cuda::launch_alone(host_cuda::LaunchConfig(grid, block), kernel<T>, args...);
// or launch_cooperative for the files whose kernels work as a block (reduce, softmax,
// layernorm, cross_entropy): see the Makefile's "host CUDA" rule. The rewritten file keeps
// the original's line numbers (#line), so errors and backtraces point into cuda/*.cu.
// A kernel launched alone that reaches __syncthreads or a shuffle stops the program with
// a message (tests/cuda_on_host.h): a kernel put in the wrong list cannot pass quietly.
#pragma once

#include "cuda_runtime_api.h"

// The kernels' headers need __global__, threadIdx, atomicAdd, ... before anything else:
// this header is included first (-include), so the shim comes with it.
#include "../cuda_on_host.h"

#include <exception>
#include <string>
#include <utility>

struct dim3 {
    unsigned x, y, z;
    constexpr dim3(unsigned x = 1, unsigned y = 1, unsigned z = 1) : x(x), y(y), z(z) {}
};

namespace host_cuda {

struct LaunchConfig {
    dim3 grid, block;
    size_t shared_bytes;
    LaunchConfig(dim3 grid, dim3 block, size_t shared_bytes = 0, cudaStream_t = nullptr)
        : grid(grid), block(block), shared_bytes(shared_bytes) {}
};

// False, with cudaErrorInvalidConfiguration recorded for cudaGetLastError, for a shape no
// GPU launches: an empty grid or block, more than 1024 threads in a block, a grid past
// 2^31 - 1 blocks in x or 65535 in y or z. (Dynamic shared memory: not supported here.)
bool accept_launch(const LaunchConfig& c);
// A kernel failed (the shim threw): the sticky cudaErrorLaunchFailure, and `why` on stderr.
void launch_failed(const std::string& why);

// Kernels whose threads work alone: every (block, thread) in turn, on this thread.
template <class... P, class... A>
void launch_alone(const LaunchConfig& c, void (*kernel)(P...), A&&... args) {
    if (!accept_launch(c)) return;
    if (c.block.y * c.block.z != 1) {
        launch_failed("launch_alone runs one-dimensional blocks only");
        return;
    }
    cuda_on_host::launch({c.grid.x, c.grid.y, c.grid.z}, c.block.x, kernel, std::forward<A>(args)...);
}

// Block-cooperative kernels: a block's threads as real threads (barriers, shuffles).
template <class... P, class... A>
void launch_cooperative(const LaunchConfig& c, void (*kernel)(P...), A&&... args) {
    if (!accept_launch(c)) return;
    try {
        cuda_on_host::launch_blocks({c.grid.x, c.grid.y, c.grid.z}, {c.block.x, c.block.y, c.block.z}, kernel,
                                    std::forward<A>(args)...);
    } catch (const std::exception& e) {
        launch_failed(e.what());
    }
}

}  // namespace host_cuda
