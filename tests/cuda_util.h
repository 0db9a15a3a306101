// cuda_util.h — helpers for the CPU-vs-CUDA tests (tests/cuda_*.cpp).
//
// Every CUDA test case is decorated `* doctest::skip(no_gpu())`: on a machine without a
// GPU (or a build without CUDA) it is counted as skipped, never silently passed.
//
// The parity check runs one function twice — on CPU tensors and on copies of them on
// the GPU — and compares the output, then seeds backward with the same random tensor R
// on both devices and compares every input's gradient. Tolerances are relative to the
// magnitudes involved: |cpu - gpu| ≤ rtol·max(|cpu|, |gpu|) + rtol·floor, where floor is
// 1% of the largest |value| of that tensor (an element that cancels to nearly 0 carries
// the absolute error of the big numbers it came from, not a small relative one).
#pragma once

#include "autograd/backend.h"
#include "autograd/ops.h"

#include <doctest/doctest.h>
#include <fmt/format.h>

#include <cmath>
#include <functional>
#include <string>
#include <vector>

namespace aprender::testing {

inline bool no_gpu() { return !cuda_available(); }
inline Device gpu() { return Device::cuda(); }
// The tests of the CUDA backend's own knobs (cuda/cuda.h: allocator, TF32) need the real
// thing; the others also run on the two stand-ins for a GPU: APRENDER_EMULATE_GPU=1 (the
// CPU's kernels: it checks the tests' own plumbing) and APRENDER_EMULATE_GPU=kernels (our
// CUDA backend compiled for the CPU, tests/host_cuda/: it checks the backend without a GPU).
inline bool no_real_gpu() { return no_gpu() || std::string(backend(gpu()).name()) != "cuda"; }

// Checks (doctest CHECK) that two tensors of the same shape agree; reports the worst element.
inline bool check_close(const Tensor& want, const Tensor& got, double rtol, const std::string& what) {
    if (want.shape() != got.shape()) {
        FAIL_CHECK(what << ": shapes differ, " << shape_str(want.shape()) << " vs " << shape_str(got.shape()));
        return false;
    }
    std::vector<double> a = want.to_double_vector(), b = got.to_double_vector();
    double maxabs = 0;
    for (double v : a) maxabs = std::max(maxabs, std::fabs(v));
    double floor = 0.01 * maxabs, worst = 0;
    size_t worst_i = 0;
    for (size_t i = 0; i < a.size(); ++i) {
        bool both_inf = std::isinf(a[i]) && a[i] == b[i];
        double err = both_inf ? 0 : std::fabs(a[i] - b[i]);
        double tol = rtol * (std::max(std::fabs(a[i]), std::fabs(b[i])) + floor) + 1e-30;
        double ratio = std::isnan(err) ? INFINITY : err / tol;
        if (ratio > worst) worst = ratio, worst_i = i;
    }
    bool ok = worst <= 1;
    if (!ok)
        FAIL_CHECK(fmt::format("{}: element {} cpu {:.9g} cuda {:.9g} (worst |diff|/tol = {:.3g}, rtol {:g})", what, worst_i,
                               a[worst_i], b[worst_i], worst, rtol));
    return ok;
}

using DeviceFn = std::function<Tensor(const std::vector<Tensor>&)>;

// Forward and backward of f on CPU and CUDA. `inputs` live on the CPU; floating ones
// become leaves that require grad on both devices.
inline void check_parity(const std::string& name, const DeviceFn& f, const std::vector<Tensor>& inputs,
                         double rtol_forward = 1e-5, double rtol_backward = 1e-4) {
    INFO(name);
    std::vector<Tensor> cpu, dev;
    for (const Tensor& x : inputs) {
        Tensor c = x.detach(), g = x.detach().to(gpu());
        if (is_floating(x.dtype())) c.requires_grad_(), g.requires_grad_();
        cpu.push_back(c);
        dev.push_back(g);
    }
    Tensor yc = f(cpu), yg = f(dev);
    CHECK_MESSAGE(yg.device() == gpu(), name << ": the result is not on the GPU");
    check_close(yc, yg, rtol_forward, name + " forward");
    if (!yc.requires_grad()) return;
    Generator gen(99);
    Tensor R = Tensor::normal(yc.shape(), 0, 1, gen, yc.dtype());
    yc.backward(R);
    yg.backward(R.to(gpu()));
    for (size_t k = 0; k < inputs.size(); ++k) {
        if (!is_floating(inputs[k].dtype())) continue;
        Tensor gc = cpu[k].grad(), gg = dev[k].grad();
        REQUIRE_MESSAGE(gc.defined() == gg.defined(), name << ": input " << k << " has a gradient on one device only");
        if (gc.defined()) check_close(gc, gg, rtol_backward, fmt::format("{} grad of input {}", name, k));
    }
}

}  // namespace aprender::testing
