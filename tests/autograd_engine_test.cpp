// The backward engine: accumulation, retain_graph, freed graphs, NoGradGuard, detach,
// retain_grad, long chains, and gradcheck catching a wrong backward.
#include "autograd/node.h"
#include "tests/gradcheck.h"
#include "tests/test_util.h"

#include <thread>

using namespace aprender;
using namespace aprender::testing;

TEST_CASE("autograd: gradients accumulate across two backward calls until zero_grad") {
    Tensor w = Tensor::from({1.0f, 2.0f}).requires_grad_();
    Tensor x = Tensor::from({3.0f, -1.0f});
    sum(w * x).backward();
    check_close(w.grad(), {3, -1});
    sum(w * x).backward();  // a second graph: += into the same .grad
    check_close(w.grad(), {6, -2});
    w.zero_grad();
    CHECK_FALSE(w.grad().defined());
    sum(w * w).backward();
    check_close(w.grad(), {2, 4});
    CHECK_FALSE(x.grad().defined());  // x never asked for a gradient
}

TEST_CASE("autograd: a first gradient is never shared with another tensor (copied unless nothing else holds it)") {
    // add's backward hands one tensor to both sides: each leaf gets its own copy
    Tensor a = Tensor::from({1.0f, 2.0f}).requires_grad_(), b = Tensor::from({3.0f, 4.0f}).requires_grad_();
    sum(a + b).backward();
    check_close(a.grad(), {1, 1});
    check_close(b.grad(), {1, 1});
    CHECK(a.grad().raw_data() != b.grad().raw_data());
    // the seed stays the caller's
    Tensor leaf = Tensor::from({1.0f, 1.0f}).requires_grad_(), seed = Tensor::from({4.0f, 5.0f});
    leaf.backward(seed);
    CHECK(leaf.grad().raw_data() != seed.raw_data());
    // a kept non-leaf gradient and the leaf's gradient, one a view of the other's: copied
    Tensor w = Tensor::from({1.0f, 2.0f, 3.0f, 4.0f}).requires_grad_();
    Tensor h = reshape(w, {2, 2});
    h.retain_grad();
    sum(h * h).backward();
    check_close(w.grad(), {2, 4, 6, 8});
    CHECK(h.grad().raw_data() != w.grad().raw_data());
    // a weight's gradient fresh from a matmul is taken as it is, and adds up as before
    Tensor W = Tensor::from({1.0f, 0.0f, 0.0f, 1.0f}, {2, 2}).requires_grad_(), x = Tensor::from({1.0f, 2.0f}, {1, 2});
    sum(matmul(x, W)).backward();
    sum(matmul(x, W)).backward();
    check_close(W.grad(), {2, 2, 4, 4});
}

TEST_CASE("autograd: retain_graph allows a second backward, then the freed graph is a clear error") {
    Tensor w = Tensor::from({1.0f, -2.0f}).requires_grad_();
    Tensor loss = sum(w * w * 3.0);
    loss.backward(Tensor(), /*retain_graph=*/true);
    check_close(w.grad(), {6, -12});
    loss.backward();  // the graph was kept: same gradient again, accumulated
    check_close(w.grad(), {12, -24});
    CHECK_THROWS_WITH_AS(loss.backward(),
                         "backward: the graph through SumBackward was already freed by an earlier backward; "
                         "pass retain_graph=true to the first one",
                         TensorError);
    // a second loss sharing the freed part of the graph hits the same error
    Tensor h = exp(w);
    Tensor l1 = sum(h), l2 = mean(h);
    l1.backward();
    CHECK_THROWS_WITH_AS(l2.backward(),
                         "backward: the graph through ExpBackward was already freed by an earlier backward; "
                         "pass retain_graph=true to the first one",
                         TensorError);
}

TEST_CASE("autograd: backward with an explicit output gradient") {
    Tensor x = Tensor::from({1.0f, 2.0f, 3.0f}).requires_grad_();
    Tensor y = x * x;
    y.backward(Tensor::from({1.0f, 0.0f, -1.0f}));
    check_close(x.grad(), {2, 0, -6});
    Tensor leaf = Tensor::from({1.0f, 1.0f}).requires_grad_();
    leaf.backward(Tensor::from({4.0f, 5.0f}));  // backward on a leaf: its gradient is the seed
    check_close(leaf.grad(), {4, 5});
}

TEST_CASE("autograd: NoGradGuard turns recording off, nests, and is per thread") {
    Tensor w = Tensor::from({1.0f}).requires_grad_();
    CHECK(grad_enabled());
    {
        NoGradGuard g;
        CHECK_FALSE(grad_enabled());
        Tensor y = w * 2.0;
        CHECK_FALSE(y.requires_grad());
        CHECK(y.grad_fn() == nullptr);
        {
            NoGradGuard inner;
            CHECK_FALSE(grad_enabled());
        }
        CHECK_FALSE(grad_enabled());  // the inner guard restored "off", not "on"
        bool other_thread = false;
        std::thread([&] { other_thread = grad_enabled(); }).join();
        CHECK(other_thread);  // thread-local: another thread still records
    }
    CHECK(grad_enabled());
    CHECK((w * 2.0).requires_grad());
}

TEST_CASE("autograd: detach cuts the history but shares the numbers") {
    Tensor w = Tensor::from({2.0f, 3.0f}).requires_grad_();
    Tensor h = w * 2.0;
    Tensor d = h.detach();
    CHECK_FALSE(d.requires_grad());
    CHECK(d.is_leaf());
    CHECK(d.impl().storage == h.impl().storage);
    sum(d * w).backward();  // d is a constant here
    check_close(w.grad(), {4, 6});
}

TEST_CASE("autograd: retain_grad keeps the gradient of a non-leaf") {
    Tensor w = Tensor::from({1.0f, -1.0f}).requires_grad_();
    Tensor h = w * 3.0, k = w * 2.0;
    h.retain_grad();
    sum(h * h + k).backward();
    check_close(h.grad(), {6, -6});  // dL/dh = 2h
    CHECK_FALSE(k.grad().defined());  // not asked for
    check_close(w.grad(), {20, -16});
    CHECK_FALSE(h.is_leaf());
}

TEST_CASE("autograd: a 10,000-op chain runs backward and is freed without deep recursion") {
    Tensor x = Tensor::scalar(1.0, DType::f64).requires_grad_();
    Tensor y = x;
    for (int i = 0; i < 10000; ++i) y = (i % 2) ? y * 1.0001 : y + 0.5;
    y.backward();
    CHECK(x.grad().item() == doctest::Approx(std::pow(1.0001, 5000)).epsilon(1e-12));
    // and a long chain dropped without any backward (Node's destructor is iterative)
    Tensor z = x;
    for (int i = 0; i < 10000; ++i) z = z * 1.0;
    z = Tensor();
}

TEST_CASE("autograd: ops record named nodes only when an input requires grad") {
    Tensor a = Tensor::from({1.0f}), b = Tensor::from({2.0f}).requires_grad_();
    CHECK((a * a).grad_fn() == nullptr);
    CHECK(std::string((a * b).grad_fn()->name()) == "BinaryBackward");
    CHECK(std::string(exp(b).grad_fn()->name()) == "ExpBackward");
    CHECK(std::string(matmul(b, b).grad_fn()->name()) == "ReshapeBackward");  // 1-D @ 1-D ends with a reshape
    CHECK(std::string(softmax(b).grad_fn()->name()) == "SoftmaxBackward");
}

TEST_CASE("autograd: gradcheck itself catches a wrong gradient and names the worst element") {
    // x * detach(x): the analytic gradient misses one of the two factors (x instead of 2x)
    auto res = gradcheck([](const Inputs& v) { return v[0] * v[0].detach(); }, {randn64({2, 3}, 1)});
    CHECK_FALSE(res.ok);
    CHECK(res.report.find("worst element: input 0 [2,3] index [") != std::string::npos);
    CHECK(gradcheck([](const Inputs& v) { return v[0] * v[0]; }, {randn64({2, 3}, 1)}).ok);
    // float32 inputs are refused: finite differences would be meaningless
    CHECK_FALSE(gradcheck([](const Inputs& v) { return v[0] * 2.0; }, {Tensor::ones({2})}).ok);
}
