// Checks of exercise 3: silu's values, its own backward node, and the gradient check.
#include "autograd/node.h"
#include "exercises/03_autograd_op/silu.h"
#include "exercises/check.h"
#include "tests/gradcheck.h"

using namespace aprender;
using namespace aprender::exercises;
using namespace aprender::exercises::check;

namespace {
double ref_silu(double x) { return x / (1 + std::exp(-x)); }
}  // namespace

EXERCISE_CHECK(3, "forward values, float32 and float64") {
    std::vector<double> xs = {-3.0, -1.0, -0.25, 0.0, 0.5, 2.0, 6.0}, want;
    for (double x : xs) want.push_back(ref_silu(x));
    Tensor y64 = silu(Tensor::from(xs, {7}));
    expect_all_near(y64.to_double_vector(), want, 1e-12, "silu(x) in float64 for x = -3 -1 -0.25 0 0.5 2 6",
                    "silu(x) = x·σ(x) = x / (1 + e^(−x)); not σ(x), not x, not 0");
    std::vector<float> xf(xs.begin(), xs.end());
    Tensor y32 = silu(Tensor::from(xf, {7}));
    expect_eq(dtype_name(y32.dtype()), std::string(dtype_name(DType::f32)), "the dtype of silu(float32 tensor)",
              "keep the input's dtype (ops like mul and sigmoid already do)");
    expect_all_near(y32.to_double_vector(), want, 1e-5, "silu(x) in float32", "compute x·σ(x)");
}

EXERCISE_CHECK(3, "large inputs: no NaN, no overflow") {
    Tensor y = silu(Tensor::from(std::vector<double>{-800.0, 800.0}, {2}));
    expect_all_near(y.to_double_vector(), {0.0, 800.0}, 1e-9, "silu(-800), silu(800)",
                    "use the library's sigmoid (it is stable), not 1 / (1 + exp(-x)) by hand");
}

EXERCISE_CHECK(3, "records its own node, SiluBackward (not a composition of ops)") {
    Tensor x = Tensor::from(std::vector<double>{0.5, -1.0}, {2});
    x.requires_grad_();
    Tensor y = silu(x);
    expect_true(y.grad_fn() != nullptr, "y.grad_fn() for an input that requires grad", "a node", "no node (nullptr)",
                "after computing y, attach(node, {&x}, y) when any_requires_grad({&x})");
    expect_eq(std::string(y.grad_fn()->name()), std::string("SiluBackward"), "the name of y.grad_fn()",
              "compute y under a NoGradGuard so that mul/sigmoid record nothing, then attach YOUR node");
    Tensor z = silu(Tensor::from(std::vector<double>{0.5}, {1}));
    expect_true(z.grad_fn() == nullptr, "grad_fn of silu(x) when x does not require grad", "no node",
                "a node", "attach only when any_requires_grad({&x})");
}

EXERCISE_CHECK(3, "backward agrees with finite differences (gradient check)") {
    using namespace aprender::testing;
    Generator gen(3);
    Tensor a = Tensor::normal({3, 4}, 0.0, 2.0, gen, DType::f64);
    GradcheckResult r = gradcheck([](const Inputs& v) { return silu(v[0]); }, {a});
    expect_true(r.ok, "gradient check of silu on a 3×4 float64 input", "analytic = numeric", r.report,
                "d silu/dx = σ(x) + x·σ(x)·(1 − σ(x)); multiply by grad_output, elementwise");
    Tensor b = Tensor::normal({4, 3}, 0.0, 2.0, gen, DType::f64).t();
    r = gradcheck([](const Inputs& v) { return mul(silu(v[0]), silu(v[0])); }, {b});
    expect_true(r.ok, "gradient check of silu(x)·silu(x) on a transposed (non-contiguous) input", "analytic = numeric",
                r.report, "the saved input must be x itself (x.detach()), and the gradient has x's shape");
}

EXERCISE_CHECK(3, "x.grad after backward of sum(silu(x))") {
    Tensor x = Tensor::from(std::vector<double>{-2.0, 0.0, 1.0}, {3});
    x.requires_grad_();
    sum(silu(x)).backward();
    expect_true(x.grad().defined(), "x.grad after sum(silu(x)).backward()", "a gradient", "none",
                "attach(node, {&x}, y) links x to your node");
    std::vector<double> want;
    for (double v : {-2.0, 0.0, 1.0}) {
        double s = 1 / (1 + std::exp(-v));
        want.push_back(s + v * s * (1 - s));
    }
    expect_all_near(x.grad().to_double_vector(), want, 1e-12, "x.grad for x = -2 0 1",
                    "at x = 0 the slope is σ(0) = 0.5; for large x it tends to 1");
}
