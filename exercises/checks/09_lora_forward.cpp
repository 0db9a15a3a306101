// Checks of exercise 9: LoRA's output against x·(W0 + s·B·A)ᵀ + b, B = 0 at the start,
// the scale, gradients to A and B, and merge/unmerge round trips.
#include "exercises/09_lora_forward/lora_forward.h"
#include "exercises/check.h"
#include "tests/gradcheck.h"

using namespace aprender;
using namespace aprender::exercises;
using namespace aprender::exercises::check;

namespace {
Tensor randn(const Shape& s, uint64_t seed) {
    Generator g(seed);
    return Tensor::normal(s, 0.0, 1.0, g, DType::f64);
}
// x·(W0 + s·B·A)ᵀ + b, the merged form, computed differently from the student's.
std::vector<double> reference(const Tensor& x, const Tensor& W0, const Tensor& b, const Tensor& A, const Tensor& B,
                              double s) {
    NoGradGuard no_grad;
    return linear(x, add(W0, mul(matmul(B, A), s)), b).to_double_vector();
}
}  // namespace

EXERCISE_CHECK(9, "B = 0 (LoRA's initialisation): exactly the base layer") {
    Tensor x = randn({4, 5}, 91), W0 = randn({3, 5}, 92), b = randn({3}, 93), A = randn({2, 5}, 94);
    Tensor B = Tensor::zeros({3, 2}, DType::f64);
    Tensor h = lora_forward(x, W0, b, A, B, 8.0);
    expect_eq(shape_str(h.shape()), shape_str({4, 3}), "output shape for x (4,5), W0 [3,5]", "h = x·W0ᵀ + ... is (..., d)");
    expect_all_near(h.to_double_vector(), linear(x, W0, b).to_double_vector(), 1e-12, "h with B = 0",
                    "with B = 0 the adapter adds nothing: h = x·W0ᵀ + b (do not forget the bias)");
}

EXERCISE_CHECK(9, "h = x·W0ᵀ + b + s·(x·Aᵀ)·Bᵀ") {
    Tensor x = randn({2, 4, 6}, 95), W0 = randn({5, 6}, 96), b = randn({5}, 97), A = randn({2, 6}, 98),
           B = randn({5, 2}, 99);
    Tensor h = lora_forward(x, W0, b, A, B, 2.0);
    expect_all_near(h.to_double_vector(), reference(x, W0, b, A, B, 2.0), 1e-9, "h for x (2,4,6), r = 2, s = 2",
                    "h = base + scale·((x·Aᵀ)·Bᵀ); linear(x, A) is x·Aᵀ");
    Tensor h2 = lora_forward(x, W0, b, A, B, 0.5);
    expect_all_near(h2.to_double_vector(), reference(x, W0, b, A, B, 0.5), 1e-9, "h with s = 0.5",
                    "multiply the adapter's output by `scale` (= alpha / r)");
    Tensor h3 = lora_forward(x, W0, Tensor(), A, B, 2.0);
    expect_all_near(h3.to_double_vector(), reference(x, W0, Tensor(), A, B, 2.0), 1e-9, "h without a bias",
                    "b may be undefined: linear(x, W0, b) handles it");
}

EXERCISE_CHECK(9, "gradients reach A and B (gradient check)") {
    using namespace aprender::testing;
    Tensor x = randn({3, 4}, 100), W0 = randn({2, 4}, 101), b = randn({2}, 102), A = randn({2, 4}, 103),
           B = randn({2, 2}, 104);
    GradcheckResult r = gradcheck(
        [&](const Inputs& v) { return lora_forward(v[0], W0, b, v[1], v[2], 1.5); }, {x, A, B});
    expect_true(r.ok, "gradient check with respect to x, A and B", "analytic = numeric", r.report,
                "use autograd ops only (linear, matmul, add, mul): the engine then differentiates for you");
}

EXERCISE_CHECK(9, "merge: the merged base alone gives the same output") {
    Tensor x = randn({4, 6}, 105), W0 = randn({5, 6}, 106), b = randn({5}, 107), A = randn({3, 6}, 108),
           B = randn({5, 3}, 109);
    std::vector<double> before = lora_forward(x, W0, b, A, B, 4.0 / 3).to_double_vector();
    Tensor W = W0.detach().contiguous();
    lora_merge(W, A, B, 4.0 / 3);
    expect_all_near(linear(x, W, b).to_double_vector(), before, 1e-9, "x·W_mergedᵀ + b after lora_merge",
                    "W0 ← W0 + scale·B·A (B is [d, r], A is [r, k], so B·A is [d, k] like W0)");
}

EXERCISE_CHECK(9, "unmerge restores W0; merge twice is not merge once") {
    Tensor W0 = randn({5, 6}, 110), A = randn({3, 6}, 111), B = randn({5, 3}, 112);
    Tensor W = W0.detach().contiguous();
    lora_merge(W, A, B, 2.0);
    lora_unmerge(W, A, B, 2.0);
    expect_all_near(W.to_double_vector(), W0.to_double_vector(), 1e-12, "W0 after merge then unmerge",
                    "unmerge subtracts exactly what merge added: W0 ← W0 − scale·B·A");
    Tensor W2 = W0.detach().contiguous();
    lora_merge(W2, A, B, 2.0);
    lora_merge(W2, A, B, 2.0);
    std::vector<double> want = add(W0, mul(matmul(B, A), 4.0)).to_double_vector();
    expect_all_near(W2.to_double_vector(), want, 1e-9, "W0 after merging twice",
                    "merge adds to the current W0 (it does not recompute from a saved copy)");
}
