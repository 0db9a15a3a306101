// fastmath.h — exp and tanh for float32 that the compiler can vectorise.
//
// glibc's expf/tanhf are accurate but are function calls the compiler cannot turn into
// SIMD code; in GELU and softmax they cost more than the matrix products around them.
// These versions use only arithmetic, min/max and bit operations, so a loop over them
// becomes AVX code. exp is within a relative 2e-7 of the truth (float32's own rounding is
// 6e-8); tanh within an absolute 3e-7 (tests/fastmath_test.cpp checks both), which is a
// relative error up to ~1e-5 just above |x| = 0.01, where 1 - 2/(e^{2x} + 1) still cancels.
// float64 keeps the library functions: gradient checks need the exact values.
#pragma once

#include <bit>
#include <cmath>
#include <cstdint>

namespace aprender::fastmath {

// e^x = 2^n · e^r with n = round(x / ln 2) and |r| ≤ ln(2)/2; e^r by a degree-7
// polynomial, 1 + r + r²·P₅(r) (Cephes' expf coefficients); 2^n built directly in the exponent bits.
// The edges: below ln(FLT_MIN) = -87.336545 (results under the smallest normal float) 0,
// above ln(FLT_MAX) = 88.722839 +inf as std::exp, and NaN in gives NaN out.
[[gnu::always_inline]] inline float exp(float x) {
    const bool underflow = x < -87.33654f;  // the smallest float above ln(FLT_MIN)
    const bool overflow = x > 88.72283f;  // the largest float below ln(FLT_MAX)
    x = underflow ? -87.33654f : overflow ? 88.72f : x;  // (std::fmin is a call: NaN rules)
    const float shifter = 12582912.0f;  // 1.5·2^23: adding it rounds to an integer
    float t = x * 1.44269504088896341f + shifter;  // n sits in t's low mantissa bits
    float n = t - shifter;  // round(x / ln 2), in [-126, 128]
    float r = x - n * 0.693359375f + n * 2.12194440e-4f;  // x - n·ln2, ln2 split in two for precision
    float p = 1.9875691500e-4f;
    p = p * r + 1.3981999507e-3f;
    p = p * r + 8.3334519073e-3f;
    p = p * r + 4.1665795894e-2f;
    p = p * r + 1.6666665459e-1f;
    p = p * r + 5.0000001201e-1f;
    p = p * r * r + r + 1.0f;
    // 2^n, built in the exponent bits. n is read from t's bits as an integer, not converted
    // from the float n: for a NaN that conversion is undefined behaviour in C++ (here k is
    // some number, and the NaN in p makes the result NaN). 2^128 is not a float (those
    // exponent bits read +inf), so n = 128 is taken as 2·2^127.
    int32_t k = std::bit_cast<int32_t>(t) - std::bit_cast<int32_t>(shifter);
    p = k > 127 ? 2.0f * p : p;
    k = k > 127 ? 127 : k;
    float scale = std::bit_cast<float>((k + 127) << 23);
    return underflow ? 0.0f : overflow ? INFINITY : p * scale;
}

// tanh(x) = 1 - 2 / (e^{2x} + 1); for |x| < 0.01, where that cancels worst, x - x³/3 instead.
[[gnu::always_inline]] inline float tanh(float x) {
    float big = 1.0f - 2.0f / (fastmath::exp(2.0f * x) + 1.0f);
    float small = x - x * x * x * (1.0f / 3.0f);
    return (x < 0.01f && x > -0.01f) ? small : big;
}

// The library versions for double, so templated kernels can call fastmath::exp(T).
inline double exp(double x) { return std::exp(x); }
inline double tanh(double x) { return std::tanh(x); }

}  // namespace aprender::fastmath
