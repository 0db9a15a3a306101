// elementwise_math.h — the formula of every UnaryOp and BinaryOp, and the derivative of
// every UnaryOp, written once for both backends (APRENDER_HD: the CPU's loops and the
// CUDA kernels compile these same lines).
//
// `M` supplies the transcendental functions, which is where the devices differ: the CPU
// passes its vectorisable float32 exp/tanh (autograd/fastmath.h, which states their error
// bounds), CUDA its own libm; so the two devices may differ in the last bits of those
// functions (tests compare them with a tolerance). Everything else is the same arithmetic.
//
//   struct CpuMath { template <class T> static T exp(T x) { ... } tanh, log, sqrt, pow, fabs };
//   y = unary_f<CpuMath>(UnaryOp::gelu, x, a, b);
#pragma once

#include "autograd/backend.h"
#include "autograd/host_device.h"

#include <cstdint>
#include <type_traits>

namespace aprender::elementwise {

// One element converted to another dtype (Tensor::to, copies between dtypes). Float to
// int32 truncates toward zero like a C++ cast, but a cast of a value outside int32's range,
// or of a NaN, is undefined behaviour in C++; here those saturate at int32's limits and
// NaN gives 0, which is what the GPU's conversion instruction does (cvt.rzi.sat), so both
// devices agree.
template <class D, class S>
APRENDER_HD D convert(S x) {
    if constexpr (std::is_same_v<D, int32_t> && std::is_floating_point_v<S>) {
        if (!(x == x)) return 0;
        if (x >= S(2147483648.0)) return 2147483647;
        if (x <= S(-2147483648.0)) return -2147483647 - 1;
    }
    return static_cast<D>(x);
}

constexpr double kSqrt2OverPi = 0.7978845608028654;  // GELU's √(2/π)

// y = f(x); a and b are the op's parameters (pow's exponent, clamp's bounds, affine's a·x + b)
template <class M, class T>
APRENDER_HD T unary_f(UnaryOp op, T x, T a, T b) {
    switch (op) {
        case UnaryOp::neg: return -x;
        case UnaryOp::exp: return M::exp(x);
        case UnaryOp::log: return M::log(x);
        case UnaryOp::sqrt: return M::sqrt(x);
        case UnaryOp::rsqrt: return T(1) / M::sqrt(x);
        case UnaryOp::abs: return M::fabs(x);
        case UnaryOp::tanh: return M::tanh(x);
        case UnaryOp::sigmoid: return T(1) / (T(1) + M::exp(-x));
        case UnaryOp::relu: return x > T(0) ? x : T(0);
        case UnaryOp::gelu: return T(0.5) * x * (T(1) + M::tanh(T(kSqrt2OverPi) * (x + T(0.044715) * x * x * x)));
        case UnaryOp::pow: return M::pow(x, a);
        case UnaryOp::clamp: {  // min(max(x, a), b), as std::min/std::max order them (NaN stays NaN)
            T m = x < a ? a : x;
            return b < m ? b : m;
        }
        case UnaryOp::affine: return a * x + b;
    }
    return x;
}

// d f(x) / dx, given x and y = f(x) (each op reads the one that is cheaper)
template <class M, class T>
APRENDER_HD T unary_df(UnaryOp op, T x, T y, T a, T b) {
    switch (op) {
        case UnaryOp::neg: return T(-1);
        case UnaryOp::exp: return y;
        case UnaryOp::log: return T(1) / x;
        case UnaryOp::sqrt: return T(0.5) / y;
        case UnaryOp::rsqrt: return T(-0.5) * y * y * y;
        case UnaryOp::abs: return x > T(0) ? T(1) : x < T(0) ? T(-1) : T(0);
        case UnaryOp::tanh: return T(1) - y * y;
        case UnaryOp::sigmoid: return y * (T(1) - y);
        case UnaryOp::relu: return x > T(0) ? T(1) : T(0);
        case UnaryOp::gelu: {  // d/dx ½x(1 + tanh u) = ½(1 + tanh u) + ½x(1 − tanh²u)·du/dx
            T u = T(kSqrt2OverPi) * (x + T(0.044715) * x * x * x);
            T th = M::tanh(u);
            T du = T(kSqrt2OverPi) * (T(1) + T(3 * 0.044715) * x * x);
            return T(0.5) * (T(1) + th) + T(0.5) * x * (T(1) - th * th) * du;
        }
        case UnaryOp::pow: return a * M::pow(x, a - T(1));
        case UnaryOp::clamp: return (x >= a && x <= b) ? T(1) : T(0);
        case UnaryOp::affine: return a;
    }
    return T(0);
}

template <class T>
APRENDER_HD T binary_f(BinaryOp op, T a, T b) {
    // int32 add, sub and mul wrap around on overflow (two's complement), as the GPU's
    // integer instructions and PyTorch's int32 do; signed overflow is undefined behaviour in
    // C++, so they are computed in uint32, where wrapping is the rule.
    if constexpr (std::is_same_v<T, int32_t>) {
        const uint32_t ua = uint32_t(a), ub = uint32_t(b);
        if (op == BinaryOp::add) return int32_t(ua + ub);
        if (op == BinaryOp::sub) return int32_t(ua - ub);
        if (op == BinaryOp::mul) return int32_t(ua * ub);
    }
    switch (op) {
        case BinaryOp::add: return a + b;
        case BinaryOp::sub: return a - b;
        case BinaryOp::mul: return a * b;
        case BinaryOp::div: return a / b;
        case BinaryOp::maximum: return a > b ? a : b;
        case BinaryOp::eq: return a == b ? T(1) : T(0);
        case BinaryOp::gt: return a > b ? T(1) : T(0);
        case BinaryOp::lt: return a < b ? T(1) : T(0);
    }
    return a;
}

}  // namespace aprender::elementwise
