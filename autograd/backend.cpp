// backend.cpp — the registry that maps a device to its backend. The CPU backend is
// always there; the CUDA backend is created here, lazily, the first time a CUDA tensor
// is asked for — and only when it was compiled in (APRENDER_CUDA) and the runtime sees
// a GPU. Nothing else outside cuda/ needs to know that CUDA exists.
#include "autograd/backend.h"

#include "autograd/tensor.h"

#include <dlfcn.h>

#include <cstdio>
#include <cstdlib>

#include <mutex>
#include <string>
#include <vector>

namespace aprender {

static Backend* g_backends[2] = {nullptr, nullptr};

// The CUDA backend lives in its own shared library (cuBLAS is large: linking it into
// every program would cost each CPU run ~150 MiB of memory), opened on first use from
// $APRENDER_CUDA_LIB, else the build folder it was compiled into, else the loader's path.
struct CudaLibrary {
    int (*device_count)() = nullptr;
    Backend* (*make_backend)() = nullptr;
};

static CudaLibrary open_cuda_library(const std::vector<std::string>& candidates) {
    CudaLibrary l;
    for (const auto& path : candidates) {
        if (void* h = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL)) {
            l.device_count = reinterpret_cast<int (*)()>(dlsym(h, "aprender_cuda_device_count"));
            l.make_backend = reinterpret_cast<Backend* (*)()>(dlsym(h, "aprender_cuda_make_backend"));
            if (l.device_count && l.make_backend) break;
        }
    }
    return l;
}

#if APRENDER_CUDA
static const CudaLibrary& cuda_library() {
    static CudaLibrary lib = [] {
        std::vector<std::string> candidates;
        if (const char* env = std::getenv("APRENDER_CUDA_LIB")) candidates.push_back(env);
#ifdef APRENDER_CUDA_LIB
        candidates.push_back(APRENDER_CUDA_LIB);
#endif
        candidates.push_back("libaprender_cuda.so");
        return open_cuda_library(candidates);
    }();
    return lib;
}
#endif

void register_backend(Device::Kind kind, Backend* b) { g_backends[(int)kind] = b; }

// On a machine without a GPU, APRENDER_EMULATE_GPU makes device cuda one of two stand-ins
// that let the tests run `--device cuda` code where CI runs:
//   =1        the CPU's kernels on memory host code may not touch (emulated_gpu.cpp): checks
//             that every tensor is moved to and from the device at the right moment;
//   =kernels  our CUDA backend itself — cuda_backend.cpp and the kernels of cuda/*.cu —
//             compiled by g++ for the CPU (libaprender_cuda_host.so, tests/host_cuda/):
//             checks the backend's layouts, launchers, cuBLAS calls and kernels. Slow.
static std::string emulation() {
    const char* e = std::getenv("APRENDER_EMULATE_GPU");
    return e ? e : "";
}

static Backend* host_cuda_backend() {
#ifdef APRENDER_CUDA_HOST_LIB
    CudaLibrary lib = open_cuda_library({APRENDER_CUDA_HOST_LIB});
    if (lib.make_backend) {
        std::fprintf(stderr, "aprender: APRENDER_EMULATE_GPU=kernels and no GPU: device cuda is aprender's CUDA "
                             "backend compiled for the CPU (tests/host_cuda/) — a test of the backend, slow\n");
        return lib.make_backend();
    }
#endif
    throw TensorError("APRENDER_EMULATE_GPU=kernels: the host build of the CUDA backend (libaprender_cuda_host.so) "
                      "was not found; `make` builds it");
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
        std::string e = emulation();
        if (e == "1") g_backends[(int)Device::Kind::cuda] = make_emulated_gpu();
        else if (e == "kernels") g_backends[(int)Device::Kind::cuda] = host_cuda_backend();
        else if (!e.empty() && e != "0")
            throw TensorError(fmt::format("APRENDER_EMULATE_GPU={}: expected 1 (the CPU's kernels on memory the host "
                                          "may not touch), kernels (our CUDA backend compiled for the CPU) or 0",
                                          e));
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
    std::string e = emulation();
    return g_backends[(int)Device::Kind::cuda] != nullptr || e == "1" || e == "kernels";
}

}  // namespace aprender
