// Checks of exercise 5: values against a plain-loops reference, the causal mask, the
// 1/√d scale, batched heads, and the gradient check.
#include "exercises/05_attention/attention.h"
#include "exercises/check.h"
#include "tests/gradcheck.h"

using namespace aprender;
using namespace aprender::exercises;
using namespace aprender::exercises::check;

namespace {

// Plain loops over the last two dims of (B, T, d) tensors given as flat vectors.
std::vector<double> reference(const Tensor& q, const Tensor& k, const Tensor& v, bool causal, bool scaled,
                              std::vector<double>* weights = nullptr) {
    auto Q = q.to_double_vector(), K = k.to_double_vector(), V = v.to_double_vector();
    int64_t n = q.dim(), T = q.shape()[n - 2], d = q.shape()[n - 1], Tk = k.shape()[n - 2], dv = v.shape()[n - 1];
    int64_t B = q.numel() / (T * d);
    std::vector<double> out(B * T * dv, 0.0);
    if (weights) weights->assign(B * T * Tk, 0.0);
    for (int64_t b = 0; b < B; ++b)
        for (int64_t i = 0; i < T; ++i) {
            std::vector<double> s(Tk);
            double mx = -1e300, tot = 0;
            for (int64_t j = 0; j < Tk; ++j) {
                double x = 0;
                for (int64_t c = 0; c < d; ++c) x += Q[(b * T + i) * d + c] * K[(b * Tk + j) * d + c];
                s[j] = scaled ? x / std::sqrt((double)d) : x;
                if (!(causal && j > i)) mx = std::max(mx, s[j]);
            }
            for (int64_t j = 0; j < Tk; ++j) tot += s[j] = (causal && j > i) ? 0.0 : std::exp(s[j] - mx);
            for (int64_t j = 0; j < Tk; ++j) {
                double w = s[j] / tot;
                if (weights) (*weights)[(b * T + i) * Tk + j] = w;
                for (int64_t c = 0; c < dv; ++c) out[(b * T + i) * dv + c] += w * V[(b * Tk + j) * dv + c];
            }
        }
    return out;
}

Tensor randn(const Shape& s, uint64_t seed, double std = 1.0) {
    Generator g(seed);
    return Tensor::normal(s, 0.0, std, g, DType::f64);
}

}  // namespace

EXERCISE_CHECK(5, "no mask: output and weights match softmax(q·kᵀ/√d)·v") {
    Tensor q = randn({2, 3, 4}, 51, 1.5), k = randn({2, 5, 4}, 52, 1.5), v = randn({2, 5, 2}, 53);
    Tensor w;
    Tensor y = scaled_dot_product_attention(q, k, v, false, &w);
    expect_eq(shape_str(y.shape()), shape_str({2, 3, 2}), "output shape for q (2,3,4), k (2,5,4), v (2,5,2)",
              "output = weights·v has shape (..., Tq, dv)");
    std::vector<double> want_w;
    std::vector<double> want = reference(q, k, v, false, true, &want_w);
    auto unscaled = reference(q, k, v, false, false);
    bool forgot_scale = y.to_double_vector().size() == unscaled.size();
    for (size_t i = 0; forgot_scale && i < unscaled.size(); ++i)
        forgot_scale = std::fabs(y.to_double_vector()[i] - unscaled[i]) < 1e-9;
    expect_true(!forgot_scale, "output", "softmax(q·kᵀ/√d)·v", "softmax(q·kᵀ)·v — the scale is missing",
                "divide the scores by √d (d = 4 here) before the softmax");
    expect_true(w.defined(), "*weights_out", "the attention weights", "nothing", "set *weights_out when it is not null");
    expect_all_near(w.to_double_vector(), want_w, 1e-9, "weights (2,3,5)",
                    "weights = softmax over the last axis (keys) of the scaled scores; each row sums to 1");
    expect_all_near(y.to_double_vector(), want, 1e-9, "output (2,3,2)", "output = weights·v (matmul)");
}

EXERCISE_CHECK(5, "causal mask: weights above the diagonal are exactly 0") {
    Tensor q = randn({1, 4, 3}, 54), k = randn({1, 4, 3}, 55), v = randn({1, 4, 3}, 56);
    Tensor w;
    Tensor y = scaled_dot_product_attention(q, k, v, true, &w);
    expect_true(w.defined(), "*weights_out", "the attention weights", "nothing", "set *weights_out when it is not null");
    auto W = w.to_double_vector();
    for (int i = 0; i < 4; ++i)
        for (int j = i + 1; j < 4; ++j)
            expect_near(W[i * 4 + j], 0.0, 0.0, fmt::format("weight of query {} on key {} (a future position)", i, j),
                        "set scores[i][j] = −∞ for j > i BEFORE the softmax (after it, rows no longer sum to 1)");
    std::vector<double> want_w;
    std::vector<double> want = reference(q, k, v, true, true, &want_w);
    expect_all_near(W, want_w, 1e-9, "causal weights (4×4)", "each row i is a softmax over keys 0..i only");
    expect_all_near(y.to_double_vector(), want, 1e-9, "causal output", "output = weights·v");
}

EXERCISE_CHECK(5, "causal: the first position sees only itself") {
    Tensor q = randn({3, 3}, 57, 3.0), k = randn({3, 3}, 58, 3.0), v = randn({3, 2}, 59);
    Tensor y = scaled_dot_product_attention(q, k, v, true);
    auto Y = y.to_double_vector(), V = v.to_double_vector();
    expect_all_near({Y[0], Y[1]}, {V[0], V[1]}, 1e-12, "output row 0 (2-D inputs, no batch)",
                    "query 0 may only attend to key 0, so its output is exactly v[0]");
}

EXERCISE_CHECK(5, "several heads: (B, H, T, d) inputs") {
    Tensor q = randn({2, 2, 3, 4}, 60), k = randn({2, 2, 3, 4}, 61), v = randn({2, 2, 3, 4}, 62);
    Tensor y = scaled_dot_product_attention(q, k, v, true);
    expect_eq(shape_str(y.shape()), shape_str({2, 2, 3, 4}), "output shape for (2,2,3,4) inputs",
              "matmul broadcasts the leading dims; transpose only the last two of k");
    expect_all_near(y.to_double_vector(), reference(q, k, v, true, true), 1e-9, "output (2,2,3,4)",
                    "the (T, T) mask must broadcast over batch and heads");
}

EXERCISE_CHECK(5, "gradients flow to q, k and v (gradient check)") {
    using namespace aprender::testing;
    Tensor q = randn({2, 3, 4}, 63), k = randn({2, 3, 4}, 64), v = randn({2, 3, 2}, 65);
    GradcheckResult r = gradcheck(
        [](const Inputs& x) { return scaled_dot_product_attention(x[0], x[1], x[2], true); }, {q, k, v});
    expect_true(r.ok, "gradient check of causal attention", "analytic = numeric", r.report,
                "build everything from autograd ops (no to_double_vector/from in the middle: that cuts the graph)");
}
