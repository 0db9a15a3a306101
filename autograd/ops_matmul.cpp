// ops_matmul.cpp — matrix products through the backend's gemm (cblas_sgemm on CPU).
//
// BLAS multiplies row-major matrices and can read either operand transposed for free
// (a flag), so a transposed *view* never needs a copy: we only look at the strides of
// the last two axes to decide "as is" (row stride = lda, unit column stride) or
// "transposed" (unit row stride). Batched products loop over the batch with a fixed
// stride between matrices; broadcast batch axes have stride 0.
#include "autograd/ops_util.h"

namespace aprender {

using namespace detail;

namespace {

// How a [..., rows, cols] operand is handed to gemm.
struct Operand {
    Tensor t;            // possibly a contiguous copy of the original
    bool trans = false;  // pass as transposed storage
    int64_t ld = 0;      // leading dimension
    int64_t batch_stride = 0;
};

// Can the batch axes [0, rank-2) be walked with one stride? (all broadcast, or dense)
bool batch_stride_of(const Tensor& t, int64_t& stride) {
    int64_t nb = t.dim() - 2;
    stride = 0;
    int64_t last = -1;  // last batch axis with size > 1
    for (int64_t i = 0; i < nb; ++i)
        if (t.shape()[i] > 1) last = i;
    if (last < 0) return true;
    stride = t.strides()[last];
    int64_t expected = stride;
    for (int64_t i = last; i >= 0; --i) {
        if (t.shape()[i] == 1) continue;
        if (t.strides()[i] != expected) return false;
        expected *= t.shape()[i];
    }
    return true;
}

Operand prepare(const Tensor& t) {
    int64_t r = t.dim(), rows = t.shape()[r - 2], cols = t.shape()[r - 1];
    int64_t sr = t.strides()[r - 2], sc = t.strides()[r - 1];
    Operand op{t};
    int64_t bs = 0;
    bool batch_ok = batch_stride_of(t, bs);
    if (batch_ok && (sc == 1 || cols == 1) && (sr >= std::max<int64_t>(cols, 1) || rows == 1)) {
        op.ld = rows == 1 ? std::max<int64_t>(cols, 1) : sr;
        op.batch_stride = bs;
        return op;
    }
    if (batch_ok && (sr == 1 || rows == 1) && (sc >= std::max<int64_t>(rows, 1) || cols == 1)) {
        op.trans = true;
        op.ld = cols == 1 ? std::max<int64_t>(rows, 1) : sc;
        op.batch_stride = bs;
        return op;
    }
    op.t = t.detach().contiguous();  // an irregular view: copy once
    op.ld = std::max<int64_t>(cols, 1);
    op.batch_stride = t.dim() > 2 ? rows * cols : 0;
    if (!batch_stride_of(op.t, op.batch_stride)) throw std::logic_error("matmul: contiguous copy not batchable");
    return op;
}

// out [batch..., m, n] = a [batch..., m, k] @ b [batch..., k, n], both already expanded
// to the same batch shape.
Tensor gemm_batched(const Tensor& a, const Tensor& b, const Shape& out_shape) {
    int64_t r = a.dim(), m = a.shape()[r - 2], k = a.shape()[r - 1], n = b.shape()[r - 1];
    Tensor out = Tensor::empty(out_shape, a.dtype(), a.device());
    int64_t batch = shape_numel(Shape(out_shape.begin(), out_shape.end() - 2));
    if (out.numel() == 0) return out;
    if (k == 0) {
        backend(a.device()).fill(out.raw_data(), out.numel(), 0.0, a.dtype());
        return out;
    }
    Operand A = prepare(a), B = prepare(b);
    Backend::Gemm g;
    g.trans_a = A.trans;
    g.trans_b = B.trans;
    g.m = m;
    g.n = n;
    g.k = k;
    g.a = A.t.raw_data();
    g.lda = A.ld;
    g.stride_a = A.batch_stride;
    g.b = B.t.raw_data();
    g.ldb = B.ld;
    g.stride_b = B.batch_stride;
    g.c = out.raw_data();
    g.ldc = n;
    g.stride_c = m * n;
    g.batch = batch;
    // A single matrix on the right and a dense, untransposed left operand: fold the
    // batch into the rows — one big gemm instead of many small ones (Linear layers).
    if (batch > 1 && B.batch_stride == 0 && !A.trans && A.batch_stride == m * A.ld) {
        g.m = m * batch;
        g.batch = 1;
    }
    backend(a.device()).gemm(g, a.dtype());
    return out;
}

Tensor matmul_nd(const Tensor& a, const Tensor& b);

struct MatmulBackward : Node {
    Tensor a, b;
    std::vector<Tensor> backward(const Tensor& g) override {
        Tensor ga, gb;
        if (next[0].needed()) ga = sum_to(matmul_nd(g, b.transpose(-1, -2)), a.shape());
        if (next[1].needed()) {
            if (b.dim() == 2 && a.dim() > 2) {
                // dW = sum over the batch of aᵀ·g = (all rows of a)ᵀ · (all rows of g)
                int64_t k = a.shape().back(), n = g.shape().back();
                gb = matmul_nd(reshape(a, {-1, k}).transpose(0, 1), reshape(g, {-1, n}));
            } else {
                gb = sum_to(matmul_nd(a.transpose(-1, -2), g), b.shape());
            }
        }
        return {ga, gb};
    }
    const char* name() const override { return "MatmulBackward"; }
    void release() override { a = b = Tensor(); }
};

Tensor matmul_nd(const Tensor& a, const Tensor& b) {
    int64_t ra = a.dim(), rb = b.dim();
    if (a.shape()[ra - 1] != b.shape()[rb - 2])
        throw TensorError(fmt::format("matmul: {} @ {}: inner dimensions {} and {} differ", shape_str(a.shape()),
                                      shape_str(b.shape()), a.shape()[ra - 1], b.shape()[rb - 2]));
    Shape batch = broadcast_shapes(Shape(a.shape().begin(), a.shape().end() - 2),
                                   Shape(b.shape().begin(), b.shape().end() - 2), "matmul (batch dimensions)");
    Shape ea = batch, eb = batch, out = batch;
    ea.insert(ea.end(), a.shape().end() - 2, a.shape().end());
    eb.insert(eb.end(), b.shape().end() - 2, b.shape().end());
    out.push_back(a.shape()[ra - 2]);
    out.push_back(b.shape()[rb - 1]);
    Tensor result;
    {
        NoGradGuard raw;  // the expands are bookkeeping; MatmulBackward handles the gradient
        result = gemm_batched(expand(a.detach(), ea), expand(b.detach(), eb), out);
    }
    if (any_requires_grad({&a, &b})) {
        auto node = std::make_shared<MatmulBackward>();
        node->a = a.detach();
        node->b = b.detach();
        attach(node, {&a, &b}, result);
    }
    return result;
}

}  // namespace

Tensor matmul(const Tensor& a, const Tensor& b) {
    check_same_dtype(a, b, "matmul");
    check_floating(a, "matmul");
    if (a.dim() == 0 || b.dim() == 0)
        throw TensorError(fmt::format("matmul: {} @ {}: scalars cannot be multiplied as matrices",
                                      shape_str(a.shape()), shape_str(b.shape())));
    // numpy's rules for vectors: a [k] is a row [1, k], b [k] is a column [k, 1]; the
    // added axis is removed from the result.
    if (a.dim() == 1 && b.dim() == 1) {
        if (a.shape()[0] != b.shape()[0])
            throw TensorError(fmt::format("matmul: {} @ {}: inner dimensions {} and {} differ", shape_str(a.shape()),
                                          shape_str(b.shape()), a.shape()[0], b.shape()[0]));
        return reshape(matmul_nd(unsqueeze(a, 0), unsqueeze(b, 1)), {});
    }
    if (a.dim() == 1) return squeeze(matmul_nd(unsqueeze(a, 0), b), -2);
    if (b.dim() == 1) return squeeze(matmul_nd(a, unsqueeze(b, 1)), -1);
    return matmul_nd(a, b);
}

Tensor linear(const Tensor& x, const Tensor& w, const Tensor& b) {
    if (w.dim() != 2) throw TensorError(fmt::format("linear: weight must be 2-D [out, in], got {}", shape_str(w.shape())));
    if (x.dim() == 0 || x.shape().back() != w.shape()[1])
        throw TensorError(fmt::format("linear: input {} has {} features, weight {} expects {}", shape_str(x.shape()),
                                      x.dim() ? x.shape().back() : 0, shape_str(w.shape()), w.shape()[1]));
    Tensor y = matmul(x, w.t());
    return b.defined() ? add(y, b) : y;
}

}  // namespace aprender
