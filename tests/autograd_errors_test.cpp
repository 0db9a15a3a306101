// Bad input throws TensorError with a message naming the op and the offending values.
// The messages are part of the interface: students read them, so they are tested whole.
#include "tests/test_util.h"

using namespace aprender;
using namespace aprender::testing;

namespace {
Tensor ids(std::vector<int32_t> v, Shape s = {}) { return Tensor::from(v, s); }
}  // namespace

TEST_CASE("ops: shape errors name the op and the shapes") {
    CHECK_THROWS_WITH_AS(matmul(Tensor::zeros({2, 3}), Tensor::zeros({4, 5})),
                         "matmul: [2,3] @ [4,5]: inner dimensions 3 and 4 differ", TensorError);
    CHECK_THROWS_WITH_AS(matmul(Tensor::zeros({3}), Tensor::zeros({4})),
                         "matmul: [3] @ [4]: inner dimensions 3 and 4 differ", TensorError);
    CHECK_THROWS_WITH_AS(matmul(Tensor::zeros({2, 3, 4}), Tensor::zeros({3, 4, 5})),
                         "matmul (batch dimensions): shapes [2] and [3] cannot be broadcast (dimension 0: 2 vs 3)",
                         TensorError);
    CHECK_THROWS_WITH_AS(matmul(Tensor::scalar(1), Tensor::zeros({2})),
                         "matmul: [] @ [2]: scalars cannot be multiplied as matrices", TensorError);
    CHECK_THROWS_WITH_AS(add(Tensor::zeros({2, 3}), Tensor::zeros({4})),
                         "add: shapes [2,3] and [4] cannot be broadcast (dimension 1: 3 vs 4)", TensorError);
    CHECK_THROWS_WITH_AS(Tensor::zeros({3, 1, 4}) * Tensor::zeros({5, 3}),
                         "mul: shapes [3,1,4] and [5,3] cannot be broadcast (dimension 2: 4 vs 3)", TensorError);
    CHECK_THROWS_WITH_AS(linear(Tensor::zeros({2, 3}), Tensor::zeros({5, 4})),
                         "linear: input [2,3] has 3 features, weight [5,4] expects 4", TensorError);
    CHECK_THROWS_WITH_AS(reshape(Tensor::zeros({2, 3}), {4}), "reshape: cannot reshape [2,3] (6 elements) into [4]",
                         TensorError);
    CHECK_THROWS_WITH_AS(view(Tensor::zeros({2, 3}).t(), {6}),
                         "view: tensor of shape [3,2] is not contiguous; use reshape (which copies) or contiguous()",
                         TensorError);
    CHECK_THROWS_WITH_AS(transpose(Tensor::zeros({2, 3}), 0, 2),
                         "transpose: dimension 2 is out of range for a tensor of rank 2", TensorError);
    CHECK_THROWS_WITH_AS(squeeze(Tensor::zeros({2, 3}), 1), "squeeze: dimension 1 of shape [2,3] has size 3, not 1",
                         TensorError);
    CHECK_THROWS_WITH_AS(expand(Tensor::zeros({2, 3}), {2, 4}),
                         "expand: cannot expand [2,3] to [2,4] (dimension 1: 3 is not 1)", TensorError);
    CHECK_THROWS_WITH_AS(concat({Tensor::zeros({2, 3}), Tensor::zeros({3, 3})}, 1),
                         "concat: tensor 1 has shape [3,3], incompatible with [2,3] along dimension 1", TensorError);
    CHECK_THROWS_WITH_AS(stack({Tensor::zeros({2}), Tensor::zeros({3})}, 0),
                         "stack: tensor 1 has shape [3], but tensor 0 has [2]", TensorError);
    CHECK_THROWS_WITH_AS(layer_norm(Tensor::zeros({2, 4}), Tensor::ones({3}), Tensor()),
                         "layer_norm: input [2,4] normalises 4 features, but a parameter has shape [3]", TensorError);
    CHECK_THROWS_WITH_AS(causal_softmax(Tensor::zeros({2, 3})),
                         "causal_softmax: expects square [..., T, T] scores, got [2,3]", TensorError);
}

TEST_CASE("ops: dtype errors: no silent casts") {
    CHECK_THROWS_WITH_AS(Tensor::zeros({2}) * Tensor::zeros({2}, DType::f64),
                         "mul: dtype mismatch float32 vs float64 (convert explicitly with .to(dtype))", TensorError);
    CHECK_THROWS_WITH_AS(matmul(Tensor::zeros({2, 2}), Tensor::zeros({2, 2}, DType::i32)),
                         "matmul: dtype mismatch float32 vs int32 (convert explicitly with .to(dtype))", TensorError);
    CHECK_THROWS_WITH_AS(exp(ids({1, 2})), "exp: needs a float32 or float64 tensor, got int32", TensorError);
    CHECK_THROWS_WITH_AS(embedding(Tensor::zeros({2}), Tensor::zeros({3, 2})),
                         "embedding: indices must be int32, got float32", TensorError);
    CHECK_THROWS_WITH_AS(cross_entropy(Tensor::zeros({2, 3}), Tensor::zeros({2})),
                         "cross_entropy: targets must be int32 class indices, got float32", TensorError);
    CHECK_THROWS_WITH_AS(ids({1}).requires_grad_(),
                         "requires_grad_: only floating tensors can require grad, this one is int32", TensorError);
}

TEST_CASE("ops: out-of-range indices name the index and the size") {
    Tensor table = Tensor::zeros({5, 2});
    CHECK_THROWS_WITH_AS(embedding(ids({1, 5}), table),
                         "embedding: id 5 at position 1 is out of range for a table of 5 rows", TensorError);
    CHECK_THROWS_WITH_AS(embedding(ids({-1}), table),
                         "embedding: id -1 at position 0 is out of range for a table of 5 rows", TensorError);
    CHECK_THROWS_WITH_AS(gather(Tensor::zeros({2, 3}), 1, ids({0, 3}, {2, 1})),
                         "gather: index 3 is out of range for dimension 1 of size 3", TensorError);
    CHECK_THROWS_WITH_AS(gather(Tensor::zeros({2, 3}), 1, ids({0, 1, 2}, {3, 1})),
                         "gather: index [3,1] is larger than input [2,3] in dimension 0", TensorError);
    CHECK_THROWS_WITH_AS(index_select(Tensor::zeros({3, 2}), 0, ids({0, 3})),
                         "index_select: index 3 at position 1 is out of range for dimension 0 of size 3", TensorError);
    CHECK_THROWS_WITH_AS(narrow(Tensor::zeros({4, 2}), 0, 2, 3),
                         "narrow: range [2, 5) is out of bounds for dimension 0 of size 4 (shape [4,2])", TensorError);
    CHECK_THROWS_WITH_AS(Tensor::zeros({4, 2}).slice(1, 1, 3),
                         "narrow: range [1, 3) is out of bounds for dimension 1 of size 2 (shape [4,2])", TensorError);
    CHECK_THROWS_WITH_AS(cross_entropy(Tensor::zeros({2, 3}), ids({0, 3})),
                         "cross_entropy: target 3 at row 1 is out of range for 3 classes", TensorError);
    CHECK_THROWS_WITH_AS(cross_entropy(Tensor::zeros({2, 3}), ids({-100, -100})),
                         "cross_entropy: every target equals ignore_index; the mean is undefined", TensorError);
}

TEST_CASE("autograd: misuse of item and backward") {
    CHECK_THROWS_WITH_AS(Tensor::zeros({2}).item(), "item: tensor of shape [2] has 2 elements, not 1", TensorError);
    CHECK(Tensor::full({1, 1}, 3).item() == 3);
    Tensor w = Tensor::ones({2}).requires_grad_();
    CHECK_THROWS_WITH_AS((w * 2.0).backward(),
                         "backward: output of shape [2] is not a scalar; pass a gradient of that shape", TensorError);
    CHECK_THROWS_WITH_AS((w * 2.0).backward(Tensor::ones({3})),
                         "backward: gradient shape [3] differs from output shape [2]", TensorError);
    CHECK_THROWS_WITH_AS(
        sum(Tensor::ones({2})).backward(),
        "backward: tensor does not require grad (no input of the computation requires grad)", TensorError);
    CHECK_THROWS_WITH_AS(Tensor::ones({2}).retain_grad(), "retain_grad: tensor does not require grad", TensorError);
    CHECK_THROWS_WITH_AS((w * 2.0).requires_grad_(false),
                         "requires_grad_: only leaf tensors can change requires_grad (use detach())", TensorError);
    CHECK_THROWS_WITH_AS(clamp(w, 1, 0), "clamp: lower bound 1 is above upper bound 0", TensorError);
    Generator gen(1);
    CHECK_THROWS_WITH_AS(dropout(w, 1.0, true, gen), "dropout: probability must be in [0, 1), got 1", TensorError);
}
