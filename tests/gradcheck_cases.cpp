// The float64 gradient checks (central differences, see gradcheck.h) of every op in
// autograd/ops.h, including broadcasting, non-contiguous inputs and reused inputs: one
// list, run on the CPU by tests/autograd_ops_test.cpp and on the GPU by
// tests/cuda_device_test.cpp. Every CUDA kernel family takes float64 (dispatch_float in
// cuda/common.cuh), so no op is left out on the GPU. Then what no finite difference can
// check, the gradient at kinks and ties, pinned as PyTorch has it, on either device too.
#include "tests/gradcheck_cases.h"

#include "tests/test_util.h"

#include <fmt/format.h>

namespace aprender::testing {

namespace {
Tensor ints(std::vector<int32_t> v, Shape shape = {}) { return Tensor::from(v, std::move(shape)); }
}  // namespace

// ---- elementwise ---------------------------------------------------------------------------

std::vector<GradCase> elementwise_grad_cases() {
    Tensor a = randn64({3, 1, 4}, 1), b = randn64({5, 4}, 2);
    Tensor pos = rand64({5, 4}, 0.5, 2.0, 3);  // a divisor away from zero
    Tensor x = randn64({2, 3}, 7);
    Tensor u = randn64({3, 4}, 8), upos = rand64({3, 4}, 0.3, 3.0, 9);
    Tensor k = spread64({3, 5});  // away from the kinks of gelu's neighbours: abs, relu, clamp
    return {
        // binary ops, broadcast [3,1,4] with [5,4]
        {"add, broadcast", [](const Inputs& v) { return add(v[0], v[1]); }, {a, b}},
        {"sub, broadcast", [](const Inputs& v) { return sub(v[0], v[1]); }, {a, b}},
        {"mul, broadcast", [](const Inputs& v) { return mul(v[0], v[1]); }, {a, b}},
        {"div, broadcast", [](const Inputs& v) { return div(v[0], v[1]); }, {a, pos}},
        {"maximum, broadcast", [](const Inputs& v) { return maximum(v[0], v[1]); }, {a, b}},
        // the other way round, a scalar-shaped operand, and equal shapes
        {"div, the divisor broadcast", [](const Inputs& v) { return div(v[1], v[0]); },
         {rand64({3, 1, 4}, 0.5, 2.0, 4), b}},
        {"mul by a 0-d tensor", [](const Inputs& v) { return mul(v[0], v[1]); }, {randn64({}, 5), b}},
        {"sub, equal shapes", [](const Inputs& v) { return sub(v[0], v[1]); }, {randn64({5, 4}, 6), b}},
        {"operators * / + -", [](const Inputs& v) { return v[0] * v[1] + v[0] / v[1] - v[1]; }, {b, pos}},
        // scalar variants and neg
        {"add a scalar", [](const Inputs& v) { return add(v[0], 2.5); }, {x}},
        {"mul by a scalar", [](const Inputs& v) { return mul(v[0], -1.5); }, {x}},
        {"neg", [](const Inputs& v) { return neg(v[0]); }, {x}},
        {"scalar operators", [](const Inputs& v) { return 3.0 - v[0] / 4.0 + 2.0 * v[0] - 1.0; }, {x}},
        // unary math
        {"exp", [](const Inputs& v) { return exp(v[0]); }, {u}},
        {"log", [](const Inputs& v) { return log(v[0]); }, {upos}},
        {"sqrt", [](const Inputs& v) { return sqrt(v[0]); }, {upos}},
        {"rsqrt", [](const Inputs& v) { return rsqrt(v[0]); }, {upos}},
        {"pow 2.5", [](const Inputs& v) { return pow(v[0], 2.5); }, {upos}},
        {"pow -0.5", [](const Inputs& v) { return pow(v[0], -0.5); }, {upos}},
        {"pow 3, negative bases", [](const Inputs& v) { return pow(v[0], 3.0); }, {u}},
        {"tanh", [](const Inputs& v) { return tanh(v[0]); }, {u}},
        {"sigmoid", [](const Inputs& v) { return sigmoid(v[0]); }, {u}},
        {"gelu", [](const Inputs& v) { return gelu(v[0]); }, {k}},
        {"abs, away from 0", [](const Inputs& v) { return abs(v[0]); }, {k}},
        {"relu, away from 0", [](const Inputs& v) { return relu(v[0]); }, {k}},
        {"clamp, away from the bounds", [](const Inputs& v) { return clamp(v[0], -0.5, 0.5); }, {k}},
        // where (no gradient to the condition) and masked_fill; int32 conditions and masks
        {"where, the condition broadcast over rows", [](const Inputs& v) { return where(v[0], v[1], v[2]); },
         {ints({1, 0, 0, 1}, {4}), randn64({3, 4}, 10), randn64({1, 4}, 11)}},
        {"masked_fill", [](const Inputs& v) { return masked_fill(v[0], v[1], -7.0); },
         {randn64({2, 3}, 12), ints({0, 1, 1, 0, 0, 1}, {2, 3})}},
    };
}

// ---- reductions --------------------------------------------------------------------------------

std::vector<GradCase> reduction_grad_cases() {
    Tensor x = randn64({2, 3, 4}, 13);
    std::vector<GradCase> cases;
    std::vector<std::vector<int64_t>> axes_list = {{}, {0}, {-1}, {0, 2}, {1}};
    for (const auto& axes : axes_list)
        for (bool keep : {false, true}) {
            std::string over = fmt::format("over {}{}", shape_str(axes), keep ? ", keepdim" : "");
            cases.push_back({"sum " + over, [=](const Inputs& v) { return sum(v[0], axes, keep); }, {x}});
            cases.push_back({"mean " + over, [=](const Inputs& v) { return mean(v[0], axes, keep); }, {x}});
            cases.push_back({"amax " + over, [=](const Inputs& v) { return amax(v[0], axes, keep); }, {x}});
            cases.push_back({"var " + over, [=](const Inputs& v) { return var(v[0], axes, keep); }, {x}});
            cases.push_back(
                {"var (biased) " + over, [=](const Inputs& v) { return var(v[0], axes, keep, 0); }, {x}});
        }
    cases.push_back({"max over axis 1", [](const Inputs& v) { return max(v[0], 1); }, {x}});
    cases.push_back({"max over axis -1, keepdim", [](const Inputs& v) { return max(v[0], -1, true); }, {x}});
    // sum_to: the helper that folds broadcast gradients back (a leading axis, a stretched 1)
    for (Shape to : {Shape{3, 4}, Shape{2, 1, 4}, Shape{1, 3, 1}, Shape{4}})
        cases.push_back({"sum_to " + shape_str(to), [=](const Inputs& v) { return sum_to(v[0], to); }, {x}});
    return cases;
}

// ---- matmul ------------------------------------------------------------------------------------

namespace {
// (B, T, nh·hs) seen as attention's heads (B, nh, T, hs): two batch axes no single stride walks
Tensor heads(const Tensor& x, int64_t nh) {
    int64_t B = x.shape()[0], T = x.shape()[1], C = x.shape()[2];
    return reshape(x, {B, T, nh, C / nh}).transpose(1, 2);
}
}  // namespace

std::vector<GradCase> matmul_grad_cases() {
    auto mm = [](const Inputs& v) { return matmul(v[0], v[1]); };
    Tensor w = randn64({5, 4}, 52);
    return {
        // 2-D, batched, broadcast batch, 1-D
        {"matmul 2-D", mm, {randn64({3, 4}, 20), randn64({4, 5}, 21)}},
        {"matmul batched", mm, {randn64({2, 3, 4}, 22), randn64({2, 4, 5}, 23)}},
        {"matmul, batch [2,1] with [3]", mm, {randn64({2, 1, 3, 4}, 24), randn64({3, 4, 2}, 25)}},
        {"matmul batch @ matrix (the Linear-layer case)", mm, {randn64({2, 3, 4}, 26), randn64({4, 5}, 27)}},
        {"matmul batch @ transposed matrix (x·Wᵀ)", mm, {randn64({2, 3, 4}, 98), randn64({5, 4}, 99).t()}},
        {"matmul matrix @ batch", mm, {randn64({3, 4}, 28), randn64({2, 4, 5}, 29)}},
        {"matmul vector @ matrix", mm, {randn64({4}, 30), randn64({4, 5}, 31)}},
        {"matmul matrix @ vector", mm, {randn64({3, 4}, 32), randn64({4}, 33)}},
        {"matmul vector @ vector", mm, {randn64({4}, 34), randn64({4}, 35)}},
        {"matmul batch @ vector", mm, {randn64({2, 3, 4}, 36), randn64({4}, 37)}},
        // transposed and sliced (non-contiguous) inputs
        {"matmul, both transposed", mm, {randn64({4, 3}, 40).t(), randn64({5, 4}, 41).t()}},
        {"matmul, both sliced", mm, {randn64({3, 7}, 42).narrow(1, 2, 4), randn64({6, 5}, 43).narrow(0, 1, 4)}},
        {"matmul batched, transposed", mm, {randn64({2, 4, 3}, 44).transpose(-1, -2), randn64({2, 4, 5}, 45)}},
        {"matmul, irregular batch", mm, {randn64({3, 2, 4}, 46).transpose(0, 1), randn64({4, 5}, 47)}},
        {"matmul x @ x^T (reused)", [](const Inputs& v) { return matmul(v[0], v[0].t()); }, {randn64({3, 4}, 48)}},
        // attention's head views: gemm batches the longer batch axis and loops over the other,
        // B longer than nh, and shorter
        {"matmul of head views, B 5 > nh 2",
         [](const Inputs& v) { return matmul(heads(v[0], 2), heads(v[1], 2).transpose(-1, -2)); },
         {randn64({5, 4, 6}, 90), randn64({5, 4, 6}, 91)}},
        {"matmul of head views, B 2 < nh 5",
         [](const Inputs& v) { return matmul(heads(v[0], 5), heads(v[1], 5).transpose(-1, -2)); },
         {randn64({2, 4, 15}, 92), randn64({2, 4, 15}, 93)}},
        // crossed broadcasts: batch (6, 5) where a repeats along the second axis, b along the first
        {"matmul, crossed batch broadcasts", mm, {randn64({6, 1, 3, 4}, 94), randn64({1, 5, 4, 2}, 95)}},
        // both stored transposed (their gradients are computed transposed) and broadcast (then summed)
        {"matmul, transposed operands broadcast over the batch", mm,
         {randn64({2, 1, 4, 3}, 96).transpose(-1, -2), randn64({3, 2, 4}, 97).transpose(-1, -2)}},
        // linear
        {"linear with bias", [](const Inputs& v) { return linear(v[0], v[1], v[2]); },
         {randn64({2, 3, 4}, 51), w, randn64({5}, 53)}},
        {"linear without bias", [](const Inputs& v) { return linear(v[0], v[1]); }, {randn64({3, 4}, 54), w}},
    };
}

// ---- shape ops ----------------------------------------------------------------------------------

std::vector<GradCase> shape_grad_cases() {
    Tensor x = randn64({2, 3, 4}, 60), xt = randn64({4, 3}, 61).t();
    Tensor a = randn64({2, 3}, 70);
    return {
        // views, contiguous and not
        {"reshape", [](const Inputs& v) { return reshape(v[0], {4, -1}); }, {x}},
        {"reshape a transposed input (copies)", [](const Inputs& v) { return reshape(v[0], {-1}); }, {xt}},
        {"view", [](const Inputs& v) { return view(v[0], {6, 4}); }, {x}},
        {"permute", [](const Inputs& v) { return permute(v[0], {2, 0, 1}); }, {x}},
        {"transpose", [](const Inputs& v) { return transpose(v[0], 0, 2); }, {x}},
        {"t", [](const Inputs& v) { return v[0].t(); }, {xt}},
        {"narrow", [](const Inputs& v) { return narrow(v[0], 1, 1, 2); }, {x}},
        {"slice", [](const Inputs& v) { return v[0].slice(2, 1, 3); }, {x}},
        {"select", [](const Inputs& v) { return v[0].select(0, 1); }, {x}},
        {"unsqueeze", [](const Inputs& v) { return unsqueeze(v[0], 1); }, {x}},
        {"squeeze", [](const Inputs& v) { return squeeze(v[0], 1); }, {randn64({3, 1, 2}, 62)}},
        {"expand", [](const Inputs& v) { return expand(v[0], {2, 3, 4}); }, {randn64({3, 1}, 63)}},
        {"contiguous of a transposed input", [](const Inputs& v) { return contiguous(v[0]); }, {xt}},
        {"flatten", [](const Inputs& v) { return v[0].flatten(); }, {x}},
        {"clone", [](const Inputs& v) { return v[0].clone(); }, {x}},
        {"a chain of views over a sliced input, then arithmetic",
         [](const Inputs& v) { return exp(v[0].transpose(0, 1).unsqueeze(0)) * 2.0; },
         {randn64({5, 6}, 64).slice(1, 1, 5)}},
        // concat, stack, split
        {"concat of three", [](const Inputs& v) { return concat({v[0], v[1], v[2]}, 1); },
         {a, randn64({2, 1}, 71), randn64({2, 2}, 72)}},
        {"concat along 0", [](const Inputs& v) { return concat({v[0], v[1]}, 0); }, {a, randn64({4, 3}, 73).t().t()}},
        {"stack along 0", [](const Inputs& v) { return stack({v[0], v[1]}, 0); }, {a, randn64({2, 3}, 74)}},
        {"stack along -1, a transposed input", [](const Inputs& v) { return stack({v[0], v[1]}, -1); },
         {a, randn64({3, 2}, 75).t()}},
        // split: weight the chunks differently so a mix-up shows
        {"split",
         [](const Inputs& v) {
             auto parts = split(v[0], 2, 1);
             return concat({parts[2] * 3.0, parts[0], parts[1] * -2.0}, 1);
         },
         {randn64({3, 5}, 76)}},
    };
}

// ---- neural-network ops ------------------------------------------------------------------------

std::vector<GradCase> nn_grad_cases() {
    Tensor idx = ints({2, 0, 2}), gidx = ints({0, 0, 2, 1, 1, 1}, {2, 3});
    Tensor s = randn64({3, 5}, 90), t7 = ints({1, 7, 0});
    Tensor w = randn64({6}, 111);
    return {
        // embedding, index_select, gather: repeated indices scatter-add
        {"embedding, repeated ids", [](const Inputs& v) { return embedding(v[0], v[1]); },
         {ints({3, 0, 3, 1, 3, 2}, {2, 3}), randn64({5, 4}, 80)}},
        {"index_select along 0", [](const Inputs& v) { return index_select(v[0], 0, v[1]); },
         {randn64({3, 4}, 81), idx}},
        {"index_select along 1", [](const Inputs& v) { return index_select(v[0], 1, v[1]); },
         {randn64({2, 4}, 82), idx}},
        {"index_select along -1, a transposed input", [](const Inputs& v) { return index_select(v[0], -1, v[1]); },
         {randn64({4, 3}, 83).t(), idx}},
        {"gather along 1", [](const Inputs& v) { return gather(v[0], 1, v[1]); }, {randn64({2, 4}, 84), gidx}},
        {"gather along 0", [](const Inputs& v) { return gather(v[0], 0, v[1]); }, {randn64({3, 3}, 85), gidx}},
        // softmax, log_softmax, causal_softmax
        {"softmax", [](const Inputs& v) { return softmax(v[0]); }, {s}},
        {"log_softmax", [](const Inputs& v) { return log_softmax(v[0]); }, {s}},
        {"softmax of a transposed input", [](const Inputs& v) { return softmax(v[0]); }, {randn64({5, 3}, 91).t()}},
        {"causal_softmax", [](const Inputs& v) { return causal_softmax(v[0]); }, {randn64({2, 4, 4}, 92)}},
        {"log_softmax times softmax", [](const Inputs& v) { return log_softmax(v[0] * 3.0) * softmax(v[0]); }, {s}},
        // cross_entropy, with ignored targets
        {"cross_entropy, a target -100 ignored", [](const Inputs& v) { return cross_entropy(v[0], v[1]); },
         {randn64({2, 2, 5}, 100), ints({2, -100, 0, 4}, {2, 2})}},
        {"cross_entropy ignoring 7, a transposed input", [](const Inputs& v) { return cross_entropy(v[0], v[1], 7); },
         {randn64({5, 3}, 101).t(), t7}},
        {"cross_entropy times 3", [](const Inputs& v) { return cross_entropy(v[0], v[1], 7) * 3.0; },
         {randn64({3, 5}, 102), t7}},
        // layer_norm, with and without weight and bias
        {"layer_norm", [](const Inputs& v) { return layer_norm(v[0], v[1], v[2]); },
         {randn64({3, 6}, 110), w, randn64({6}, 112)}},
        {"layer_norm without weight and bias", [](const Inputs& v) { return layer_norm(v[0], Tensor(), Tensor()); },
         {randn64({3, 6}, 110)}},
        {"layer_norm of a permuted input, weight only",
         [](const Inputs& v) { return layer_norm(v[0], v[1], Tensor()); },
         {randn64({6, 2, 3}, 113).permute({1, 2, 0}), w}},
        // dropout: the generator is re-seeded inside f, so every evaluation draws the same mask
        {"dropout with a fixed generator",
         [](const Inputs& v) {
             Generator gen(9);
             return dropout(v[0], 0.3, true, gen);
         },
         {randn64({4, 5}, 120)}},
    };
}

// ---- graphs: reuse and diamonds --------------------------------------------------------------------

std::vector<GradCase> graph_grad_cases() {
    Tensor x = randn64({2, 3}, 130), y = randn64({2, 3}, 131);
    return {
        {"x * x", [](const Inputs& v) { return v[0] * v[0]; }, {x}},
        {"x * y + x * x * y", [](const Inputs& v) { return v[0] * v[1] + v[0] * v[0] * v[1]; }, {x, y}},
        // diamond: x -> a, x -> b, (a, b) -> c; both paths' gradients must add up at x
        {"a diamond",
         [](const Inputs& v) {
             Tensor a = tanh(v[0]), b = exp(v[0] * 0.5);
             Tensor c = a * b + a;
             return sum(c, {1});
         },
         {x}},
    };
}

// ---- at kinks and ties ------------------------------------------------------------------------

void check_kinks_and_ties(Device device) {
    // A finite difference cannot check these points (the function has no derivative there),
    // so the choice is pinned here, value by value, as PyTorch 1.13 makes it. The gradient is
    // compared as text ("1 1 1 0"): GCC 12.2 at -O2 and above with AVX-512 (-march=native
    // on such a CPU) built the literal std::vector<double>{1, 1, 1, 0} in
    // tests/autograd_ops_test.cpp (where this check was first written) as four 1.0s (one
    // broadcast store, the 0.0 dropped; README, "Other compilers"), so a vector literal
    // here would test the compiler instead of us.
    INFO("on ", device.str());
    auto grad_at = [device](const std::vector<double>& at, const std::function<Tensor(const Tensor&)>& f) {
        Tensor x = Tensor::from(at).to(device).requires_grad_();
        sum(f(x)).backward();
        std::string text;
        for (double g : x.grad().to_double_vector()) text += fmt::format("{}{:g}", text.empty() ? "" : " ", g);
        return text;
    };
    const std::vector<double> x{0, 1, -1, 2}, y{0, 0.5, -1, 3};
    const Tensor xd = Tensor::from(x).to(device), yd = Tensor::from(y).to(device);
    // a tie splits the gradient in two halves
    CHECK(grad_at(x, [&](const Tensor& t) { return maximum(t, yd); }) == "0.5 1 0.5 0");
    CHECK(grad_at(y, [&](const Tensor& t) { return maximum(xd, t); }) == "0.5 0 0.5 1");
    CHECK(grad_at(x, [](const Tensor& t) { return relu(t); }) == "0 1 0 1");            // relu'(0) = 0
    CHECK(grad_at(x, [](const Tensor& t) { return abs(t); }) == "0 1 -1 1");            // abs'(0) = sign(0) = 0
    CHECK(grad_at(x, [](const Tensor& t) { return clamp(t, -1, 1); }) == "1 1 1 0");    // at a bound it passes
    // equal maxima share it, as torch.amax does (torch.max(dim) gives it to one of them)
    CHECK(grad_at({1, 3, 3}, [](const Tensor& t) { return amax(t.reshape({1, 3}), {1}); }) == "0 0.5 0.5");
}

void check_grad_cases(const std::vector<GradCase>& cases, Device device) {
    GradcheckOptions options;
    options.device = device;
    for (const GradCase& c : cases) {
        INFO(c.name, " on ", device.str());
        CHECK_GRAD(c.f, c.inputs, options);
    }
}

}  // namespace aprender::testing
