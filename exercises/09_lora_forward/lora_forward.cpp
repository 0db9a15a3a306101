// Exercise 9 — LoRA forward, merge, unmerge. / LoRA: forward, merge e unmerge.
#include "exercises/09_lora_forward/lora_forward.h"

#include "exercises/exercise.h"

namespace aprender::exercises {

Tensor lora_forward(const Tensor& x, const Tensor& W0, const Tensor& b, const Tensor& A, const Tensor& B,
                    double scale) {
    // TODO(exercise 9): the base layer is linear(x, W0, b) (x·W0ᵀ + b); the adapter adds
    // scale · linear(linear(x, A), B) — two thin products: x·Aᵀ is (..., r).
    throw APRENDER_TODO(9, "lora_forward");
}

void lora_merge(Tensor& W0, const Tensor& A, const Tensor& B, double scale) {
    // TODO(exercise 9): under a NoGradGuard, W0 = W0 + scale·(B·A)  (matmul(B, A) is [d, k]).
    throw APRENDER_TODO(9, "lora_merge");
}

void lora_unmerge(Tensor& W0, const Tensor& A, const Tensor& B, double scale) {
    // TODO(exercise 9): undo lora_merge.
    throw APRENDER_TODO(9, "lora_unmerge");
}

}  // namespace aprender::exercises
