// fastmath.h — exp and tanh for float32 that the compiler can vectorise.
//
// glibc's expf/tanhf are accurate but are function calls the compiler cannot turn into
// SIMD code; in GELU and softmax they cost more than the matrix products around them.
// These versions use only arithmetic, min/max and bit operations, so a loop over them
// becomes AVX code, at a relative error of about 2e-7 (float32's own rounding is 6e-8).
// float64 keeps the library functions: gradient checks need the exact values.
#pragma once

#include <bit>
#include <cmath>
#include <cstdint>

namespace aprender::fastmath {

// e^x = 2^n · e^r with n = round(x / ln 2) and |r| ≤ ln(2)/2; e^r by a degree-7
// polynomial, 1 + r + r²·P₅(r) (Cephes' expf coefficients); 2^n built directly in the exponent bits.
[[gnu::always_inline]] inline float exp(float x) {
    const bool underflow = x < -87.3f;  // e^x below the smallest normal float: exactly 0
    x = x < -87.3f ? -87.3f : x > 88.7f ? 88.7f : x;  // (std::fmin is a call: NaN rules)
    const float shifter = 12582912.0f;  // 1.5·2^23: adding it rounds to an integer
    float n = (x * 1.44269504088896341f + shifter) - shifter;
    float r = x - n * 0.693359375f + n * 2.12194440e-4f;  // x - n·ln2, ln2 split in two for precision
    float p = 1.9875691500e-4f;
    p = p * r + 1.3981999507e-3f;
    p = p * r + 8.3334519073e-3f;
    p = p * r + 4.1665795894e-2f;
    p = p * r + 1.6666665459e-1f;
    p = p * r + 5.0000001201e-1f;
    p = p * r * r + r + 1.0f;
    float scale = std::bit_cast<float>((int32_t)((int32_t)n + 127) << 23);
    return underflow ? 0.0f : p * scale;
}

// tanh(x) = 1 - 2 / (e^{2x} + 1); for |x| < 0.01 the cancellation is avoided with x - x³/3.
[[gnu::always_inline]] inline float tanh(float x) {
    float big = 1.0f - 2.0f / (fastmath::exp(2.0f * x) + 1.0f);
    float small = x - x * x * x * (1.0f / 3.0f);
    return (x < 0.01f && x > -0.01f) ? small : big;
}

// The library versions for double, so templated kernels can call fastmath::exp(T).
inline double exp(double x) { return std::exp(x); }
inline double tanh(double x) { return std::tanh(x); }

}  // namespace aprender::fastmath
