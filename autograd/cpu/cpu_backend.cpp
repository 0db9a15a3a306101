// cpu_backend.cpp — the CPU backend's memory: a caching allocator, and copies to and
// from the host, which on the CPU are plain memcpy (host memory is the device's).
// The kernels are in the other files of this folder, one per family (cpu_backend.h
// lists them); cpu_backend() hands out the one instance.
#include "autograd/cpu/cpu_backend.h"

#include "autograd/tensor.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <string>

namespace aprender {
namespace cpu {

CpuBackend::~CpuBackend() {
    for (auto& [size, list] : free_)
        for (void* p : list) std::free(p);
}
// A caching allocator: a freed block goes on a free list for its size class and
// the next tensor of that class reuses it. A training step allocates the same
// sizes every time, so after the first step almost nothing reaches malloc — and
// the kernel no longer has to zero fresh pages for every activation.
void* CpuBackend::allocate(size_t nbytes) {
    size_t size = size_class(nbytes);
    {
        std::lock_guard<std::mutex> lock(mutex_);
        auto& list = free_[size];
        if (!list.empty()) {
            void* p = list.back();
            list.pop_back();
            cached_bytes_ -= size;
            return p;
        }
    }
    void* p = std::aligned_alloc(64, size);  // 64 bytes: a cache line, an AVX-512 register
    if (!p) throw TensorError("cpu: out of memory allocating " + std::to_string(nbytes) + " bytes");
    return p;
}

void CpuBackend::release(void* p, size_t nbytes) {
    size_t size = size_class(nbytes);
    std::lock_guard<std::mutex> lock(mutex_);
    if (cached_bytes_ + size > kMaxCachedBytes) {
        std::free(p);
        return;
    }
    free_[size].push_back(p);
    cached_bytes_ += size;
}

// Sizes are rounded up to 64 bytes, and above 4 KiB to a quarter step between powers
// of two (at most 25% waste), so similar sizes share a list.
size_t CpuBackend::size_class(size_t nbytes) {
    size_t n = (std::max<size_t>(nbytes, 1) + 63) / 64 * 64;
    if (n <= 4096) return n;
    size_t top = size_t(1) << (63 - __builtin_clzll(n - 1));  // largest power of two < n
    size_t step = top / 4;
    return (n + step - 1) / step * step;
}

void CpuBackend::to_host(void* dst, const void* src, size_t n) { std::memcpy(dst, src, n); }
void CpuBackend::from_host(void* dst, const void* src, size_t n) { std::memcpy(dst, src, n); }

}  // namespace cpu

Backend& cpu_backend() {
    static cpu::CpuBackend cpu;
    return cpu;
}

}  // namespace aprender
