// cuda.h — the few things the rest of aprender may ask the CUDA backend directly.
//
// The registry (autograd/backend.cpp) never includes this: it dlopens libaprender_cuda.so
// and calls the two extern "C" entry points at the end of cuda/cuda_backend.cpp. Ops,
// modules and tools reach the GPU through backend(Device::cuda()) like any device; code
// linked with the CUDA library itself (cuda_backend.cpp, tests/cuda_device_test.cpp)
// includes this for the knobs below.
#pragma once

#include "autograd/backend.h"

#include <cstddef>
#include <string>

namespace aprender::cuda {

// GPUs the CUDA runtime sees; 0 when there is none or no driver at all. Never throws.
int device_count() noexcept;

// The backend for cuda:0, created on the first call (cuBLAS handle, device properties).
// The registry calls it lazily (through the extern "C" entry point), the first time a
// CUDA tensor is asked for.
Backend* make_backend();

// TF32 tensor cores for float32 matrix products: ~8x the fp32 peak on an A100/H100,
// with a 10-bit mantissa in the products (results differ from the CPU at ~1e-3).
// Off by default so CPU and GPU agree; the environment variable APRENDER_ALLOW_TF32=1
// turns it on at start (gpt_step --tf32 sets it).
void set_allow_tf32(bool on);
bool allow_tf32();

// The caching allocator (see cuda_backend.cpp): bytes handed out to tensors, bytes kept on
// free lists for reuse, and how often cudaMalloc was really called.
struct MemoryStats {
    size_t in_use_bytes = 0;
    size_t cached_bytes = 0;
    size_t cuda_malloc_calls = 0;
    size_t cache_hits = 0;
};
MemoryStats memory_stats();
std::string memory_report();  // one line, for logs
void empty_cache();           // cudaFree every cached block (tensors in use are untouched)

}  // namespace aprender::cuda
