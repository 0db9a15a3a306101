// backend.cpp — the registry that maps a device to its backend. The CPU backend is
// always there; the CUDA backend is created here, lazily, the first time a CUDA tensor
// is asked for — and only when it was compiled in (APRENDER_CUDA) and the runtime sees
// a GPU. Nothing else outside cuda/ needs to know that CUDA exists.
#include "autograd/backend.h"

#include "autograd/tensor.h"

#if APRENDER_CUDA
#include <dlfcn.h>
#endif

#include <cstdlib>

#include <mutex>
#include <string>
#include <vector>

namespace aprender {

static Backend* g_backends[2] = {nullptr, nullptr};

#if APRENDER_CUDA
// The CUDA backend lives in its own shared library (cuBLAS is large: linking it into
// every program would cost each CPU run ~150 MiB of memory), opened on first use from
// $APRENDER_CUDA_LIB, else the build folder it was compiled into, else the loader's path.
struct CudaLibrary {
    int (*device_count)() = nullptr;
    Backend* (*make_backend)() = nullptr;
};

static const CudaLibrary& cuda_library() {
    static CudaLibrary lib = [] {
        CudaLibrary l;
        std::vector<std::string> candidates;
        if (const char* env = std::getenv("APRENDER_CUDA_LIB")) candidates.push_back(env);
#ifdef APRENDER_CUDA_LIB
        candidates.push_back(APRENDER_CUDA_LIB);
#endif
        candidates.push_back("libaprender_cuda.so");
        for (const auto& path : candidates) {
            if (void* h = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL)) {
                l.device_count = reinterpret_cast<int (*)()>(dlsym(h, "aprender_cuda_device_count"));
                l.make_backend = reinterpret_cast<Backend* (*)()>(dlsym(h, "aprender_cuda_make_backend"));
                if (l.device_count && l.make_backend) break;
            }
        }
        return l;
    }();
    return lib;
}
#endif

void register_backend(Device::Kind kind, Backend* b) { g_backends[(int)kind] = b; }

// APRENDER_EMULATE_GPU=1 on a machine without a GPU: device cuda is the CPU's kernels on
// memory that host code may not touch (emulated_gpu.cpp), to test `--device cuda` paths.
static bool emulate_gpu() {
    const char* e = std::getenv("APRENDER_EMULATE_GPU");
    return e && std::string(e) == "1";
}

// The CUDA backend, created on first use; null when there is none.
static Backend* cuda_backend_or_null() {
    static std::once_flag once;
    std::call_once(once, [] {
        if (g_backends[(int)Device::Kind::cuda]) return;
#if APRENDER_CUDA
        const CudaLibrary& lib = cuda_library();
        if (lib.device_count && lib.device_count() > 0) {
            g_backends[(int)Device::Kind::cuda] = lib.make_backend();
            return;
        }
#endif
        if (emulate_gpu()) g_backends[(int)Device::Kind::cuda] = make_emulated_gpu();
    });
    return g_backends[(int)Device::Kind::cuda];
}

Backend& backend(Device device) {
    if (device.is_cpu()) return cpu_backend();
    Backend* b = cuda_backend_or_null();
    if (!b)
        throw TensorError(APRENDER_CUDA ? "device cuda: no CUDA GPU is visible to this process"
                                        : "device cuda: this build of aprender has no CUDA support (rebuild with nvcc on the PATH, or CUDA=1)");
    if (device.index != 0)
        throw TensorError(fmt::format("device {}: aprender drives one GPU, cuda:0 (pick another with CUDA_VISIBLE_DEVICES)",
                                      device.str()));
    return *b;
}

// Asking must never crash or create anything: without a driver, device_count() is 0.
bool cuda_available() {
#if APRENDER_CUDA
    const CudaLibrary& lib = cuda_library();
    if (lib.device_count && lib.device_count() > 0) return true;
#endif
    return g_backends[(int)Device::Kind::cuda] != nullptr || emulate_gpu();
}

}  // namespace aprender
