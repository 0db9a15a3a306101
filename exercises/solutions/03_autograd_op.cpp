// Reference solution of exercise 3 (instructors only; not in the student kit).
#include "autograd/node.h"
#include "exercises/03_autograd_op/silu.h"

namespace aprender::exercises {

namespace {

struct SiluBackward : Node {
    Tensor x;
    std::vector<Tensor> backward(const Tensor& g) override {
        Tensor s = sigmoid(x);                       // d/dx x·σ(x) = σ + x·σ·(1 − σ)
        return {mul(g, mul(s, add(mul(x, sub(Tensor::scalar(1.0, x.dtype()), s)), 1.0)))};
    }
    const char* name() const override { return "SiluBackward"; }
    void release() override { x = Tensor(); }
};

}  // namespace

Tensor silu(const Tensor& x) {
    Tensor y;
    {
        NoGradGuard no_grad;
        y = mul(x, sigmoid(x));
    }
    if (any_requires_grad({&x})) {
        auto node = std::make_shared<SiluBackward>();
        node->x = node->save(x.detach());  // its version is checked before backward
        attach(node, {&x}, y);
    }
    return y;
}

}  // namespace aprender::exercises
