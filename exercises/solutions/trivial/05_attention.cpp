// A plausible wrong answer to exercise 5 (instructors only; the main suite checks that it fails): no 1/√d scale and no causal mask.
#include "exercises/05_attention/attention.h"
namespace aprender::exercises { Tensor scaled_dot_product_attention(const Tensor& q, const Tensor& k, const Tensor& v, bool causal, Tensor* w) {
  Tensor s = softmax(matmul(q, transpose(k, -2, -1))); if (w) *w = s; return matmul(s, v); } }
