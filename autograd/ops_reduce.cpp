// ops_reduce.cpp — sum, mean, amax/max, var, argmax.
#include "autograd/ops_util.h"

#include <algorithm>

namespace aprender {

using namespace detail;

namespace {

// Sorted, unique, non-negative axes; empty input means "all axes".
std::vector<int64_t> normalize_axes(std::vector<int64_t> axes, int64_t rank, const char* op) {
    if (axes.empty())
        for (int64_t i = 0; i < rank; ++i) axes.push_back(i);
    for (auto& a : axes) a = normalize_dim(a, rank, op);
    std::sort(axes.begin(), axes.end());
    if (auto twice = std::adjacent_find(axes.begin(), axes.end()); twice != axes.end())
        throw TensorError(fmt::format("{}: axis {} is given twice (counting from the end, -1 is axis {})", op, *twice,
                                      rank - 1));
    return axes;
}

Shape reduced_shape(const Shape& s, const std::vector<int64_t>& axes, bool keepdim) {
    Shape out;
    for (int64_t i = 0; i < (int64_t)s.size(); ++i) {
        bool reduced = std::find(axes.begin(), axes.end(), i) != axes.end();
        if (!reduced) out.push_back(s[i]);
        else if (keepdim) out.push_back(1);
    }
    return out;
}

// Reduce into a keepdim-shaped contiguous tensor, then drop the axes if asked.
Tensor reduce_raw(ReduceOp op, const Tensor& x, const std::vector<int64_t>& axes, bool keepdim) {
    Shape kept = reduced_shape(x.shape(), axes, true);
    Tensor out = Tensor::zeros(kept, x.dtype(), x.device());
    Strided o{out.raw_data(), x.shape(), contiguous_strides(kept)};
    for (int64_t a : axes) o.strides[a] = 0;
    backend(x.device()).reduce(op, strided(x), o, x.dtype());
    return keepdim ? out : make_view(out, reduced_shape(x.shape(), axes, false),
                                     contiguous_strides(reduced_shape(x.shape(), axes, false)), 0);
}

struct SumBackward : Node {
    Shape in_shape, kept_shape;
    double scale = 1;  // 1 for sum, 1/count for mean
    std::vector<Tensor> backward(const Tensor& g) override {
        Tensor gk = reshape(g, kept_shape);
        if (scale != 1) gk = mul(gk, scale);
        return {expand(gk, in_shape).contiguous()};
    }
    const char* name() const override { return scale == 1 ? "SumBackward" : "MeanBackward"; }
};

Tensor sum_or_mean(const Tensor& x, std::vector<int64_t> axes, bool keepdim, bool is_mean) {
    const char* op = is_mean ? "mean" : "sum";
    check_defined(x, op);
    if (x.dtype() == DType::i32 && is_mean) throw TensorError("mean: needs a floating tensor, got int32");
    axes = normalize_axes(axes, x.dim(), op);
    Tensor out = reduce_raw(ReduceOp::sum, x, axes, keepdim);
    int64_t count = 1;
    for (int64_t a : axes) count *= x.shape()[a];
    if (is_mean) {
        if (count == 0) throw TensorError("mean: reducing over an empty axis");
        NoGradGuard raw;  // the division is part of this op's own backward
        out = mul(out, 1.0 / (double)count);
    }
    if (any_requires_grad({&x})) {
        auto node = std::make_shared<SumBackward>();
        node->in_shape = x.shape();
        node->kept_shape = reduced_shape(x.shape(), axes, true);
        node->scale = is_mean ? 1.0 / (double)count : 1.0;
        attach(node, {&x}, out);
    }
    return out;
}

struct AmaxBackward : Node {
    Tensor x, out_kept;  // input and the maximum (keepdim shape)
    Shape kept_shape;
    std::vector<Tensor> backward(const Tensor& g) override {
        // every position equal to the maximum shares the gradient equally
        Tensor hit = eq(x, out_kept);
        Tensor count = sum(hit, axes, true);
        return {mul(hit, div(reshape(g, kept_shape), count))};
    }
    std::vector<int64_t> axes;
    const char* name() const override { return "AmaxBackward"; }
    void release() override { x = out_kept = Tensor(); }
};

}  // namespace

Tensor sum(const Tensor& x, std::vector<int64_t> axes, bool keepdim) { return sum_or_mean(x, axes, keepdim, false); }
Tensor mean(const Tensor& x, std::vector<int64_t> axes, bool keepdim) { return sum_or_mean(x, axes, keepdim, true); }

Tensor amax(const Tensor& x, std::vector<int64_t> axes, bool keepdim) {
    check_defined(x, "amax");
    axes = normalize_axes(axes, x.dim(), "amax");
    for (int64_t a : axes)
        if (x.shape()[a] == 0) throw TensorError("amax: reducing over an empty axis");
    Tensor kept = reduce_raw(ReduceOp::max, x, axes, true);
    Tensor out = keepdim ? kept : make_view(kept, reduced_shape(x.shape(), axes, false),
                                            contiguous_strides(reduced_shape(x.shape(), axes, false)), 0);
    if (any_requires_grad({&x})) {
        auto node = std::make_shared<AmaxBackward>();
        node->x = node->save(x.detach());
        // detached: with keepdim, `kept` is `out` itself, and a node holding its own output
        // is a cycle that is never freed when no backward runs (found by `make fuzz`)
        node->out_kept = node->save(kept.detach());
        node->kept_shape = kept.shape();
        node->axes = axes;
        attach(node, {&x}, out);
    }
    return out;
}

Tensor max(const Tensor& x, int64_t axis, bool keepdim) { return amax(x, {axis}, keepdim); }

// var = mean((x - mean(x))²) · n / (n - correction), composed from differentiable ops,
// so its gradient needs no code of its own.
Tensor var(const Tensor& x, std::vector<int64_t> axes, bool keepdim, int64_t correction) {
    check_floating(x, "var");
    axes = normalize_axes(axes, x.dim(), "var");
    int64_t n = 1;
    for (int64_t a : axes) n *= x.shape()[a];
    if (n - correction <= 0)
        throw TensorError(fmt::format("var: {} elements are too few for correction {}", n, correction));
    Tensor centered = sub(x, mean(x, axes, true));
    return mul(sum(mul(centered, centered), axes, keepdim), 1.0 / (double)(n - correction));
}

Tensor argmax(const Tensor& x) {
    if (x.dim() == 0) throw TensorError("argmax: needs at least one dimension");
    Tensor c = x.detach().to(Device::cpu()).to(DType::f64).contiguous();
    int64_t cols = x.shape().back(), rows = c.numel() / std::max<int64_t>(cols, 1);
    if (cols == 0) throw TensorError("argmax: the last axis is empty");
    std::vector<int32_t> idx(rows);
    const double* p = c.data<double>();
    for (int64_t r = 0; r < rows; ++r) idx[r] = (int32_t)(std::max_element(p + r * cols, p + (r + 1) * cols) - (p + r * cols));
    Shape s(x.shape().begin(), x.shape().end() - 1);
    return Tensor::from(idx).reshape(s).to(x.device());  // s = [] for a 1-D x: a 0-d index
}

}  // namespace aprender
