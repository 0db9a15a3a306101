// ops.h — every differentiable operation, as free functions (plus operators).
//
// Each op checks its inputs (shape, dtype, device) and throws TensorError with a
// message naming the op and the offending values, computes its result through the
// backend's kernels, and — when an input requires grad — records a backward Node.
// Devices: the float inputs of an op must share one device. Integer indices (embedding
// ids, gather/index_select indices, cross_entropy targets) are the exception: they are
// moved to the device of the data they index, since they are small and usually come
// from a tokenizer on the CPU.
// Where the op lives:
//   ops_elementwise.cpp  arithmetic with broadcasting, unary math, where, clamp, masked_fill
//   ops_reduce.cpp       sum, mean, max/amax, var, argmax
//   ops_shape.cpp        views (reshape, permute, slice...), concat, stack, split
//   ops_matmul.cpp       matmul (2-D and batched, OpenBLAS with transpose flags), linear
//   ops_nn.cpp           softmax, log_softmax, cross_entropy, layer_norm,
//                        embedding, index_select, gather, dropout
// Adding an op: see README.md "How to add an op".
#pragma once

#include "autograd/grad_mode.h"
#include "autograd/tensor.h"

#include <vector>

namespace aprender {

// ---- elementwise, numpy broadcasting ------------------------------------------------
Tensor add(const Tensor& a, const Tensor& b);
Tensor sub(const Tensor& a, const Tensor& b);
Tensor mul(const Tensor& a, const Tensor& b);
Tensor div(const Tensor& a, const Tensor& b);
Tensor maximum(const Tensor& a, const Tensor& b);
Tensor add(const Tensor& a, double s);
Tensor mul(const Tensor& a, double s);
Tensor neg(const Tensor& x);
Tensor pow(const Tensor& x, double exponent);
Tensor exp(const Tensor& x);
Tensor log(const Tensor& x);
Tensor sqrt(const Tensor& x);
Tensor rsqrt(const Tensor& x);
Tensor abs(const Tensor& x);
Tensor tanh(const Tensor& x);
Tensor sigmoid(const Tensor& x);
Tensor relu(const Tensor& x);
Tensor gelu(const Tensor& x);  // 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))), as GPT-2
Tensor clamp(const Tensor& x, double lo, double hi);
// cond nonzero ? a : b, broadcast together. cond may have any dtype; no gradient flows to it.
Tensor where(const Tensor& cond, const Tensor& a, const Tensor& b);
// x where mask is zero, `value` where it is not; the mask broadcasts to x (never x to it).
Tensor masked_fill(const Tensor& x, const Tensor& mask, double value);
// comparisons give 0/1 in a's dtype and have no gradient
Tensor eq(const Tensor& a, const Tensor& b);
Tensor gt(const Tensor& a, const Tensor& b);
Tensor lt(const Tensor& a, const Tensor& b);

// Sum a gradient over the axes that broadcasting added or stretched, so that it has
// `shape` again. Every broadcasting op's backward goes through this one helper.
Tensor sum_to(const Tensor& grad, const Shape& shape);
// The shape two shapes broadcast to, or a TensorError naming `op`.
Shape broadcast_shapes(const Shape& a, const Shape& b, const char* op);

// ---- reductions (axes may be negative; empty axes = all) ------------------------------
// The result keeps x's dtype. Sums accumulate in float64 (float32 sums of many numbers lose
// digits otherwise); an int32 sum beyond int32's range saturates at its limits. mean and var
// need a floating tensor.
Tensor sum(const Tensor& x, std::vector<int64_t> axes = {}, bool keepdim = false);
Tensor mean(const Tensor& x, std::vector<int64_t> axes = {}, bool keepdim = false);
// Largest value along the axes; the gradient is shared equally between ties.
Tensor amax(const Tensor& x, std::vector<int64_t> axes = {}, bool keepdim = false);
Tensor max(const Tensor& x, int64_t axis, bool keepdim = false);  // = amax over one axis
Tensor var(const Tensor& x, std::vector<int64_t> axes = {}, bool keepdim = false, int64_t correction = 1);
// index of the largest value along the last axis, the first one on ties (int32, no gradient)
Tensor argmax(const Tensor& x);

// ---- shape (views share storage; see Tensor's methods) ---------------------------------
Tensor reshape(const Tensor& x, const Shape& shape);  // one -1 allowed; copies if it must
Tensor view(const Tensor& x, const Shape& shape);     // never copies: error when impossible
Tensor permute(const Tensor& x, const Shape& order);
Tensor transpose(const Tensor& x, int64_t d0, int64_t d1);
// `length` positions of `dim` from `start` (negative: counted from the end); a view.
Tensor narrow(const Tensor& x, int64_t dim, int64_t start, int64_t length);
Tensor unsqueeze(const Tensor& x, int64_t dim);  // a new size-1 axis at dim (-1: last)
// Remove axis dim, which must have size 1: an error otherwise (PyTorch's squeeze(dim)
// silently leaves such a tensor as it is, which hides a wrong dim).
Tensor squeeze(const Tensor& x, int64_t dim);
// A view that repeats size-1 axes (stride 0) up to `shape`; -1 keeps a size; new leading axes may be added.
Tensor expand(const Tensor& x, const Shape& shape);
Tensor contiguous(const Tensor& x);  // x itself when already contiguous, else clone(x)
Tensor clone(const Tensor& x);  // always a new contiguous copy, any dtype (differentiable)
// Join along an existing axis: same rank, dtype and device, equal sizes except along dim.
Tensor concat(const std::vector<Tensor>& xs, int64_t dim);
// Join along a new axis at dim (0..rank): every tensor must have the same shape.
Tensor stack(const std::vector<Tensor>& xs, int64_t dim);
std::vector<Tensor> split(const Tensor& x, int64_t size, int64_t dim);  // views of `size` (the last may be shorter)

// ---- linear algebra -------------------------------------------------------------------
// [..., m, k] @ [..., k, n] -> [..., m, n], batch dims broadcast; 1-D operands as numpy.
Tensor matmul(const Tensor& a, const Tensor& b);
// x @ w^T + b for a PyTorch-layout weight w [out, in]; b may be undefined.
Tensor linear(const Tensor& x, const Tensor& w, const Tensor& b = Tensor());

// ---- neural-network ops -----------------------------------------------------------------
Tensor softmax(const Tensor& x);      // along the last axis, numerically stable
Tensor log_softmax(const Tensor& x);  // along the last axis
// softmax over the last axis of [..., T, T] scores where position i sees only j <= i
Tensor causal_softmax(const Tensor& scores);
// Mean cross-entropy of logits [..., V] against int32 class targets [...], skipping
// targets equal to ignore_index (every target ignored, or one outside [0, V): an error).
// Fused: never materialises softmax.
Tensor cross_entropy(const Tensor& logits, const Tensor& targets, int32_t ignore_index = -100);
// Normalise the last axis to mean 0, variance 1 (biased), then ·weight + bias (either may be
// undefined: no scale / no shift). eps ≥ 0 is added to the variance.
Tensor layer_norm(const Tensor& x, const Tensor& weight, const Tensor& bias, double eps = 1e-5);
// rows of table [V, C] picked by int32 ids [...] -> [..., C]
Tensor embedding(const Tensor& ids, const Tensor& table);
// The slices of x along `dim` named by a 1-D int32 index (range-checked), in its order.
Tensor index_select(const Tensor& x, int64_t dim, const Tensor& index);
// out[i][j] = x[i][index[i][j]] for dim = 1 (likewise for any dim): int32 index of x's rank,
// no larger than x off `dim`; out has index's shape. Indices are range-checked.
Tensor gather(const Tensor& x, int64_t dim, const Tensor& index);
// Zero each element with probability p and scale the rest by 1/(1-p); identity when
// !training or p == 0.
Tensor dropout(const Tensor& x, double p, bool training, Generator& gen);

// ---- operators ------------------------------------------------------------------------
inline Tensor operator+(const Tensor& a, const Tensor& b) { return add(a, b); }
inline Tensor operator-(const Tensor& a, const Tensor& b) { return sub(a, b); }
inline Tensor operator*(const Tensor& a, const Tensor& b) { return mul(a, b); }
inline Tensor operator/(const Tensor& a, const Tensor& b) { return div(a, b); }
inline Tensor operator-(const Tensor& x) { return neg(x); }
inline Tensor operator+(const Tensor& a, double s) { return add(a, s); }
inline Tensor operator+(double s, const Tensor& a) { return add(a, s); }
inline Tensor operator-(const Tensor& a, double s) { return add(a, -s); }
inline Tensor operator-(double s, const Tensor& a) { return add(neg(a), s); }
inline Tensor operator*(const Tensor& a, double s) { return mul(a, s); }
inline Tensor operator*(double s, const Tensor& a) { return mul(a, s); }
inline Tensor operator/(const Tensor& a, double s) { return mul(a, 1.0 / s); }

}  // namespace aprender
