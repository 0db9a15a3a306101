// Exercise 5 — scaled dot-product attention with the causal mask. Statement: README.md here.
#pragma once

#include "autograd/ops.h"

namespace aprender::exercises {

// q (..., Tq, d), k (..., Tk, d), v (..., Tk, dv), the same leading (batch, head) dims:
//     weights = softmax(q·kᵀ / √d)      (..., Tq, Tk), each row sums to 1
//     output  = weights · v              (..., Tq, dv)
// causal: query i may look only at keys j ≤ i (needs Tq == Tk). weights_out, when not
// null, receives the weights. Built from autograd ops, so gradients flow to q, k and v.
Tensor scaled_dot_product_attention(const Tensor& q, const Tensor& k, const Tensor& v, bool causal,
                                    Tensor* weights_out = nullptr);

}  // namespace aprender::exercises
