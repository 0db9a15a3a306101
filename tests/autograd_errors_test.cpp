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

// Found by `make fuzz` (UBSan): a value no int32 holds was cast anyway, which C++ leaves
// undefined. Values written in are refused; numbers converted by .to(i32) saturate.
TEST_CASE("ops: int32 tensors: values they cannot hold are refused, conversions saturate") {
    CHECK_THROWS_WITH_AS(Tensor::full({2}, 1e30, DType::i32), "full: the value 1e+30 does not fit in an int32 tensor",
                         TensorError);
    CHECK_THROWS_WITH_AS(Tensor::scalar(NAN, DType::i32), "scalar: the value nan does not fit in an int32 tensor",
                         TensorError);
    CHECK_THROWS_WITH_AS(masked_fill(ids({1, 2}), ids({1, 0}), 3e9),
                         "masked_fill: the value 3000000000 does not fit in an int32 tensor", TensorError);
    CHECK(Tensor::full({1}, -2147483648.0, DType::i32).to_vector<int32_t>() == std::vector<int32_t>{INT32_MIN});
    CHECK(Tensor::full({1}, 2.9, DType::i32).to_vector<int32_t>() == std::vector<int32_t>{2});  // truncated, as a cast
    CHECK(masked_fill(ids({1, 2}), ids({1, 0}), -7).to_vector<int32_t>() == std::vector<int32_t>{-7, 2});
    // float -> int32: toward zero, saturating at the limits, NaN -> 0 (the GPU's conversion)
    Tensor x = Tensor::from({NAN, INFINITY, -INFINITY, 1e30f, -1e30f, 2.9f, -2.9f, 2147483520.0f});
    CHECK(x.to(DType::i32).to_vector<int32_t>() ==
          std::vector<int32_t>{0, INT32_MAX, INT32_MIN, INT32_MAX, INT32_MIN, 2, -2, 2147483520});
    CHECK(x.to(DType::f64).to(DType::i32).to_vector<int32_t>() == x.to(DType::i32).to_vector<int32_t>());
    // int32 arithmetic wraps around as on the GPU and in PyTorch (it was C++'s undefined
    // signed overflow); a sum past int32's range saturates, as the GPU's conversion does
    Tensor big = Tensor::from(std::vector<int32_t>{INT32_MAX, 65536, INT32_MIN});
    CHECK(add(big, ids({1, 1, -1})).to_vector<int32_t>() == std::vector<int32_t>{INT32_MIN, 65537, INT32_MAX});
    CHECK(mul(big, ids({2, 65536, 1})).to_vector<int32_t>() == std::vector<int32_t>{-2, 0, INT32_MIN});
    CHECK(sub(big, ids({-1, 0, 1})).to_vector<int32_t>() == std::vector<int32_t>{INT32_MIN, 65536, INT32_MAX});
    CHECK(sum(ids({INT32_MAX, INT32_MAX})).item() == INT32_MAX);
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

TEST_CASE("ops: values that used to crash the process or wrap silently are errors") {
    // sizes that multiply past int64 (elements or bytes), ranges that overflow
    CHECK_THROWS_WITH_AS(Tensor::zeros({int64_t(1) << 62}), doctest::Contains("more bytes than an int64 can count"), TensorError);
    // found by `make fuzz` (UBSan): an empty shape whose other sizes multiply past int64
    CHECK_THROWS_WITH_AS(Tensor::zeros({0, int64_t(1) << 62, 5}),
                         "the shape [0,4611686018427387904,5] is too large: its strides pass what an int64 can count",
                         TensorError);
    CHECK(Tensor::zeros({0, int64_t(1) << 40, 5}).strides() == Shape{int64_t(5) << 40, 5, 1});
    // found by `make fuzz` (UBSan): the known sizes beside a -1 multiplied past int64
    CHECK_THROWS_WITH_AS(reshape(Tensor::zeros({4}), {int64_t(1) << 32, int64_t(1) << 31, -1}),
                         "reshape: cannot reshape [4] (4 elements) into [4294967296,2147483648,-1]", TensorError);
    // found by `make fuzz` (UBSan): the message itself overflowed computing start + length
    CHECK_THROWS_WITH_AS(Tensor::zeros({4}).narrow(0, INT64_MIN + 3, 5),
                         "narrow: range [-9223372036854775801, -9223372036854775796) is out of bounds for dimension 0 of size 4 (shape [4])",
                         TensorError);
    CHECK_THROWS_WITH_AS(Tensor::zeros({4}).narrow(0, -INT64_MAX, -INT64_MAX), doctest::Contains("narrow: range ["), TensorError);
    CHECK_THROWS_WITH_AS(Tensor::zeros({4}).slice(0, INT64_MIN + 3, INT64_MAX), doctest::Contains("narrow: range ["),
                         TensorError);
    CHECK_THROWS_WITH_AS(Tensor::zeros({4}).narrow(0, 1, INT64_MAX), doctest::Contains("narrow: range [1, ...) is out of bounds"),
                         TensorError);
    CHECK_THROWS_WITH_AS(Tensor::ones({1, 3}).expand({-2, 3}), doctest::Contains("expand: size -2"), TensorError);
    CHECK_THROWS_WITH_AS(Tensor::arange(-1), "arange: count must be >= 0, got -1", TensorError);
    // integer division by zero is SIGFPE in C++
    CHECK_THROWS_WITH_AS(div(ids({1, 2}), ids({0, 1})), "div: integer division by zero", TensorError);
    CHECK_THROWS_WITH_AS(div(ids({INT32_MIN}), ids({-1})), "div: INT32_MIN / -1 does not fit an int32", TensorError);
    CHECK(div(ids({7, -7}), ids({2, 2})).to_vector<int32_t>() == std::vector<int32_t>{3, -3});
    // empty feature axes, NaN settings
    Tensor empty_rows = Tensor::zeros({2, 0}).requires_grad_();
    CHECK_THROWS_WITH_AS(layer_norm(empty_rows, {}, {}), "layer_norm: the last axis of [2,0] is empty", TensorError);
    CHECK_THROWS_WITH_AS(layer_norm(Tensor::ones({2, 3}), {}, {}, -1.0), "layer_norm: eps must be a finite number >= 0, got -1",
                         TensorError);
    CHECK_THROWS_WITH_AS(layer_norm(Tensor::ones({2, 3}), {}, {}, INFINITY),
                         "layer_norm: eps must be a finite number >= 0, got inf", TensorError);
    Generator gen(1);
    CHECK_THROWS_WITH_AS(dropout(Tensor::ones({4}), NAN, true, gen), "dropout: probability must be in [0, 1), got nan", TensorError);
    CHECK_THROWS_WITH_AS(clamp(Tensor::ones({2}), NAN, 1.0), "clamp: a bound is NaN (nan, 1)", TensorError);
    CHECK_THROWS_WITH_AS(Tensor::uniform({2}, 1.0, 0.0, gen), "uniform: needs finite lo <= hi, got [1, 0)", TensorError);
    CHECK_THROWS_WITH_AS(Tensor::normal({2}, 0.0, -1.0, gen), "normal: needs a finite mean and std >= 0, got mean 0 std -1",
                         TensorError);
    CHECK_THROWS_WITH_AS(cross_entropy(Tensor::zeros({2, 0}), ids({0, 0}, {2})), "cross_entropy: logits [2,0] hold no classes",
                         TensorError);
    // the mask broadcasts to x, never x to the mask
    CHECK_THROWS_WITH_AS(masked_fill(Tensor::ones({3}), Tensor::ones({2, 3}), 5.0), doctest::Contains("masked_fill: a mask of shape [2,3]"),
                         TensorError);
    CHECK_THROWS_WITH_AS(Tensor().detach(), doctest::Contains("undefined tensor"), TensorError);
}

TEST_CASE("autograd: a gradient must match its tensor's dtype; a changed index cannot write out of bounds") {
    Tensor w = Tensor::ones({2}).requires_grad_();
    Tensor y = w * 2.0;
    CHECK_THROWS_WITH_AS(y.backward(Tensor::ones({2}, DType::f64)), "backward: gradient is float64 on cpu, the output float32 on cpu",
                         TensorError);
    CHECK_THROWS_WITH_AS(w.set_grad(Tensor::zeros({2}, DType::i32)), doctest::Contains("set_grad: gradient is int32"), TensorError);
    // gather's backward scatters into the indices it saved: edited since (through data<>(),
    // which no version counter sees), they are checked again rather than written out of bounds
    Tensor x = Tensor::ones({2, 3}).requires_grad_();
    Tensor idx = ids({0, 2}, {2, 1});
    Tensor g = gather(x, 1, idx);
    idx.data<int32_t>()[0] = 100000000;
    CHECK_THROWS_WITH_AS(sum(g).backward(), doctest::Contains("gather backward: index 100000000 is outside 0..2"), TensorError);
}

TEST_CASE("tensor: copy_from a view of itself reads the old numbers, not half-overwritten ones") {
    Tensor w = Tensor::from({1.f, 2.f, 3.f, 4.f}, {2, 2});
    w.copy_from(w.t());
    CHECK(w.to_vector<float>() == std::vector<float>{1, 3, 2, 4});
}

TEST_CASE("autograd: a tensor saved for backward and overwritten in place is refused, not used") {
    // y = sum(x * x) saves x; overwriting x before backward would give dy/dx = 2·(new x)
    Tensor x = Tensor::from({2.f, 3.f}, {2}).requires_grad_();
    Tensor y = sum(x * x);
    {
        NoGradGuard ng;
        x.copy_from(Tensor::from({10.f, 10.f}, {2}));
    }
    CHECK_THROWS_WITH_AS(y.backward(), doctest::Contains("a tensor that BinaryBackward saved for the gradient was overwritten in place"),
                         TensorError);
    // the same through a view, and after an optimizer-like write
    Tensor w = Tensor::from({1.f, 2.f, 3.f, 4.f}, {2, 2}).requires_grad_();
    Tensor z = sum(exp(w.t()));  // exp saves its output; the input w is only viewed
    CHECK_NOTHROW(z.backward());
    Tensor z2 = sum(matmul(w, w));
    w.bump_version();  // what an optimizer step does to each parameter it updates
    CHECK_THROWS_WITH_AS(z2.backward(), doctest::Contains("was overwritten in place"), TensorError);
    // nothing saved the overwritten tensor: backward is fine (add needs no inputs)
    Tensor a = Tensor::from({1.f}, {1}).requires_grad_();
    Tensor s = sum(a + 1.0);
    a.bump_version();
    CHECK_NOTHROW(s.backward());
    CHECK(a.grad().to_vector<float>() == std::vector<float>{1});
}

TEST_CASE("ops: messages that name what is wrong (a repeated axis, a stack axis, an empty sequence)") {
    CHECK_THROWS_WITH_AS(sum(Tensor::zeros({2, 3}), {1, -1}), "sum: axis 1 is given twice (counting from the end, -1 is axis 1)",
                         TensorError);
    CHECK_THROWS_WITH_AS(stack({Tensor::zeros({2}), Tensor::zeros({2})}, 5), doctest::Contains("stack: dimension 5"), TensorError);
    CHECK(stack({Tensor::zeros({2}), Tensor::zeros({2})}, -1).shape() == Shape{2, 2});
}

TEST_CASE("ops: the op the student called is the one named (factories, var, sum_to, undefined inputs)") {
    CHECK_THROWS_WITH_AS(Tensor::zeros({2, -1}), "zeros: negative dimension in shape [2,-1]", TensorError);
    CHECK_THROWS_WITH_AS(Tensor::ones({-3}), "ones: negative dimension in shape [-3]", TensorError);
    Generator gen(1);
    CHECK_THROWS_WITH_AS(Tensor::normal({-1}, 0.0, 1.0, gen), "normal: negative dimension in shape [-1]", TensorError);
    CHECK_THROWS_WITH_AS(var(ids({1, 2, 3})), "var: needs a float32 or float64 tensor, got int32", TensorError);
    CHECK_THROWS_WITH_AS(sum_to(Tensor::ones({2, 4}), {3}),
                         "sum_to: cannot sum a gradient of shape [2,4] back to [3] (that shape does not broadcast to it)",
                         TensorError);
    CHECK(sum_to(Tensor::ones({2, 4}), {1, 4}).to_vector<float>() == std::vector<float>{2, 2, 2, 2});
    CHECK_THROWS_WITH_AS(add(Tensor(), Tensor::ones({2})), doctest::Contains("add: an input is an undefined tensor"),
                         TensorError);
    CHECK_THROWS_WITH_AS(exp(Tensor()), doctest::Contains("exp: an input is an undefined tensor"), TensorError);
    CHECK_THROWS_WITH_AS(mean(Tensor()), doctest::Contains("mean: an input is an undefined tensor"), TensorError);
}

TEST_CASE("ops: linear with zero input features is an empty sum: the bias, and gradients of the right shapes") {
    Tensor x = Tensor::zeros({2, 0}).requires_grad_();
    Tensor w = Tensor::zeros({3, 0}).requires_grad_();
    Tensor b = Tensor::from({1.f, 2.f, 3.f}).requires_grad_();
    Tensor y = linear(x, w, b);
    CHECK(y.shape() == Shape{2, 3});
    CHECK(y.to_vector<float>() == std::vector<float>{1, 2, 3, 1, 2, 3});
    sum(y).backward();
    CHECK(x.grad().shape() == Shape{2, 0});
    CHECK(w.grad().shape() == Shape{3, 0});
    CHECK(b.grad().to_vector<float>() == std::vector<float>{2, 2, 2});
    CHECK(linear(Tensor::zeros({4, 0}), Tensor::zeros({5, 0})).to_vector<float>() == std::vector<float>(20, 0.f));
}
