// gradcheck.h — is an op's backward right? Compare it with finite differences.
//
// For a function f of several tensors, the backward pass claims to compute dL/dx for
// every element of every input. We can also *measure* that number without any calculus:
//
//     dL/dx_i  ≈  (L(x + h·e_i) - L(x - h·e_i)) / 2h        (central difference)
//
// whose error is O(h²) from the Taylor series plus O(ε·|L|/h) from rounding. In float64
// (ε ≈ 1e-16) with h = 1e-6 both are around 1e-10, far below any real bug — which is why
// gradient checks run in float64 and never in float32 (there ε·|L|/h would be ≈ 0.1).
//
// When f's output y is not a scalar, we contract it with a fixed random tensor R of the
// same shape, L = sum(y · R), and seed backward with R (dL/dy = R). A random projection
// mixes every output element into L with a different weight, so a backward that swaps
// or drops output elements cannot hide (it could with L = sum(y)).
//
// Usage (in a doctest TEST_CASE):
//
//     Generator gen(1);
//     Tensor a = Tensor::normal({3, 1, 4}, 0, 1, gen, DType::f64);
//     Tensor b = Tensor::normal({5, 4}, 0, 1, gen, DType::f64);
//     CHECK_GRAD([](const Inputs& v) { return add(v[0], v[1]); }, {a, b});
//
// Every floating input is checked (int32 inputs — ids, indices, masks — are passed through
// unchanged). Inputs may be non-contiguous views (a transposed or sliced tensor): they
// are perturbed in place, element by element, through their strides, and restored.
// On failure the message names the worst element: input, index, analytic and numeric.
//
// On another device (GradcheckOptions::device, e.g. Device::cuda()) the same check runs
// there: the inputs are copied over layout and all (a transposed input stays transposed),
// f and backward run on the device, and each element is perturbed by the device's own
// fill kernel. tests/gradcheck_cases.cpp holds the cases that run on every device.
#pragma once

#include "autograd/backend.h"
#include "autograd/grad_mode.h"
#include "autograd/ops.h"

#include <doctest/doctest.h>
#include <fmt/format.h>

#include <cmath>
#include <functional>
#include <string>
#include <vector>

namespace aprender::testing {

using Inputs = std::vector<Tensor>;
using Fn = std::function<Tensor(const Inputs&)>;

struct GradcheckOptions {
    double h = 1e-6;     // finite-difference step
    double rtol = 1e-6;  // relative tolerance, against max(|analytic|, |numeric|)
    double atol = 1e-7;  // absolute floor, for gradients that are (nearly) zero
    uint64_t seed = 1234;  // of the projection R
    Device device = Device::cpu();  // where f and backward run (inputs are copied there)
};

struct GradcheckResult {
    bool ok = true;
    std::string report;  // the worst element (always filled, also on success)
};

namespace detail {

// Storage position of the i-th element (row-major order) of a strided tensor.
inline int64_t element_offset(const Tensor& t, int64_t i) {
    int64_t off = 0;
    for (int64_t d = t.dim() - 1; d >= 0; --d) {
        int64_t n = t.shape()[d];
        off += (i % n) * t.strides()[d];
        i /= n;
    }
    return off;
}

inline std::string multi_index(const Shape& s, int64_t i) {
    std::vector<int64_t> idx(s.size());
    for (int64_t d = (int64_t)s.size() - 1; d >= 0; --d) {
        idx[d] = i % s[d];
        i /= s[d];
    }
    return shape_str(idx);
}

// x on `device` with x's layout: its whole storage is copied, then viewed with x's shape,
// strides and offset. On x's own device it is x itself (perturbed in place, then restored).
inline Tensor on_device(const Tensor& x, Device device) {
    if (x.device() == device) return x.detach();
    int64_t n = (int64_t)(x.impl().storage->nbytes / dtype_size(x.dtype()));
    Tensor storage = make_view(x, {n}, {1}, 0).to(device);
    return make_view(storage, x.shape(), x.strides(), x.offset());
}

// Overwrite the i-th element of a float64 tensor, on any device: one element filled by
// the device's own kernel (a host pointer would not reach GPU memory).
inline void set_element(const Tensor& x, int64_t i, double value) {
    double* p = static_cast<double*>(x.impl().storage->data) + x.offset() + element_offset(x, i);
    backend(x.device()).fill(p, 1, value, DType::f64);
}

// L = sum(y · R), in float64, recording nothing.
inline double project(const Tensor& y, const std::vector<double>& r) {
    std::vector<double> v = y.to_double_vector();
    double s = 0;
    for (size_t i = 0; i < v.size(); ++i) s += v[i] * r[i];
    return s;
}

}  // namespace detail

inline GradcheckResult gradcheck(const Fn& f, const Inputs& inputs, GradcheckOptions opt = {}) {
    GradcheckResult res;
    // Fresh float64 leaves on opt.device, with the callers' layout (on the callers' device,
    // their storage too).
    Inputs leaves;
    for (const Tensor& x : inputs) {
        if (!is_floating(x.dtype())) {
            leaves.push_back(detail::on_device(x, opt.device));
            continue;
        }
        if (x.dtype() != DType::f64) {
            res.ok = false;
            res.report = "gradcheck: inputs must be float64 (finite differences are too coarse in float32)";
            return res;
        }
        Tensor leaf = detail::on_device(x, opt.device);
        leaf.requires_grad_();
        leaves.push_back(leaf);
    }

    // Analytic: one backward seeded with R.
    Tensor y = f(leaves);
    Generator gen(opt.seed);
    Tensor R = Tensor::normal(y.shape(), 0.0, 1.0, gen, DType::f64);
    std::vector<double> r = R.to_double_vector();
    if (!y.requires_grad()) {
        res.ok = false;
        res.report = "gradcheck: the output does not require grad (no graph was recorded)";
        return res;
    }
    if (y.device() != opt.device) {
        res.ok = false;
        res.report = fmt::format("gradcheck: the output is on {}, not on {} where the inputs are", y.device().str(),
                                 opt.device.str());
        return res;
    }
    y.backward(R.to(opt.device));

    // Numeric, element by element, and the worst ratio error / tolerance.
    NoGradGuard no_grad;
    double worst = -1;
    for (size_t k = 0; k < leaves.size(); ++k) {
        const Tensor& x = leaves[k];
        if (!is_floating(x.dtype())) continue;
        std::vector<double> analytic =
            x.grad().defined() ? x.grad().to_double_vector() : std::vector<double>(x.numel(), 0.0);
        std::vector<double> values = x.to_double_vector();  // row-major, as i counts
        for (int64_t i = 0; i < x.numel(); ++i) {
            double saved = values[i];
            detail::set_element(x, i, saved + opt.h);
            double lp = detail::project(f(leaves), r);
            detail::set_element(x, i, saved - opt.h);
            double lm = detail::project(f(leaves), r);
            detail::set_element(x, i, saved);
            double numeric = (lp - lm) / (2 * opt.h), a = analytic[i];
            double tol = opt.atol + opt.rtol * std::max(std::fabs(a), std::fabs(numeric));
            double ratio = std::isfinite(a) && std::isfinite(numeric) ? std::fabs(a - numeric) / tol : INFINITY;
            if (ratio > worst) {
                worst = ratio;
                res.report = fmt::format("worst element: input {} {} index {}: analytic {:.10g}, numeric {:.10g} "
                                         "(|diff| {:.3g}, tolerance {:.3g})",
                                         k, shape_str(x.shape()), detail::multi_index(x.shape(), i), a, numeric,
                                         std::fabs(a - numeric), tol);
            }
            if (!(ratio <= 1)) res.ok = false;
        }
    }
    if (!res.ok) res.report = "gradient check failed: " + res.report;
    return res;
}

}  // namespace aprender::testing

// CHECK_GRAD(f, {inputs...}) or CHECK_GRAD(f, {inputs...}, options): a doctest CHECK
// that prints the worst element when the gradients disagree.
#define CHECK_GRAD(...)                                                      \
    do {                                                                     \
        auto gradcheck_result_ = ::aprender::testing::gradcheck(__VA_ARGS__); \
        CHECK_MESSAGE(gradcheck_result_.ok, gradcheck_result_.report);       \
    } while (0)
