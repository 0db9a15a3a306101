// Exercise 3 — autograd: forward and backward of a new op. Statement: README.md here.
#pragma once

#include "autograd/ops.h"

namespace aprender::exercises {

// SiLU (a.k.a. swish): silu(x) = x·σ(x), elementwise, same shape and dtype as x.
// Records its own backward node, named "SiluBackward", when x requires grad.
Tensor silu(const Tensor& x);

}  // namespace aprender::exercises
