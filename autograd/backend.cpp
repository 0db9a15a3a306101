// backend.cpp — the registry that maps a device to its backend. The CPU backend is
// always there; the CUDA backend is created here, lazily, the first time a CUDA tensor
// is asked for — and only when it was compiled in (APRENDER_CUDA) and the runtime sees
// a GPU. Nothing else outside cuda/ needs to know that CUDA exists.
#include "autograd/backend.h"

#include "autograd/tensor.h"

#if APRENDER_CUDA
#include "cuda/cuda.h"
#endif

#include <mutex>

namespace aprender {

static Backend* g_backends[2] = {nullptr, nullptr};

void register_backend(Device::Kind kind, Backend* b) { g_backends[(int)kind] = b; }

// The CUDA backend, created on first use; null when there is none.
static Backend* cuda_backend_or_null() {
#if APRENDER_CUDA
    static std::once_flag once;
    std::call_once(once, [] {
        if (!g_backends[(int)Device::Kind::cuda] && cuda::device_count() > 0)
            g_backends[(int)Device::Kind::cuda] = cuda::make_backend();
    });
#endif
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
    if (cuda::device_count() > 0) return true;
#endif
    return g_backends[(int)Device::Kind::cuda] != nullptr;
}

}  // namespace aprender
