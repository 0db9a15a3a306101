// Exercise 9 — LoRA: the forward pass, merge and unmerge. Statement: README.md here.
#pragma once

#include "autograd/ops.h"

namespace aprender::exercises {

// x (..., k), W0 [d, k] (frozen), b [d] or undefined, A [r, k], B [d, r]:
//     h = x·W0ᵀ + b + s·(x·Aᵀ)·Bᵀ
// with autograd ops, so that A and B receive gradients; never forms the d×k B·A.
Tensor lora_forward(const Tensor& x, const Tensor& W0, const Tensor& b, const Tensor& A, const Tensor& B,
                    double scale);

// W0 ← W0 + s·B·A (merge: inference then costs exactly the base layer), and back.
// Replace W0 with the new values; no gradient is recorded.
void lora_merge(Tensor& W0, const Tensor& A, const Tensor& B, double scale);
void lora_unmerge(Tensor& W0, const Tensor& A, const Tensor& B, double scale);

}  // namespace aprender::exercises
