// Exercise 3 — a new autograd op: SiLU. / Uma nova op do autograd: SiLU.
// Read README.md ("How to add an op") and autograd/node.h before you start.
#include "exercises/03_autograd_op/silu.h"

#include "autograd/node.h"
#include "exercises/exercise.h"

namespace aprender::exercises {

namespace {

struct SiluBackward : Node {
    Tensor x;  // the saved input (detached)
    std::vector<Tensor> backward(const Tensor& grad_output) override {
        // TODO(exercise 3): return {dL/dx} = {grad_output · d silu/dx}.
        // Derive d/dx [x·σ(x)] on paper first (σ' = σ·(1 − σ)).
        throw APRENDER_TODO(3, "SiluBackward::backward");
    }
    const char* name() const override { return "SiluBackward"; }
    void release() override { x = Tensor(); }
};

}  // namespace

Tensor silu(const Tensor& x) {
    // TODO(exercise 3): the forward pass.
    //  1. compute y = x·σ(x) WITHOUT recording a graph (a NoGradGuard in a { } block),
    //  2. if any_requires_grad({&x}): make a SiluBackward, save x in it with
    //     node->x = node->save(x.detach()) (save() notes its version, see node.h) and
    //     attach(node, {&x}, y) — now y.grad_fn() is your node,
    //  3. return y.
    throw APRENDER_TODO(3, "silu");
}

}  // namespace aprender::exercises
