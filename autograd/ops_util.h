// ops_util.h — small helpers shared by the ops_*.cpp files (not part of the public API).
#pragma once

#include "autograd/backend.h"
#include "autograd/node.h"
#include "autograd/ops.h"

#include <fmt/format.h>

namespace aprender::detail {

inline Strided strided(const Tensor& t) { return {t.raw_data(), t.shape(), t.strides()}; }

// t seen with shape `out` (t's shape broadcast to it): size-1 or missing axes get stride 0.
inline Strided broadcast_view(const Tensor& t, const Shape& out) {
    Strided s{t.raw_data(), out, Shape(out.size(), 0)};
    size_t lead = out.size() - t.shape().size();
    for (size_t i = 0; i < t.shape().size(); ++i)
        s.strides[lead + i] = t.shape()[i] == 1 ? 0 : t.strides()[i];
    return s;
}

inline int64_t normalize_dim(int64_t d, int64_t rank, const char* op) {
    int64_t r = d < 0 ? d + rank : d;
    if (r < 0 || r >= rank)
        throw TensorError(fmt::format("{}: dimension {} is out of range for a tensor of rank {}", op, d, rank));
    return r;
}

// A default-constructed Tensor() reaching an op: say which op, before anything reads it.
inline void check_defined(const Tensor& x, const char* op) {
    if (!x.defined()) throw TensorError(fmt::format("{}: an input is an undefined tensor (a default-constructed Tensor())", op));
}

// A value written into a tensor of `dtype` (full, scalar, masked_fill) must be one it can
// hold: for int32, NaN, the infinities and anything beyond ±2^31 are refused (converting
// them is undefined behaviour in C++); a fraction is truncated toward zero, as a cast does.
inline void check_value_fits(double value, DType dtype, const char* op) {
    if (dtype == DType::i32 && !(value > -2147483649.0 && value < 2147483648.0))
        throw TensorError(fmt::format("{}: the value {} does not fit in an int32 tensor", op, value));
}

inline void check_same_dtype(const Tensor& a, const Tensor& b, const char* op) {
    check_defined(a, op);
    check_defined(b, op);
    if (a.dtype() != b.dtype())
        throw TensorError(fmt::format("{}: dtype mismatch {} vs {} (convert explicitly with .to(dtype))", op,
                                      dtype_name(a.dtype()), dtype_name(b.dtype())));
    if (!(a.device() == b.device()))
        throw TensorError(fmt::format("{}: tensors are on different devices ({} and {})", op, a.device().str(),
                                      b.device().str()));
}

inline void check_floating(const Tensor& x, const char* op) {
    check_defined(x, op);
    if (!is_floating(x.dtype()))
        throw TensorError(fmt::format("{}: needs a float32 or float64 tensor, got {}", op, dtype_name(x.dtype())));
}

inline Tensor empty_like(const Tensor& t) { return Tensor::empty(t.shape(), t.dtype(), t.device()); }

}  // namespace aprender::detail
