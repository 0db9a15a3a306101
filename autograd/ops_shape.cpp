// ops_shape.cpp — views (reshape, permute, narrow, expand...) that share storage, and
// concat/stack/split. A view's backward puts the gradient back into the input's shape.
#include "autograd/ops_util.h"

namespace aprender {

using namespace detail;

namespace {

struct ReshapeBackward : Node {  // reshape, view, squeeze, unsqueeze
    Shape in_shape;
    std::vector<Tensor> backward(const Tensor& g) override { return {reshape(g, in_shape)}; }
    const char* name() const override { return "ReshapeBackward"; }
};

struct PermuteBackward : Node {
    Shape inverse;
    std::vector<Tensor> backward(const Tensor& g) override { return {permute(g, inverse)}; }
    const char* name() const override { return "PermuteBackward"; }
};

struct NarrowBackward : Node {
    Shape in_shape;
    int64_t dim, start;
    std::vector<Tensor> backward(const Tensor& g) override {
        Tensor gx = Tensor::zeros(in_shape, g.dtype(), g.device());
        gx.narrow(dim, start, g.shape()[dim]).copy_from(g);
        return {gx};
    }
    const char* name() const override { return "NarrowBackward"; }
};

struct ExpandBackward : Node {
    Shape in_shape;
    std::vector<Tensor> backward(const Tensor& g) override { return {sum_to(g, in_shape)}; }
    const char* name() const override { return "ExpandBackward"; }
};

// A copy's gradient is the gradient (clone, and contiguous when it copies; PyTorch's name).
struct CloneBackward : Node {
    std::vector<Tensor> backward(const Tensor& g) override { return {g}; }
    const char* name() const override { return "CloneBackward"; }
};

struct ConcatBackward : Node {
    int64_t dim;
    std::vector<int64_t> sizes;
    std::vector<Tensor> backward(const Tensor& g) override {
        std::vector<Tensor> out;
        int64_t start = 0;
        for (int64_t s : sizes) {
            out.push_back(g.narrow(dim, start, s));
            start += s;
        }
        return out;
    }
    const char* name() const override { return "ConcatBackward"; }
};

Tensor view_with(const Tensor& x, Shape shape, Shape strides, int64_t offset, std::shared_ptr<Node> node) {
    Tensor v = make_view(x, std::move(shape), std::move(strides), offset);
    if (any_requires_grad({&x})) attach(node, {&x}, v);
    return v;
}

std::shared_ptr<Node> reshape_node(const Tensor& x) {
    auto n = std::make_shared<ReshapeBackward>();
    n->in_shape = x.shape();
    return n;
}

Shape infer_shape(const Shape& shape, int64_t numel, const Shape& from, const char* op) {
    Shape out = shape;
    int64_t known = 1, infer = -1;
    for (size_t i = 0; i < out.size(); ++i) {
        if (out[i] == -1) {
            if (infer >= 0) throw TensorError(fmt::format("{}: only one dimension can be -1 in {}", op, shape_str(shape)));
            infer = (int64_t)i;
        } else if (out[i] < 0) {
            throw TensorError(fmt::format("{}: invalid dimension {} in {}", op, out[i], shape_str(shape)));
        } else if (__builtin_mul_overflow(known, out[i], &known)) {  // more than x can hold: say so, don't wrap
            throw TensorError(fmt::format("{}: cannot reshape {} ({} elements) into {}", op, shape_str(from), numel, shape_str(shape)));
        }
    }
    if (infer >= 0) {
        if (known == 0 || numel % known != 0)
            throw TensorError(fmt::format("{}: cannot reshape {} ({} elements) into {}", op, shape_str(from), numel, shape_str(shape)));
        out[infer] = numel / known;
    }
    if (shape_numel(out) != numel)
        throw TensorError(fmt::format("{}: cannot reshape {} ({} elements) into {}", op, shape_str(from), numel, shape_str(shape)));
    return out;
}

}  // namespace

Tensor view(const Tensor& x, const Shape& shape) {
    Shape s = infer_shape(shape, x.numel(), x.shape(), "view");
    if (!x.is_contiguous())
        throw TensorError(fmt::format("view: tensor of shape {} is not contiguous; use reshape (which copies) or contiguous()",
                                      shape_str(x.shape())));
    return view_with(x, s, contiguous_strides(s), x.offset(), reshape_node(x));
}

Tensor reshape(const Tensor& x, const Shape& shape) {
    Shape s = infer_shape(shape, x.numel(), x.shape(), "reshape");
    if (s == x.shape()) return x;
    return view(x.is_contiguous() ? x : contiguous(x), s);
}

Tensor permute(const Tensor& x, const Shape& order) {
    int64_t n = x.dim();
    if ((int64_t)order.size() != n)
        throw TensorError(fmt::format("permute: order {} does not match a tensor of rank {}", shape_str(order), n));
    Shape shape(n), strides(n), inverse(n);
    std::vector<bool> seen(n, false);
    for (int64_t i = 0; i < n; ++i) {
        int64_t d = normalize_dim(order[i], n, "permute");
        if (seen[d]) throw TensorError(fmt::format("permute: dimension {} repeated in {}", d, shape_str(order)));
        seen[d] = true;
        shape[i] = x.shape()[d];
        strides[i] = x.strides()[d];
        inverse[d] = i;
    }
    auto node = std::make_shared<PermuteBackward>();
    node->inverse = inverse;
    return view_with(x, shape, strides, x.offset(), node);
}

Tensor transpose(const Tensor& x, int64_t d0, int64_t d1) {
    int64_t n = x.dim();
    d0 = normalize_dim(d0, n, "transpose");
    d1 = normalize_dim(d1, n, "transpose");
    Shape order(n);
    for (int64_t i = 0; i < n; ++i) order[i] = i;
    std::swap(order[d0], order[d1]);
    return permute(x, order);
}

Tensor narrow(const Tensor& x, int64_t dim, int64_t start, int64_t length) {
    dim = normalize_dim(dim, x.dim(), "narrow");
    int64_t size = x.shape()[dim];
    if (start < 0) start += size;
    if (start < 0 || length < 0 || start > size || length > size - start) {  // (start + length could overflow)
        int64_t end;
        std::string end_text = __builtin_add_overflow(start, length, &end) ? "..." : std::to_string(end);
        throw TensorError(fmt::format("narrow: range [{}, {}) is out of bounds for dimension {} of size {} (shape {})",
                                      start, end_text, dim, size, shape_str(x.shape())));
    }
    Shape shape = x.shape();
    shape[dim] = length;
    auto node = std::make_shared<NarrowBackward>();
    node->in_shape = x.shape();
    node->dim = dim;
    node->start = start;
    return view_with(x, shape, x.strides(), x.offset() + start * x.strides()[dim], node);
}

Tensor unsqueeze(const Tensor& x, int64_t dim) {
    dim = normalize_dim(dim, x.dim() + 1, "unsqueeze");
    Shape shape = x.shape(), strides = x.strides();
    int64_t st = dim < x.dim() ? x.strides()[dim] * x.shape()[dim] : 1;
    shape.insert(shape.begin() + dim, 1);
    strides.insert(strides.begin() + dim, st);
    return view_with(x, shape, strides, x.offset(), reshape_node(x));
}

Tensor squeeze(const Tensor& x, int64_t dim) {
    dim = normalize_dim(dim, x.dim(), "squeeze");
    if (x.shape()[dim] != 1)
        throw TensorError(fmt::format("squeeze: dimension {} of shape {} has size {}, not 1", dim, shape_str(x.shape()),
                                      x.shape()[dim]));
    Shape shape = x.shape(), strides = x.strides();
    shape.erase(shape.begin() + dim);
    strides.erase(strides.begin() + dim);
    return view_with(x, shape, strides, x.offset(), reshape_node(x));
}

Tensor expand(const Tensor& x, const Shape& shape) {
    if (shape.size() < (size_t)x.dim())
        throw TensorError(fmt::format("expand: cannot expand {} to fewer dimensions {}", shape_str(x.shape()), shape_str(shape)));
    size_t lead = shape.size() - x.dim();
    Shape out(shape.size()), strides(shape.size(), 0);
    for (size_t i = 0; i < shape.size(); ++i) {
        if (i < lead) {
            if (shape[i] < 0) throw TensorError("expand: -1 is not allowed for a new leading dimension");
            out[i] = shape[i];
            continue;
        }
        int64_t have = x.shape()[i - lead];
        if (shape[i] < -1) throw TensorError(fmt::format("expand: size {} in {} is negative (-1 keeps a size)", shape[i], shape_str(shape)));
        int64_t want = shape[i] == -1 ? have : shape[i];
        if (have != want && have != 1)
            throw TensorError(fmt::format("expand: cannot expand {} to {} (dimension {}: {} is not 1)",
                                          shape_str(x.shape()), shape_str(shape), i, have));
        out[i] = want;
        strides[i] = have == want ? x.strides()[i - lead] : 0;
    }
    if (out == x.shape()) return x;
    auto node = std::make_shared<ExpandBackward>();
    node->in_shape = x.shape();
    return view_with(x, out, strides, x.offset(), node);
}

Tensor clone(const Tensor& x) {
    check_defined(x, "clone");
    Tensor out = Tensor::empty(x.shape(), x.dtype(), x.device());
    backend(x.device()).copy(strided(x), x.dtype(), strided(out), out.dtype());
    if (any_requires_grad({&x})) attach(std::make_shared<CloneBackward>(), {&x}, out);
    return out;
}

Tensor contiguous(const Tensor& x) { return x.is_contiguous() ? x : clone(x); }

Tensor concat(const std::vector<Tensor>& xs, int64_t dim) {
    if (xs.empty()) throw TensorError("concat: no tensors given");
    const Tensor& first = xs[0];
    dim = normalize_dim(dim, first.dim(), "concat");
    Shape shape = first.shape();
    shape[dim] = 0;
    std::vector<int64_t> sizes;
    for (size_t i = 0; i < xs.size(); ++i) {
        const Tensor& x = xs[i];
        check_same_dtype(first, x, "concat");
        bool ok = x.dim() == first.dim();
        for (int64_t d = 0; ok && d < x.dim(); ++d) ok = d == dim || x.shape()[d] == first.shape()[d];
        if (!ok)
            throw TensorError(fmt::format("concat: tensor {} has shape {}, incompatible with {} along dimension {}", i,
                                          shape_str(x.shape()), shape_str(first.shape()), dim));
        sizes.push_back(x.shape()[dim]);
        shape[dim] += x.shape()[dim];
    }
    Tensor out = Tensor::empty(shape, first.dtype(), first.device());
    int64_t start = 0;
    for (const Tensor& x : xs) {
        Tensor dst = make_view(out, x.shape(), out.strides(), start * out.strides()[dim]);
        backend(x.device()).copy(strided(x), x.dtype(), strided(dst), out.dtype());
        start += x.shape()[dim];
    }
    auto node = std::make_shared<ConcatBackward>();
    node->dim = dim;
    node->sizes = sizes;
    attach(node, xs, out);
    return out;
}

Tensor stack(const std::vector<Tensor>& xs, int64_t dim) {
    if (xs.empty()) throw TensorError("stack: no tensors given");
    dim = normalize_dim(dim, xs[0].dim() + 1, "stack");  // the new axis may also come last
    std::vector<Tensor> us;
    for (size_t i = 0; i < xs.size(); ++i) {
        if (xs[i].shape() != xs[0].shape())
            throw TensorError(fmt::format("stack: tensor {} has shape {}, but tensor 0 has {}", i,
                                          shape_str(xs[i].shape()), shape_str(xs[0].shape())));
        us.push_back(unsqueeze(xs[i], dim));
    }
    return concat(us, dim);
}

std::vector<Tensor> split(const Tensor& x, int64_t size, int64_t dim) {
    dim = normalize_dim(dim, x.dim(), "split");
    if (size <= 0) throw TensorError(fmt::format("split: chunk size must be positive, got {}", size));
    std::vector<Tensor> out;
    for (int64_t start = 0; start < x.shape()[dim]; start += size)
        out.push_back(narrow(x, dim, start, std::min(size, x.shape()[dim] - start)));
    return out;
}

}  // namespace aprender
