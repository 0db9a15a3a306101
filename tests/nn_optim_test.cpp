// Tests for nn/optim: update rules against hand arithmetic, optimizer state only for
// trainable parameters, state save/load, gradient clipping, schedules.
#include "nn/layers.h"
#include "nn/optim.h"
#include "nn/safetensors.h"

#include <doctest/doctest.h>

#include <cmath>
#include <filesystem>
#include <set>
#include <unistd.h>

using namespace aprender;
using namespace aprender::nn;

namespace {
Tensor param(std::vector<double> v, Shape shape = {}) {
    Tensor t = Tensor::from(v, std::move(shape));
    t.requires_grad_(true);
    return t;
}
void set_grad(const Tensor& p, std::vector<double> g) { p.set_grad(Tensor::from(g, p.shape())); }
}  // namespace

TEST_CASE("nn: AdamW's first two steps match hand-computed values") {
    // lr 0.1, β1 0.9, β2 0.999, ε 1e-8, wd 0.1, in f64 so the check can be tight.
    Tensor w = param({1.0, -2.0}, {1, 2});  // 2-D: decayed
    Tensor b = param({1.0, -2.0}, {2});     // 1-D: not decayed (nanoGPT's groups)
    AdamW opt({{"w", w}, {"b", b}}, {.lr = 0.1, .beta1 = 0.9, .beta2 = 0.999, .eps = 1e-8, .weight_decay = 0.1});
    REQUIRE(opt.param_groups().size() == 2);
    CHECK(opt.param_groups()[0].names == std::vector<std::string>{"w"});
    CHECK(opt.param_groups()[0].weight_decay == 0.1);
    CHECK(opt.param_groups()[1].names == std::vector<std::string>{"b"});
    CHECK(opt.param_groups()[1].weight_decay == 0.0);

    // Step 1, g = [0.5, -1]:
    //   m = 0.1·g = [0.05, -0.1]            v = 0.001·g² = [0.00025, 0.001]
    //   m̂ = m / (1 - 0.9)   = [0.5, -1]     v̂ = v / (1 - 0.999) = [0.25, 1],  √v̂ = [0.5, 1]
    //   w ← w - 0.1·(0.1·w + m̂/(√v̂ + ε))
    //   w[0] = 1 - 0.1·(0.1 + 0.5/0.50000001)     = 1 - 0.1·(0.1 + 0.99999998) = 0.890000002
    //   w[1] = -2 - 0.1·(-0.2 + -1/1.00000001)    = -2 + 0.1·(0.2 + 0.99999999) = -1.880000001
    //   b has no decay: b[0] = 1 - 0.1·0.99999998 = 0.900000002, b[1] = -2 + 0.099999999 = -1.900000001
    set_grad(w, {0.5, -1.0});
    set_grad(b, {0.5, -1.0});
    opt.step();
    auto wv = w.to_vector<double>(), bv = b.to_vector<double>();
    CHECK(wv[0] == doctest::Approx(0.890000002).epsilon(1e-13));
    CHECK(wv[1] == doctest::Approx(-1.880000001).epsilon(1e-13));
    CHECK(bv[0] == doctest::Approx(0.900000002).epsilon(1e-13));
    CHECK(bv[1] == doctest::Approx(-1.900000001).epsilon(1e-13));

    // Step 2, g = [-0.5, 2]:
    //   m = 0.9·[0.05, -0.1] + 0.1·[-0.5, 2] = [-0.005, 0.11]
    //   v = 0.999·[0.00025, 0.001] + 0.001·[0.25, 4] = [0.00049975, 0.004999]
    //   bias corrections 1 - 0.9² = 0.19 and 1 - 0.999² = 0.001999:
    //   m̂ = [-0.005/0.19, 0.11/0.19] = [-0.0263157894..., 0.5789473684...]
    //   v̂ = [0.00049975/0.001999, 0.004999/0.001999] = [0.25, 2.5007503751...]
    //   w[0] = 0.890000002 - 0.1·(0.0890000002 + -0.0263157894/0.50000001)  = 0.88636315977
    //   w[1] = -1.880000001 - 0.1·(-0.1880000001 + 0.5789473684/1.5813761...) = -1.89781035346
    set_grad(w, {-0.5, 2.0});
    set_grad(b, {-0.5, 2.0});
    opt.step();
    wv = w.to_vector<double>();
    // the same arithmetic, written out, and the numbers it gives
    double m0 = -0.005 / 0.19, v0 = 0.00049975 / 0.001999, m1 = 0.11 / 0.19, v1 = 0.004999 / 0.001999;
    double w0 = 0.890000002 - 0.1 * (0.1 * 0.890000002 + m0 / (std::sqrt(v0) + 1e-8));
    double w1 = -1.880000001 - 0.1 * (0.1 * -1.880000001 + m1 / (std::sqrt(v1) + 1e-8));
    CHECK(w0 == doctest::Approx(0.8863631597694736).epsilon(1e-12));
    CHECK(w1 == doctest::Approx(-1.8978103534620747).epsilon(1e-12));
    CHECK(wv[0] == doctest::Approx(w0).epsilon(1e-12));
    CHECK(wv[1] == doctest::Approx(w1).epsilon(1e-12));
    CHECK(opt.steps() == 2);
}

TEST_CASE("nn: a parameter refused mid-step: the ones before it are updated once, the error names it") {
    // AdamW queues the updates of a step and does them together (one backend call, on a
    // GPU a few launches): a refusal must not lose the queued ones nor repeat them later.
    Tensor a = param({1.0, -2.0}, {1, 2}), b = Tensor::from(std::vector<double>{3.0, 4.0, 5.0, 6.0}, {2, 2}).t();
    b.requires_grad_(true);  // a transposed view: not contiguous, so the optimizer refuses it
    Tensor ref = param({1.0, -2.0}, {1, 2});  // a, stepped alone (a before b: both 2-D, one group)
    AdamWOptions o{.lr = 0.1, .weight_decay = 0.0};
    AdamW opt({{"a", a}, {"b", b}}, o), alone({{"a", ref}}, o);
    set_grad(a, {0.5, -1.0});
    set_grad(ref, {0.5, -1.0});
    set_grad(b, {1.0, 1.0, 1.0, 1.0});
    CHECK_THROWS_WITH(opt.step(), doctest::Contains("parameter 'b' is not contiguous"));
    alone.step();
    CHECK(a.to_vector<double>() == ref.to_vector<double>());
    CHECK(b.to_vector<double>() == std::vector<double>{3.0, 5.0, 4.0, 6.0});
    b.set_grad(Tensor());  // b left out of the next step
    opt.step();  // a's second update: nothing from the failed step is repeated
    alone.step();
    CHECK(a.to_vector<double>() == ref.to_vector<double>());
}

TEST_CASE("nn: Adam (coupled L2) differs from AdamW (decoupled) exactly as the formulas say") {
    // The first step of Adam moves p by lr·sign(m̂) whatever the gradient's size, so the
    // gradient is chosen where the decay flips that sign. p = 2, wd = 0.5 (wd·p = 1), lr = 0.1:
    //   g = -0.5 → Adam (coupled L2): g' = g + wd·p = +0.5, p = 2 - 0.1 = 1.9
    //              (ignoring the decay it would move up: 2.1)
    //              AdamW (decoupled): p = 2 - 0.1·wd·p - 0.1·sign(g) = 2 - 0.1 + 0.1 = 2.0
    //   g = +1   → Adam: g' = 2, p = 1.9;  AdamW: p = 2 - 0.1·(1 + 1) = 1.8
    for (double g : {-0.5, 1.0}) {
        Tensor a = param({2.0}, {1, 1}), w = param({2.0}, {1, 1}), plain = param({2.0}, {1, 1});
        Adam adam({{"a", a}}, {.lr = 0.1, .eps = 1e-12, .weight_decay = 0.5});
        AdamW adamw({{"w", w}}, {.lr = 0.1, .eps = 1e-12, .weight_decay = 0.5});
        Adam no_decay({{"p", plain}}, {.lr = 0.1, .eps = 1e-12, .weight_decay = 0.0});
        set_grad(a, {g});
        set_grad(w, {g});
        set_grad(plain, {g});
        adam.step();
        adamw.step();
        no_decay.step();
        CAPTURE(g);
        CHECK(std::abs(a.item() - 1.9) < 1e-10);
        CHECK(std::abs(w.item() - (g < 0 ? 2.0 : 1.8)) < 1e-10);
        CHECK(std::abs(plain.item() - (g < 0 ? 2.1 : 1.9)) < 1e-10);
    }
}

TEST_CASE("nn: SGD with momentum (and nesterov, weight decay)") {
    // lr 0.1, μ 0.9, g = 1 both steps:
    //   step 1: b = g = 1            p = 1 - 0.1·1   = 0.9
    //   step 2: b = 0.9·1 + 1 = 1.9  p = 0.9 - 0.1·1.9 = 0.71
    Tensor p = param({1.0});
    SGD sgd({{"p", p}}, {.lr = 0.1, .momentum = 0.9});
    set_grad(p, {1.0});
    sgd.step();
    CHECK(p.item() == doctest::Approx(0.9));
    set_grad(p, {1.0});
    sgd.step();
    CHECK(p.item() == doctest::Approx(0.71));
    CHECK(sgd.state_dict().back().first == "optim.p.momentum_buffer");
    CHECK(sgd.state_dict().back().second.item() == doctest::Approx(1.9));

    // nesterov: step 1 uses g + μ·b = 1 + 0.9 = 1.9 → p = 1 - 0.19 = 0.81
    Tensor q = param({1.0});
    SGD nag({{"q", q}}, {.lr = 0.1, .momentum = 0.9, .nesterov = true});
    set_grad(q, {1.0});
    nag.step();
    CHECK(q.item() == doctest::Approx(0.81));

    // weight decay folds into the gradient: g' = 1 + 0.5·2 = 2 → p = 2 - 0.1·2 = 1.8
    Tensor r = param({2.0});
    SGD wd({{"r", r}}, {.lr = 0.1, .weight_decay = 0.5});
    set_grad(r, {1.0});
    wd.step();
    CHECK(r.item() == doctest::Approx(1.8));
    CHECK(wd.state_numel() == 0);  // plain SGD keeps no state

    CHECK_THROWS_WITH(SGD({{"r", r}}, {.momentum = 1.5}), doctest::Contains("momentum must be in [0, 1)"));
}

TEST_CASE("nn: optimizer state exists only for parameters that require grad and got a gradient") {
    Tensor trained = param({1, 2, 3, 4}, {2, 2});
    Tensor frozen = Tensor::from(std::vector<double>{5, 6, 7, 8}, {2, 2});  // requires_grad false (LoRA's base)
    Tensor unused = param({9, 10}, {2});                                     // no gradient this step
    AdamW opt({{"trained", trained}, {"frozen", frozen}, {"unused", unused}});
    set_grad(trained, {1, 1, 1, 1});
    opt.step();
    // 2 moments of 4 elements + the per-parameter step counter
    CHECK(opt.state_numel() == 2 * 4 + 1);
    std::set<std::string> names;
    for (auto& [n, t] : opt.state_dict()) names.insert(n);
    CHECK(names == std::set<std::string>{"optim.step", "optim.trained.step", "optim.trained.exp_avg",
                                         "optim.trained.exp_avg_sq"});
    CHECK(frozen.to_vector<double>() == std::vector<double>{5, 6, 7, 8});
    CHECK(unused.to_vector<double>() == std::vector<double>{9, 10});

    // a real model: freeze everything but one Linear, check the memory is the trainable part's
    Generator gen(0);
    struct Net : Module {
        std::shared_ptr<Linear> fc1, fc2;
        explicit Net(Generator& g) {
            register_module("fc1", fc1 = std::make_shared<Linear>(8, 8, true, g));
            register_module("fc2", fc2 = std::make_shared<Linear>(8, 2, true, g));
        }
        Tensor forward(const Tensor& x) override { return fc2->forward(fc1->forward(x)); }
    };
    auto net = std::make_shared<Net>(gen);
    net->fc1->requires_grad_(false);
    AdamW opt2(net->named_parameters());  // all four tensors; only fc2's get state
    Tensor x = Tensor::normal({3, 8}, 0, 1, gen);
    sum(net->forward(x)).backward();
    opt2.step();
    CHECK(opt2.state_numel() == 2 * (8 * 2 + 2) + 2);  // fc2's weight and bias, 2 step counters
}

TEST_CASE("nn: optimizer state round trip through safetensors resumes exactly") {
    auto tmp = std::filesystem::temp_directory_path() / ("aprender_optim_" + std::to_string(getpid()) + ".safetensors");
    Tensor a = param({1.0, 2.0, 3.0}, {3, 1}), b = param({1.0, 2.0, 3.0}, {3, 1});
    AdamW oa({{"p", a}}), ob({{"p", b}});
    auto grads = [](int k) { return std::vector<double>{0.1 * k, -0.2, 0.3 * k}; };
    for (int k = 1; k <= 3; ++k) {
        set_grad(a, grads(k));
        oa.step();
    }
    save_safetensors(tmp.string(), oa.state_dict());
    b.copy_from(a);
    ob.load_state_dict(load_safetensors(tmp.string()).tensors);
    std::filesystem::remove(tmp);
    CHECK(ob.steps() == 3);
    for (int k = 4; k <= 5; ++k) {
        set_grad(a, grads(k));
        set_grad(b, grads(k));
        oa.step();
        ob.step();
    }
    CHECK(a.to_vector<double>() == b.to_vector<double>());  // bit-identical

    NamedTensors bad = oa.state_dict();
    bad[2].second = Tensor::zeros({4, 1}, DType::f64);
    CHECK_THROWS_WITH(ob.load_state_dict(bad), doctest::Contains("has shape [4,1], the parameter needs [3,1]"));
    NamedTensors extra = oa.state_dict();
    extra.emplace_back("optim.q.exp_avg", Tensor::zeros({1}));
    CHECK_THROWS_WITH(ob.load_state_dict(extra), doctest::Contains("'optim.q.exp_avg' belongs to no parameter"));
}

TEST_CASE("nn: clip_grad_norm scales all gradients to the global norm") {
    Tensor a = param({0, 0}), b = param({0});
    set_grad(a, {3, 4});
    set_grad(b, {12});
    Tensor c = param({1});  // no gradient: ignored
    // ‖g‖ = sqrt(9 + 16 + 144) = 13
    CHECK(clip_grad_norm({a, b, c}, 100.0) == doctest::Approx(13));
    CHECK(a.grad().to_vector<double>() == std::vector<double>{3, 4});  // below max: untouched
    CHECK(clip_grad_norm({a, b, c}, 6.5) == doctest::Approx(13));
    double s = 6.5 / (13 + 1e-6);
    CHECK(a.grad().to_vector<double>()[1] == doctest::Approx(4 * s));
    CHECK(b.grad().item() == doctest::Approx(12 * s));
    CHECK(clip_grad_norm({a, b}, 100.0) == doctest::Approx(6.5).epsilon(1e-6));
    CHECK(!c.grad().defined());
}

TEST_CASE("nn: model.to(the device it is on) keeps its parameters, their gradients and the optimizer's hold") {
    // Module::to replaced every parameter, even one already on the device: a CPU model's
    // .to(cpu) dropped each .grad and left an optimizer built before it updating tensors
    // the model no longer used, so step() found no gradient and changed nothing.
    Generator gen(3);
    Linear layer(2, 1, true, gen);
    Tensor w = layer.weight;
    SGD opt(layer.named_parameters(), {.lr = 0.5});
    layer.forward(Tensor::ones({1, 2})).backward();
    layer.to(Device::cpu());  // after a backward: the gradient stays
    CHECK(layer.weight.same(w));
    CHECK(layer.weight.grad().defined());
    opt.zero_grad();
    layer.to(Device::cpu());  // before a backward: the gradient reaches the optimizer's tensor
    layer.forward(Tensor::ones({1, 2})).backward();  // dL/dw = 1
    std::vector<float> before = w.to_vector<float>();
    opt.step();
    CHECK(layer.weight.to_vector<float>()[0] == doctest::Approx(before[0] - 0.5));
}

TEST_CASE("nn: learning-rate schedules hit their endpoints") {
    auto s = LrSchedule::warmup_cosine(1.0, 10, 110, 0.1);
    CHECK(s.lr_at(0) == doctest::Approx(0.1));   // 1.0 · 1/10
    CHECK(s.lr_at(4) == doctest::Approx(0.5));   // 1.0 · 5/10
    CHECK(s.lr_at(10) == doctest::Approx(1.0));  // end of warm-up: max_lr
    CHECK(s.lr_at(60) == doctest::Approx(0.55)); // half way: cos(π/2) = 0 → mean of max and min
    CHECK(s.lr_at(110) == doctest::Approx(0.1)); // end: min_lr
    CHECK(s.lr_at(100000) == doctest::Approx(0.1));
    for (int64_t i = 10; i < 110; ++i) CHECK(s.lr_at(i + 1) <= s.lr_at(i));
    CHECK(LrSchedule::warmup_cosine(2.0, 0, 10, 0.0).lr_at(0) == doctest::Approx(2.0));
    CHECK(LrSchedule::constant(3e-4).lr_at(12345) == 3e-4);
    CHECK_THROWS_WITH(LrSchedule::warmup_cosine(1.0, 10, 10, 0.1), doctest::Contains("warmup < total"));
    CHECK_THROWS_WITH(LrSchedule::warmup_cosine(0.1, 0, 10, 1.0), doctest::Contains("min_lr <= max_lr"));
}

TEST_CASE("nn: AdamW trains a linear model (backward + step end to end)") {
    Generator gen(3);
    auto fc = std::make_shared<Linear>(3, 1, true, gen);
    Tensor x = Tensor::normal({32, 3}, 0, 1, gen);
    Tensor y = matmul(x, Tensor::from({1.0f, -2.0f, 0.5f}, {3, 1})) + 0.25;
    AdamW opt(fc->named_parameters(), {.lr = 0.05, .weight_decay = 0.0});
    double first = 0, last = 0;
    for (int i = 0; i < 300; ++i) {
        Tensor loss = mean(pow(fc->forward(x) - y, 2.0));
        if (i == 0) first = loss.item();
        last = loss.item();
        opt.zero_grad();
        loss.backward();
        opt.step();
    }
    CHECK(first > 1.0);
    CHECK(last < 1e-4);
    CHECK(fc->bias.item() == doctest::Approx(0.25).epsilon(0.01));
}

TEST_CASE("nn: optimizers refuse nothing to optimize, an infinite decay, and a corrupt step count") {
    CHECK_THROWS_WITH_AS(AdamW({}, AdamWOptions{}), "optimizer: got no parameters to optimize", std::invalid_argument);
    Tensor p = Tensor::ones({2}).requires_grad_();
    AdamWOptions inf_decay;
    inf_decay.weight_decay = INFINITY;
    CHECK_THROWS_WITH_AS(AdamW({{"p", p}}, inf_decay), doctest::Contains("weight decay must be a finite number"),
                         std::invalid_argument);
    AdamW opt({{"p", p}}, AdamWOptions{});
    NamedTensors state = opt.state_dict();
    for (auto& [name, t] : state)
        if (name == "optim.step") t = Tensor::scalar(NAN);
    CHECK_THROWS_WITH(opt.load_state_dict(state), doctest::Contains("the step count nan is not a whole number"));
}

TEST_CASE("nn: a Dropout and a replaced module are checked when built") {
    CHECK_THROWS_WITH_AS(Dropout(NAN, std::make_shared<Generator>(1)), "Dropout: probability must be in [0, 1), got nan",
                         std::invalid_argument);
    MLP mlp(8, true, 0.0, std::make_shared<Generator>(2));
    CHECK_THROWS_WITH(mlp.replace_module("c_fc", nullptr), doctest::Contains("cannot hold a null module"));
}
