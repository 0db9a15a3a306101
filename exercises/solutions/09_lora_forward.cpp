// Reference solution of exercise 9 (instructors only; not in the student kit).
#include "exercises/09_lora_forward/lora_forward.h"

namespace aprender::exercises {

Tensor lora_forward(const Tensor& x, const Tensor& W0, const Tensor& b, const Tensor& A, const Tensor& B,
                    double scale) {
    return add(linear(x, W0, b), mul(linear(linear(x, A), B), scale));
}

void lora_merge(Tensor& W0, const Tensor& A, const Tensor& B, double scale) {
    NoGradGuard no_grad;
    W0 = add(W0, mul(matmul(B, A), scale));
}

void lora_unmerge(Tensor& W0, const Tensor& A, const Tensor& B, double scale) {
    NoGradGuard no_grad;
    W0 = sub(W0, mul(matmul(B, A), scale));
}

}  // namespace aprender::exercises
