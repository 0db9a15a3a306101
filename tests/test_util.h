// test_util.h — small helpers shared by the autograd tests: float64 random inputs, and
// hand-picked values that stay away from the kinks of relu/abs/clamp/maximum (a finite
// difference straddling a kink measures neither side's slope).
#pragma once

#include "autograd/ops.h"

#include <doctest/doctest.h>

#include <cmath>
#include <vector>

namespace aprender::testing {

// Standard normal float64 numbers, seeded (a test's inputs never change between runs).
inline Tensor randn64(const Shape& shape, uint64_t seed) {
    Generator gen(seed);
    return Tensor::normal(shape, 0.0, 1.0, gen, DType::f64);
}

// Uniform float64 numbers in [lo, hi): positive inputs for log, sqrt, pow, div.
inline Tensor rand64(const Shape& shape, double lo, double hi, uint64_t seed) {
    Generator gen(seed);
    return Tensor::uniform(shape, lo, hi, gen, DType::f64);
}

// Evenly spread values in (-2, 2), shuffled by a fixed stride and nudged by 0.013, so
// that none lies within 0.01 of 0 or ±0.5 (the kinks the tests use).
inline Tensor spread64(const Shape& shape) {
    int64_t n = shape_numel(shape);
    std::vector<double> v(n);
    for (int64_t i = 0; i < n; ++i) {
        int64_t j = (i * 7) % n;  // a fixed shuffle when gcd(7, n) = 1
        v[i] = -2.0 + 4.0 * (double)j / (double)n + 0.013;
        if (std::fabs(v[i]) < 0.01 || std::fabs(std::fabs(v[i]) - 0.5) < 0.01) v[i] += 0.05;
    }
    return Tensor::from(v, shape);
}

// Element-by-element closeness of a tensor to expected numbers (any dtype, any layout).
inline void check_close(const Tensor& t, const std::vector<double>& expected, double tol = 1e-5) {
    std::vector<double> v = t.to_double_vector();
    REQUIRE(v.size() == expected.size());
    for (size_t i = 0; i < v.size(); ++i) {
        INFO("element ", i, " of ", t.str());
        CHECK(v[i] == doctest::Approx(expected[i]).epsilon(tol));
    }
}

}  // namespace aprender::testing
