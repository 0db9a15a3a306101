// The README's "Autograd in 20 lines", verbatim: if this stops compiling or fitting, the
// README is wrong.
#include "autograd/ops.h"

#include <doctest/doctest.h>

using namespace aprender;

TEST_CASE("autograd: the README example fits y = 3x - 1") {
    Generator gen(0);
    Tensor x = Tensor::uniform({64, 1}, -1, 1, gen);             // 64 samples, 1 feature
    Tensor y = x * 3.0 - 1.0 + Tensor::normal({64, 1}, 0, 0.01, gen);
    Tensor w = Tensor::zeros({1, 1}).requires_grad_();           // parameters: leaves that
    Tensor b = Tensor::zeros({1}).requires_grad_();              // want a .grad()
    for (int step = 0; step < 200; ++step) {
        Tensor err = linear(x, w, b) - y;       // records LinearBackward, BinaryBackward...
        Tensor loss = mean(err * err);
        loss.backward();                        // fills w.grad() and b.grad(), frees the graph
        NoGradGuard no_grad;                    // the update itself must not be recorded
        w.copy_from(w - w.grad() * 0.5);
        b.copy_from(b - b.grad() * 0.5);
        w.zero_grad();                          // .grad() accumulates (+=) otherwise
        b.zero_grad();
    }
    CHECK(fmt::format("w = {:.2f}, b = {:.2f}", w.item(), b.item()) == "w = 3.00, b = -1.00");
}
