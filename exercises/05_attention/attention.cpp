// Exercise 5 — scaled dot-product attention. / Atenção por produto escalar escalado.
#include "exercises/05_attention/attention.h"

#include "exercises/exercise.h"

#include <cmath>

namespace aprender::exercises {

Tensor scaled_dot_product_attention(const Tensor& q, const Tensor& k, const Tensor& v, bool causal,
                                    Tensor* weights_out) {
    // TODO(exercise 5):
    //  1. scores = q·kᵀ / √d        (matmul, transpose(k, -2, -1), d = q.shape().back())
    //  2. if causal: put −∞ where key j > query i (build a (T, T) 0/1 mask tensor with
    //     Tensor::from(...) and use masked_fill(scores, mask, -INFINITY); it broadcasts)
    //  3. weights = softmax(scores)  (along the last axis)
    //  4. if (weights_out) *weights_out = weights;  return weights·v
    // Use the ops of autograd/ops.h only, so that the gradient flows by itself.
    throw APRENDER_TODO(5, "scaled_dot_product_attention");
}

}  // namespace aprender::exercises
