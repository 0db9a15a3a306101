// End to end: a 2-layer MLP learns XOR with plain SGD — the whole engine at work
// (matmul, broadcasting add, tanh, cross-entropy, backward, parameter updates).
#include "tests/test_util.h"

using namespace aprender;

namespace {

// Train from a fixed seed; return the loss after every step.
std::vector<double> train_xor(int steps, std::vector<int32_t>* predictions) {
    Generator gen(2024);
    Tensor x = Tensor::from({0.0f, 0.0f, 0.0f, 1.0f, 1.0f, 0.0f, 1.0f, 1.0f}, {4, 2});
    Tensor y = Tensor::from(std::vector<int32_t>{0, 1, 1, 0});
    Tensor w1 = Tensor::normal({8, 2}, 0.0, 1.0, gen).requires_grad_();  // [out, in]
    Tensor b1 = Tensor::zeros({8}).requires_grad_();
    Tensor w2 = Tensor::normal({2, 8}, 0.0, 0.5, gen).requires_grad_();
    Tensor b2 = Tensor::zeros({2}).requires_grad_();
    std::vector<Tensor> params = {w1, b1, w2, b2};
    std::vector<double> losses;
    const double lr = 0.5;
    for (int step = 0; step < steps; ++step) {
        Tensor logits = linear(tanh(linear(x, w1, b1)), w2, b2);
        Tensor loss = cross_entropy(logits, y);
        loss.backward();
        losses.push_back(loss.item());
        NoGradGuard no_grad;  // the update is not part of any graph
        for (Tensor& p : params) {
            p.copy_from(p - p.grad() * lr);
            p.zero_grad();
        }
    }
    NoGradGuard no_grad;
    *predictions = argmax(linear(tanh(linear(x, w1, b1)), w2, b2)).to_vector<int32_t>();
    return losses;
}

}  // namespace

TEST_CASE("autograd: a 2-layer MLP learns XOR with SGD, deterministically") {
    std::vector<int32_t> pred1, pred2;
    std::vector<double> run1 = train_xor(300, &pred1), run2 = train_xor(300, &pred2);
    INFO("first loss ", run1.front(), ", last loss ", run1.back());
    CHECK(run1.front() > 0.5);
    CHECK(run1.back() < 0.05);
    CHECK(pred1 == std::vector<int32_t>{0, 1, 1, 0});
    CHECK(run1 == run2);  // the same seed gives bit-identical losses
}
