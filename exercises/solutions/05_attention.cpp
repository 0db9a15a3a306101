// Reference solution of exercise 5 (instructors only; not in the student kit).
#include "exercises/05_attention/attention.h"

#include <cmath>
#include <stdexcept>

namespace aprender::exercises {

Tensor scaled_dot_product_attention(const Tensor& q, const Tensor& k, const Tensor& v, bool causal,
                                    Tensor* weights_out) {
    int64_t d = q.shape().back(), Tq = q.shape()[q.dim() - 2], Tk = k.shape()[k.dim() - 2];
    Tensor scores = mul(matmul(q, transpose(k, -2, -1)), 1.0 / std::sqrt((double)d));
    if (causal) {
        if (Tq != Tk) throw std::invalid_argument("scaled_dot_product_attention: causal needs Tq == Tk");
        std::vector<int32_t> m(Tq * Tk);
        for (int64_t i = 0; i < Tq; ++i)
            for (int64_t j = 0; j < Tk; ++j) m[i * Tk + j] = j > i;
        scores = masked_fill(scores, Tensor::from(m, {Tq, Tk}), -INFINITY);
    }
    Tensor w = softmax(scores);
    if (weights_out) *weights_out = w;
    return matmul(w, v);
}

}  // namespace aprender::exercises
