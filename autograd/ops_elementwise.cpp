// ops_elementwise.cpp — arithmetic with numpy broadcasting, unary math, where.
#include "autograd/ops_util.h"

#include <algorithm>
#include <cstdint>

namespace aprender {

using namespace detail;

Shape broadcast_shapes(const Shape& a, const Shape& b, const char* op) {
    size_t n = std::max(a.size(), b.size());
    Shape out(n);
    for (size_t i = 0; i < n; ++i) {
        int64_t da = i < n - a.size() ? 1 : a[i - (n - a.size())];
        int64_t db = i < n - b.size() ? 1 : b[i - (n - b.size())];
        if (da != db && da != 1 && db != 1)
            throw TensorError(fmt::format("{}: shapes {} and {} cannot be broadcast (dimension {}: {} vs {})", op,
                                          shape_str(a), shape_str(b), i, da, db));
        out[i] = da == 1 ? db : da;
    }
    return out;
}

Tensor sum_to(const Tensor& grad, const Shape& shape) {
    if (grad.shape() == shape) return grad;
    // `shape` must broadcast to grad's shape (it is where grad came from by broadcasting).
    bool fits = shape.size() <= (size_t)grad.dim();
    for (size_t i = 0; fits && i < shape.size(); ++i) {
        int64_t want = shape[i], have = grad.shape()[grad.dim() - shape.size() + i];
        fits = want == have || want == 1;
    }
    if (!fits)
        throw TensorError(fmt::format("sum_to: cannot sum a gradient of shape {} back to {} (that shape does not "
                                      "broadcast to it)", shape_str(grad.shape()), shape_str(shape)));
    // Axes that broadcasting added in front, and axes stretched from size 1.
    size_t lead = grad.dim() - shape.size();
    std::vector<int64_t> axes;
    for (size_t i = 0; i < (size_t)grad.dim(); ++i)
        if (i < lead || (shape[i - lead] == 1 && grad.shape()[i] != 1)) axes.push_back((int64_t)i);
    Tensor s = sum(grad, axes, /*keepdim=*/true);
    return reshape(s, shape);
}

// ---- binary ---------------------------------------------------------------------------------

namespace {

struct BinaryBackward : Node {
    BinaryOp op;
    Tensor a, b;  // saved only for mul, div, maximum
    Shape a_shape, b_shape;
    std::vector<Tensor> backward(const Tensor& g) override {
        Tensor ga, gb;
        bool need_a = next[0].needed(), need_b = next[1].needed();
        switch (op) {
            case BinaryOp::add: ga = g; gb = g; break;
            case BinaryOp::sub: ga = g; if (need_b) gb = neg(g); break;
            case BinaryOp::mul:
                if (need_a) ga = mul(g, b);
                if (need_b) gb = mul(g, a);
                break;
            case BinaryOp::div:  // d(a/b)/da = 1/b, d(a/b)/db = -a/b²
                if (need_a) ga = div(g, b);
                if (need_b) gb = neg(div(mul(g, a), mul(b, b)));
                break;
            case BinaryOp::maximum: {  // the larger side gets the gradient; ties split it
                Tensor a_wins = gt(a, b), tie = eq(a, b);
                Tensor wa = add(a_wins, mul(tie, 0.5));
                if (need_a) ga = mul(g, wa);
                if (need_b) gb = mul(g, add(neg(wa), 1.0));
                break;
            }
            default: throw std::logic_error("comparisons have no gradient");
        }
        return {need_a ? sum_to(ga, a_shape) : Tensor(), need_b ? sum_to(gb, b_shape) : Tensor()};
    }
    const char* name() const override { return "BinaryBackward"; }
    void release() override { a = b = Tensor(); }
};

const char* binary_name(BinaryOp op) {
    switch (op) {
        case BinaryOp::add: return "add";
        case BinaryOp::sub: return "sub";
        case BinaryOp::mul: return "mul";
        case BinaryOp::div: return "div";
        case BinaryOp::maximum: return "maximum";
        case BinaryOp::eq: return "eq";
        case BinaryOp::gt: return "gt";
        case BinaryOp::lt: return "lt";
    }
    return "?";
}

Tensor binary(BinaryOp op, const Tensor& a, const Tensor& b) {
    const char* name = binary_name(op);
    check_same_dtype(a, b, name);
    Shape shape = broadcast_shapes(a.shape(), b.shape(), name);
    Tensor out = Tensor::empty(shape, a.dtype(), a.device());
    backend(a.device()).binary(op, broadcast_view(a, shape), broadcast_view(b, shape), out.raw_data(), a.dtype());
    bool differentiable = op != BinaryOp::eq && op != BinaryOp::gt && op != BinaryOp::lt;
    if (differentiable && any_requires_grad({&a, &b})) {
        auto node = std::make_shared<BinaryBackward>();
        node->op = op;
        node->a_shape = a.shape();
        node->b_shape = b.shape();
        if (op == BinaryOp::mul || op == BinaryOp::div || op == BinaryOp::maximum) {
            node->a = node->save(a.detach());
            node->b = node->save(b.detach());
        }
        attach(node, {&a, &b}, out);
    }
    return out;
}

}  // namespace

Tensor add(const Tensor& a, const Tensor& b) { return binary(BinaryOp::add, a, b); }
Tensor sub(const Tensor& a, const Tensor& b) { return binary(BinaryOp::sub, a, b); }
Tensor mul(const Tensor& a, const Tensor& b) { return binary(BinaryOp::mul, a, b); }
Tensor div(const Tensor& a, const Tensor& b) {
    // Integer division by zero (or INT_MIN / -1) is undefined in C++ and kills the process
    // with SIGFPE; an error that says so is the answer instead.
    if (b.defined() && b.dtype() == DType::i32) {
        std::vector<int32_t> d = b.contiguous().to_vector<int32_t>();
        if (std::find(d.begin(), d.end(), 0) != d.end()) throw TensorError("div: integer division by zero");
        if (std::find(d.begin(), d.end(), -1) != d.end() && a.defined() && a.dtype() == DType::i32) {
            std::vector<int32_t> n = a.contiguous().to_vector<int32_t>();
            if (std::find(n.begin(), n.end(), INT32_MIN) != n.end())
                throw TensorError("div: INT32_MIN / -1 does not fit an int32");
        }
    }
    return binary(BinaryOp::div, a, b);
}
Tensor maximum(const Tensor& a, const Tensor& b) { return binary(BinaryOp::maximum, a, b); }
Tensor eq(const Tensor& a, const Tensor& b) { return binary(BinaryOp::eq, a, b); }
Tensor gt(const Tensor& a, const Tensor& b) { return binary(BinaryOp::gt, a, b); }
Tensor lt(const Tensor& a, const Tensor& b) { return binary(BinaryOp::lt, a, b); }

// ---- unary ------------------------------------------------------------------------------------

namespace {

struct UnaryBackward : Node {
    UnaryOp op;
    double a = 0, b = 0;
    Tensor x, y;  // input and output (each kernel's derivative uses one or the other)
    const char* label = "UnaryBackward";
    std::vector<Tensor> backward(const Tensor& g) override {
        Tensor gc = g.contiguous();
        Tensor gx = empty_like(gc);
        backend(g.device()).unary_backward(op, x.defined() ? x.raw_data() : nullptr, y.defined() ? y.raw_data() : nullptr,
                                           gc.raw_data(), gx.raw_data(), gc.numel(), a, b, gc.dtype());
        return {gx};
    }
    const char* name() const override { return label; }
    void release() override { x = y = Tensor(); }
};

// Which of x and y each derivative needs (so the node saves nothing more).
bool needs_output(UnaryOp op) {
    return op == UnaryOp::exp || op == UnaryOp::sqrt || op == UnaryOp::rsqrt || op == UnaryOp::tanh ||
           op == UnaryOp::sigmoid;
}

Tensor unary(UnaryOp op, const Tensor& x, double a, double b, const char* name, const char* node_name) {
    check_floating(x, name);
    Tensor xc = x.contiguous();
    Tensor y = empty_like(xc);
    backend(x.device()).unary(op, xc.raw_data(), y.raw_data(), xc.numel(), a, b, x.dtype());
    if (any_requires_grad({&x})) {
        auto node = std::make_shared<UnaryBackward>();
        node->op = op;
        node->a = a;
        node->b = b;
        node->label = node_name;
        if (needs_output(op)) node->y = node->save(y.detach());
        else if (op != UnaryOp::neg && op != UnaryOp::affine) node->x = node->save(xc.detach());
        attach(node, {&x}, y);
    }
    return y;
}

}  // namespace

Tensor neg(const Tensor& x) { return unary(UnaryOp::neg, x, 0, 0, "neg", "NegBackward"); }
Tensor exp(const Tensor& x) { return unary(UnaryOp::exp, x, 0, 0, "exp", "ExpBackward"); }
Tensor log(const Tensor& x) { return unary(UnaryOp::log, x, 0, 0, "log", "LogBackward"); }
Tensor sqrt(const Tensor& x) { return unary(UnaryOp::sqrt, x, 0, 0, "sqrt", "SqrtBackward"); }
Tensor rsqrt(const Tensor& x) { return unary(UnaryOp::rsqrt, x, 0, 0, "rsqrt", "RsqrtBackward"); }
Tensor abs(const Tensor& x) { return unary(UnaryOp::abs, x, 0, 0, "abs", "AbsBackward"); }
Tensor tanh(const Tensor& x) { return unary(UnaryOp::tanh, x, 0, 0, "tanh", "TanhBackward"); }
Tensor sigmoid(const Tensor& x) { return unary(UnaryOp::sigmoid, x, 0, 0, "sigmoid", "SigmoidBackward"); }
Tensor relu(const Tensor& x) { return unary(UnaryOp::relu, x, 0, 0, "relu", "ReluBackward"); }
Tensor gelu(const Tensor& x) { return unary(UnaryOp::gelu, x, 0, 0, "gelu", "GeluBackward"); }
Tensor pow(const Tensor& x, double p) { return unary(UnaryOp::pow, x, p, 0, "pow", "PowBackward"); }
Tensor add(const Tensor& x, double s) { return unary(UnaryOp::affine, x, 1.0, s, "add", "AddScalarBackward"); }
Tensor mul(const Tensor& x, double s) { return unary(UnaryOp::affine, x, s, 0.0, "mul", "MulScalarBackward"); }
Tensor clamp(const Tensor& x, double lo, double hi) {
    if (std::isnan(lo) || std::isnan(hi)) throw TensorError(fmt::format("clamp: a bound is NaN ({}, {})", lo, hi));
    if (lo > hi) throw TensorError(fmt::format("clamp: lower bound {} is above upper bound {}", lo, hi));
    return unary(UnaryOp::clamp, x, lo, hi, "clamp", "ClampBackward");
}

// ---- where --------------------------------------------------------------------------------------

namespace {
struct WhereBackward : Node {
    Tensor cond;
    Shape a_shape, b_shape;
    std::vector<Tensor> backward(const Tensor& g) override {
        Tensor zero = Tensor::zeros({}, g.dtype(), g.device());
        Tensor ga, gb;
        if (next[0].needed()) ga = sum_to(where(cond, g, zero), a_shape);
        if (next[1].needed()) gb = sum_to(where(cond, zero, g), b_shape);
        return {ga, gb};
    }
    const char* name() const override { return "WhereBackward"; }
    void release() override { cond = Tensor(); }
};
}  // namespace

Tensor where(const Tensor& cond, const Tensor& a, const Tensor& b) {
    check_same_dtype(a, b, "where");
    if (!(cond.device() == a.device()))
        throw TensorError(fmt::format("where: tensors are on different devices (condition on {}, values on {})",
                                      cond.device().str(), a.device().str()));
    Shape shape = broadcast_shapes(broadcast_shapes(cond.shape(), a.shape(), "where"), b.shape(), "where");
    Tensor out = Tensor::empty(shape, a.dtype(), a.device());
    backend(a.device()).where(broadcast_view(cond, shape), cond.dtype(), broadcast_view(a, shape),
                              broadcast_view(b, shape), out.raw_data(), a.dtype());
    if (any_requires_grad({&a, &b})) {
        auto node = std::make_shared<WhereBackward>();
        node->cond = node->save(cond.detach());
        node->a_shape = a.shape();
        node->b_shape = b.shape();
        attach(node, {&a, &b}, out);
    }
    return out;
}

Tensor masked_fill(const Tensor& x, const Tensor& mask, double value) {
    check_defined(x, "masked_fill");
    check_value_fits(value, x.dtype(), "masked_fill");
    // The mask broadcasts to x, never x to the mask: the result has x's shape.
    if (broadcast_shapes(x.shape(), mask.shape(), "masked_fill") != x.shape())
        throw TensorError(fmt::format("masked_fill: a mask of shape {} does not broadcast to x's shape {}",
                                      shape_str(mask.shape()), shape_str(x.shape())));
    return where(mask, Tensor::full({}, value, x.dtype(), x.device()), x);
}

}  // namespace aprender
