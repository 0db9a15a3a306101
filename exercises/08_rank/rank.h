// Exercise 8 — the rank of a matrix by Gaussian elimination. Statement: README.md here.
#pragma once

#include "lora/linalg.h"

namespace aprender::exercises {

// The number of pivots found by Gaussian elimination with partial pivoting; an entry
// with |x| ≤ tol counts as zero. `m` is not modified (work on a copy).
int64_t rank_by_gauss(const lora::linalg::Matrix& m, double tol = 1e-10);

}  // namespace aprender::exercises
