// ops_nn.cpp — the fused operations of neural networks: softmax, cross-entropy,
// layer norm, embedding lookups, gather, dropout. Each is one kernel forward and one
// backward, instead of a chain of small ops that would each read and write memory.
#include "autograd/ops_util.h"

namespace aprender {

using namespace detail;

// ---- softmax ------------------------------------------------------------------------------

namespace {

struct SoftmaxBackward : Node {
    Tensor y;  // the output is all the backward needs
    bool log = false;
    std::vector<Tensor> backward(const Tensor& g) override {
        Tensor gc = g.contiguous(), gx = empty_like(y);
        int64_t cols = y.shape().back();
        backend(y.device()).softmax_backward(y.raw_data(), gc.raw_data(), gx.raw_data(), y.numel() / cols, cols, log,
                                             y.dtype());
        return {gx};
    }
    const char* name() const override { return log ? "LogSoftmaxBackward" : "SoftmaxBackward"; }
    void release() override { y = Tensor(); }
};

Tensor softmax_impl(const Tensor& x, bool log, bool causal, const char* op) {
    check_floating(x, op);
    if (x.dim() == 0 || x.shape().back() == 0)
        throw TensorError(fmt::format("{}: needs a non-empty last axis, got shape {}", op, shape_str(x.shape())));
    if (causal && (x.dim() < 2 || x.shape()[x.dim() - 1] != x.shape()[x.dim() - 2]))
        throw TensorError(fmt::format("{}: expects square [..., T, T] scores, got {}", op, shape_str(x.shape())));
    Tensor xc = x.contiguous();
    Tensor y = empty_like(xc);
    int64_t cols = x.shape().back();
    backend(x.device()).softmax(xc.raw_data(), y.raw_data(), xc.numel() / cols, cols, log, causal, x.dtype());
    if (any_requires_grad({&x})) {
        auto node = std::make_shared<SoftmaxBackward>();
        node->y = node->save(y.detach());
        node->log = log;
        attach(node, {&x}, y);
    }
    return y;
}

}  // namespace

Tensor softmax(const Tensor& x) { return softmax_impl(x, false, false, "softmax"); }
Tensor log_softmax(const Tensor& x) { return softmax_impl(x, true, false, "log_softmax"); }
Tensor causal_softmax(const Tensor& x) { return softmax_impl(x, false, true, "causal_softmax"); }

// ---- cross-entropy --------------------------------------------------------------------------

namespace {
struct CrossEntropyBackward : Node {
    Tensor logits, targets, lse;
    int32_t ignore_index;
    int64_t count;
    std::vector<Tensor> backward(const Tensor& g) override {
        int64_t cols = logits.shape().back(), rows = logits.numel() / cols;
        Tensor gl = empty_like(logits);
        double scale = g.item() / (double)count;  // mean reduction
        backend(logits.device()).cross_entropy_backward(logits.raw_data(), static_cast<const int32_t*>(targets.raw_data()), lse.raw_data(),
                                                        rows, cols, ignore_index, scale, gl.raw_data(), logits.dtype());
        return {gl};
    }
    const char* name() const override { return "CrossEntropyBackward"; }
    void release() override { logits = targets = lse = Tensor(); }
};
}  // namespace

Tensor cross_entropy(const Tensor& logits, const Tensor& targets, int32_t ignore_index) {
    check_floating(logits, "cross_entropy");
    if (targets.dtype() != DType::i32)
        throw TensorError(fmt::format("cross_entropy: targets must be int32 class indices, got {}", dtype_name(targets.dtype())));
    Shape lead(logits.shape().begin(), logits.shape().end() - (logits.dim() ? 1 : 0));
    if (logits.dim() == 0 || targets.shape() != lead)
        throw TensorError(fmt::format("cross_entropy: logits {} need targets of shape {}, got {}", shape_str(logits.shape()),
                                      shape_str(lead), shape_str(targets.shape())));
    if (logits.numel() == 0)
        throw TensorError(fmt::format("cross_entropy: logits {} hold {}", shape_str(logits.shape()),
                                      logits.shape().back() == 0 ? "no classes" : "no rows to predict"));
    Tensor lc = logits.contiguous();
    Tensor tc = targets.contiguous().to(Device::cpu());  // targets are read on the host to count
    int64_t cols = logits.shape().back(), rows = lc.numel() / std::max<int64_t>(cols, 1);
    int64_t count = 0;
    for (int64_t i = 0; i < rows; ++i) count += tc.data<int32_t>()[i] != ignore_index;
    if (count == 0) throw TensorError("cross_entropy: every target equals ignore_index; the mean is undefined");
    Tensor tdev = tc.to(logits.device());
    Tensor losses = Tensor::empty({rows}, logits.dtype(), logits.device());
    Tensor lse = Tensor::empty({rows}, logits.dtype(), logits.device());
    backend(logits.device()).cross_entropy(lc.raw_data(), static_cast<const int32_t*>(tdev.raw_data()), rows, cols, ignore_index,
                                           losses.raw_data(), lse.raw_data(), logits.dtype());
    Tensor loss;
    {
        NoGradGuard raw;
        loss = mul(sum(losses), 1.0 / (double)count);
    }
    if (any_requires_grad({&logits})) {
        auto node = std::make_shared<CrossEntropyBackward>();
        node->logits = node->save(lc.detach());
        node->targets = node->save(tdev);
        node->lse = lse;
        node->ignore_index = ignore_index;
        node->count = count;
        attach(node, {&logits}, loss);
    }
    return loss;
}

// ---- layer norm ---------------------------------------------------------------------------------

namespace {
struct LayerNormBackward : Node {
    Tensor x, w, mean, rstd;
    std::vector<Tensor> backward(const Tensor& g) override {
        int64_t cols = x.shape().back(), rows = x.numel() / cols;
        Tensor gc = g.contiguous(), gx = empty_like(x), gw, gb;
        bool need_w = next.size() > 1 && next[1].needed(), need_b = next.size() > 2 && next[2].needed();
        if (need_w) gw = Tensor::zeros({cols}, x.dtype(), x.device());
        if (need_b) gb = Tensor::zeros({cols}, x.dtype(), x.device());
        backend(x.device()).layernorm_backward(gc.raw_data(), x.raw_data(), w.defined() ? w.raw_data() : nullptr,
                                               mean.raw_data(), rstd.raw_data(), gx.raw_data(),
                                               need_w ? gw.raw_data() : nullptr, need_b ? gb.raw_data() : nullptr,
                                               rows, cols, x.dtype());
        return {gx, gw, gb};
    }
    const char* name() const override { return "LayerNormBackward"; }
    void release() override { x = w = mean = rstd = Tensor(); }
};
}  // namespace

Tensor layer_norm(const Tensor& x, const Tensor& weight, const Tensor& bias, double eps) {
    check_floating(x, "layer_norm");
    if (x.dim() == 0) throw TensorError("layer_norm: needs at least one dimension");
    if (x.shape().back() == 0)  // no features to take a mean of
        throw TensorError(fmt::format("layer_norm: the last axis of {} is empty", shape_str(x.shape())));
    if (!(eps >= 0 && std::isfinite(eps))) throw TensorError(fmt::format("layer_norm: eps must be a finite number >= 0, got {}", eps));
    int64_t cols = x.shape().back(), rows = x.numel() / cols;
    for (const Tensor* p : {&weight, &bias}) {
        if (!p->defined()) continue;
        check_same_dtype(x, *p, "layer_norm");
        if (p->shape() != Shape{cols})
            throw TensorError(fmt::format("layer_norm: input {} normalises {} features, but a parameter has shape {}",
                                          shape_str(x.shape()), cols, shape_str(p->shape())));
    }
    Tensor xc = x.contiguous();
    Tensor wc = weight.defined() ? weight.contiguous() : Tensor(), bc = bias.defined() ? bias.contiguous() : Tensor();
    Tensor y = empty_like(xc);
    Tensor mean = Tensor::empty({rows}, x.dtype(), x.device()), rstd = Tensor::empty({rows}, x.dtype(), x.device());
    backend(x.device()).layernorm(xc.raw_data(), wc.defined() ? wc.raw_data() : nullptr,
                                  bc.defined() ? bc.raw_data() : nullptr, y.raw_data(), mean.raw_data(),
                                  rstd.raw_data(), rows, cols, eps, x.dtype());
    if (any_requires_grad({&x, &weight, &bias})) {
        auto node = std::make_shared<LayerNormBackward>();
        node->x = node->save(xc.detach());
        node->w = node->save(wc.defined() ? wc.detach() : Tensor());
        node->mean = mean;
        node->rstd = rstd;
        attach(node, {&x, &weight, &bias}, y);
    }
    return y;
}

// ---- embedding, index_select, gather ------------------------------------------------------------------

namespace {
struct EmbeddingBackward : Node {
    Tensor ids;
    Shape table_shape;
    std::vector<Tensor> backward(const Tensor& g) override {
        Tensor gc = g.contiguous();
        Tensor gt = Tensor::zeros(table_shape, g.dtype(), g.device());
        backend(g.device()).embedding_backward(static_cast<const int32_t*>(ids.raw_data()), ids.numel(), gc.raw_data(),
                                               table_shape[0], table_shape[1], gt.raw_data(), g.dtype());
        return {Tensor(), gt};
    }
    const char* name() const override { return "EmbeddingBackward"; }
    void release() override { ids = Tensor(); }
};

struct GatherBackward : Node {
    Tensor index;
    int64_t dim;
    Shape in_shape;
    std::vector<Tensor> backward(const Tensor& g) override {
        Tensor gx = Tensor::zeros(in_shape, g.dtype(), g.device());
        backend(g.device()).scatter_add(strided(g), dim, strided(index), strided(gx), g.dtype());
        return {gx};
    }
    const char* name() const override { return "GatherBackward"; }
    void release() override { index = Tensor(); }
};

void check_index(const Tensor& index, const char* op) {
    if (index.dtype() != DType::i32)
        throw TensorError(fmt::format("{}: indices must be int32, got {}", op, dtype_name(index.dtype())));
}
}  // namespace

Tensor embedding(const Tensor& ids, const Tensor& table) {
    check_index(ids, "embedding");
    if (table.dim() != 2)
        throw TensorError(fmt::format("embedding: table must be 2-D [rows, dim], got {}", shape_str(table.shape())));
    // Token ids usually come from a tokenizer, on the CPU: like targets in cross_entropy,
    // they follow the table they index to its device (a small copy) instead of failing.
    Tensor idc = ids.to(table.device()).contiguous(), tc = table.contiguous();
    Shape out_shape = ids.shape();
    out_shape.push_back(table.shape()[1]);
    Tensor out = Tensor::empty(out_shape, table.dtype(), table.device());
    backend(table.device()).embedding(static_cast<const int32_t*>(idc.raw_data()), idc.numel(), tc.raw_data(), table.shape()[0],
                                      table.shape()[1], out.raw_data(), table.dtype());
    if (any_requires_grad({&table})) {
        auto node = std::make_shared<EmbeddingBackward>();
        node->ids = node->save(idc);
        node->table_shape = table.shape();
        attach(node, {&ids, &table}, out);
    }
    return out;
}

Tensor gather(const Tensor& x, int64_t dim, const Tensor& index_in) {
    check_index(index_in, "gather");
    check_defined(x, "gather");
    const Tensor index = index_in.to(x.device());  // indices follow the data (as in embedding)
    dim = normalize_dim(dim, x.dim(), "gather");
    if (index.dim() != x.dim())
        throw TensorError(fmt::format("gather: index {} must have the rank of input {}", shape_str(index.shape()),
                                      shape_str(x.shape())));
    for (int64_t d = 0; d < x.dim(); ++d)
        if (d != dim && index.shape()[d] > x.shape()[d])
            throw TensorError(fmt::format("gather: index {} is larger than input {} in dimension {}",
                                          shape_str(index.shape()), shape_str(x.shape()), d));
    Tensor out = Tensor::empty(index.shape(), x.dtype(), x.device());
    backend(x.device()).gather(strided(x), dim, strided(index), out.raw_data(), x.dtype());
    if (any_requires_grad({&x})) {
        auto node = std::make_shared<GatherBackward>();
        node->index = node->save(index);
        node->dim = dim;
        node->in_shape = x.shape();
        attach(node, {&x}, out);
    }
    return out;
}

// index_select(x, dim, idx): whole slices picked along `dim` — a gather whose index is
// idx broadcast over the other axes.
Tensor index_select(const Tensor& x, int64_t dim, const Tensor& index) {
    check_index(index, "index_select");
    if (index.dim() != 1)
        throw TensorError(fmt::format("index_select: index must be 1-D, got {}", shape_str(index.shape())));
    dim = normalize_dim(dim, x.dim(), "index_select");
    // Checked here so that the message names index_select, not the gather below.
    std::vector<int32_t> host = index.to_vector<int32_t>();
    for (size_t i = 0; i < host.size(); ++i)
        if (host[i] < 0 || host[i] >= x.shape()[dim])
            throw TensorError(fmt::format("index_select: index {} at position {} is out of range for dimension {} of size {}",
                                          host[i], i, dim, x.shape()[dim]));
    Shape view_shape(x.dim(), 1), full = x.shape();
    view_shape[dim] = index.shape()[0];
    full[dim] = index.shape()[0];
    Tensor idx = expand(reshape(index.to(x.device()), view_shape), full);  // moved before it is broadcast
    return gather(x, dim, idx);
}

// ---- dropout ------------------------------------------------------------------------------------------

Tensor dropout(const Tensor& x, double p, bool training, Generator& gen) {
    if (!(p >= 0 && p < 1))  // written so that NaN fails too
        throw TensorError(fmt::format("dropout: probability must be in [0, 1), got {}", p));
    if (!training || p == 0) return x;
    check_floating(x, "dropout");
    // keep = (u > p) / (1 - p): the mask is a constant, so y = x * mask is differentiable by mul
    Tensor u = Tensor::uniform(x.shape(), 0.0, 1.0, gen, x.dtype(), x.device());
    Tensor keep;
    {
        NoGradGuard raw;
        keep = mul(gt(u, Tensor::full({}, p, x.dtype(), x.device())), 1.0 / (1.0 - p));
    }
    return mul(x, keep);
}

}  // namespace aprender
