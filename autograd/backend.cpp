// backend.cpp — the registry that maps a device to its backend. The CPU backend is
// always there; the CUDA backend registers itself when it is compiled in, so nothing
// outside cuda/ needs to know it exists.
#include "autograd/backend.h"

#include "autograd/tensor.h"

namespace aprender {

static Backend* g_backends[2] = {nullptr, nullptr};

void register_backend(Device::Kind kind, Backend* b) { g_backends[(int)kind] = b; }

Backend& backend(Device device) {
    if (device.is_cpu()) return cpu_backend();
    Backend* b = g_backends[(int)Device::Kind::cuda];
    if (!b)
        throw TensorError(APRENDER_CUDA ? "device cuda: no CUDA GPU is visible to this process"
                                        : "device cuda: this build of aprender has no CUDA support (rebuild with nvcc on the PATH, or CUDA=1)");
    return *b;
}

bool cuda_available() { return g_backends[(int)Device::Kind::cuda] != nullptr; }

}  // namespace aprender
