// ops_matmul.cpp — matrix products through the backend's gemm (cblas_sgemm on CPU).
//
// BLAS multiplies row-major matrices and can read either operand transposed for free
// (a flag), so a transposed *view* never needs a copy: we only look at the strides of
// the last two axes to decide "as is" (row stride = lda, unit column stride) or
// "transposed" (unit row stride). Batched products walk a batch axis with a fixed stride
// between matrices; broadcast batch axes have stride 0.
#include "autograd/ops_util.h"

namespace aprender {

using namespace detail;

namespace {

// How the last two axes of a [..., rows, cols] operand are handed to gemm.
struct Operand {
    Tensor t;            // the original view, or a contiguous copy of an irregular one
    bool trans = false;  // pass as transposed storage
    int64_t ld = 0;      // leading dimension
};

Operand prepare(const Tensor& t) {
    int64_t r = t.dim(), rows = t.shape()[r - 2], cols = t.shape()[r - 1];
    int64_t sr = t.strides()[r - 2], sc = t.strides()[r - 1];
    if ((sc == 1 || cols == 1) && (sr >= std::max<int64_t>(cols, 1) || rows == 1))
        return {t, false, rows == 1 ? std::max<int64_t>(cols, 1) : sr};
    if ((sr == 1 || rows == 1) && (sc >= std::max<int64_t>(rows, 1) || cols == 1))
        return {t, true, cols == 1 ? std::max<int64_t>(rows, 1) : sc};
    return {t.detach().contiguous(), false, std::max<int64_t>(cols, 1)};  // irregular: copy once
}

// out [batch..., m, n] = a [batch..., m, k] @ b [batch..., k, n], both already expanded
// to the same batch shape. Batch axes are walked with their own strides, so a view
// such as the heads of attention, (B, nh, T, hs) with strides (T·C, hs, C, 1), is
// multiplied where it lies: the longest batch axis is gemm's batch, the others a loop.
Tensor gemm_batched(const Tensor& a, const Tensor& b, const Shape& out_shape) {
    int64_t r = a.dim(), m = a.shape()[r - 2], k = a.shape()[r - 1], n = b.shape()[r - 1];
    Tensor out = Tensor::empty(out_shape, a.dtype(), a.device());
    if (out.numel() == 0) return out;
    Backend& be = backend(a.device());
    if (k == 0) {
        be.fill(out.raw_data(), out.numel(), 0.0, a.dtype());
        return out;
    }
    Operand A = prepare(a), B = prepare(b);
    Shape batch(out_shape.begin(), out_shape.end() - 2);
    int64_t nb = (int64_t)batch.size();
    Backend::Gemm g;
    g.trans_a = A.trans;
    g.trans_b = B.trans;
    g.m = m, g.n = n, g.k = k;
    g.lda = A.ld, g.ldb = B.ld, g.ldc = n;
    size_t es = dtype_size(a.dtype());
    char* pa = static_cast<char*>(A.t.raw_data());
    char* pb = static_cast<char*>(B.t.raw_data());
    char* pc = static_cast<char*>(out.raw_data());
    Shape out_strides = contiguous_strides(out_shape);

    // A single matrix on the right and dense, untransposed rows on the left: fold the
    // batch into the rows — one big gemm instead of many small ones (Linear layers).
    bool b_shared = true, a_dense = !A.trans;
    int64_t expected = m * A.ld;
    for (int64_t d = nb - 1; d >= 0; --d) {
        b_shared = b_shared && (batch[d] == 1 || B.t.strides()[d] == 0);
        a_dense = a_dense && (batch[d] == 1 || A.t.strides()[d] == expected);
        expected *= batch[d];
    }
    if (nb > 0 && b_shared && a_dense) {
        g.m = m * shape_numel(batch);
        g.a = pa, g.b = pb, g.c = pc;
        be.gemm(g, a.dtype());
        return out;
    }
    // gemm's own batch is the longest batch axis (one strided-batched call covers it), the
    // others are a loop. Attention's heads, (B, nh, T, hs) viewed inside a (B, T, C) tensor,
    // have two batch axes that no single stride walks; on a GPU every call is a launch, so
    // batching over B (64 in the medium benchmark) rather than nh (6) makes 6 calls, not 64.
    // Each matrix is still one product, computed alike either way.
    int64_t axis = -1;
    for (int64_t d = nb - 1; d >= 0; --d)
        if (axis < 0 || batch[d] > batch[axis]) axis = d;
    g.batch = axis >= 0 ? batch[axis] : 1;
    g.stride_a = axis >= 0 ? A.t.strides()[axis] : 0;
    g.stride_b = axis >= 0 ? B.t.strides()[axis] : 0;
    g.stride_c = axis >= 0 ? out_strides[axis] : 0;
    std::vector<int64_t> loop;  // the other batch axes
    for (int64_t d = 0; d < nb; ++d)
        if (d != axis) loop.push_back(d);
    std::vector<int64_t> idx(loop.size(), 0);
    int64_t outer = 1;
    for (int64_t d : loop) outer *= batch[d];
    for (int64_t o = 0; o < outer; ++o) {
        int64_t oa = 0, ob = 0, oc = 0;
        for (size_t j = 0; j < loop.size(); ++j) {
            oa += idx[j] * A.t.strides()[loop[j]];
            ob += idx[j] * B.t.strides()[loop[j]];
            oc += idx[j] * out_strides[loop[j]];
        }
        g.a = pa + oa * es, g.b = pb + ob * es, g.c = pc + oc * es;
        be.gemm(g, a.dtype());
        for (int64_t j = (int64_t)loop.size() - 1; j >= 0; --j) {  // odometer over the loop axes
            if (++idx[j] < batch[loop[j]]) break;
            idx[j] = 0;
        }
    }
    return out;
}

Tensor matmul_nd(const Tensor& a, const Tensor& b);

// Whether the last two axes of t are stored transposed (columns contiguous): kᵀ in
// attention's q·kᵀ is such a view of k.
bool stored_transposed(const Tensor& t) {
    int64_t r = t.dim();
    return t.strides()[r - 2] == 1 && t.strides()[r - 1] != 1 && t.shape()[r - 2] > 1;
}

// lhs·rhs, the gradient of operand x. When x is stored transposed the same product is
// computed as (rhsᵀ·lhsᵀ)ᵀ, so that it comes out in x's own layout: it then reaches the
// tensor x is a view of dense. For q·kᵀ that is k's gradient, which as a transposed view
// the heads' reshape would have to copy reading elements T apart (on a GPU, one memory
// transaction per element).
Tensor gradient_product(const Tensor& x, const Tensor& lhs, const Tensor& rhs) {
    if (!stored_transposed(x)) return matmul_nd(lhs, rhs);
    return matmul_nd(rhs.transpose(-1, -2), lhs.transpose(-1, -2)).transpose(-1, -2);
}

struct MatmulBackward : Node {
    Tensor a, b;
    std::vector<Tensor> backward(const Tensor& g) override {
        // ∂L/∂a = g·bᵀ and ∂L/∂b = aᵀ·g, each in its operand's layout (gradient_product)
        Tensor ga, gb;
        if (next[0].needed()) ga = sum_to(gradient_product(a, g, b.transpose(-1, -2)), a.shape());
        if (next[1].needed()) {
            if (b.dim() == 2 && a.dim() > 2) {
                // dW = sum over the batch of aᵀ·g = (all rows of a)ᵀ · (all rows of g)
                int64_t k = a.shape().back(), n = g.shape().back();
                gb = gradient_product(b, reshape(a, {-1, k}).transpose(0, 1), reshape(g, {-1, n}));
            } else {
                gb = sum_to(gradient_product(b, a.transpose(-1, -2), g), b.shape());
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
        node->a = node->save(a.detach());
        node->b = node->save(b.detach());
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

// ---- linear: y = x·Wᵀ + b in one gemm -----------------------------------------------------
//
// All leading axes of x are rows: x (..., in) is seen as X (M, in), M = B·T for a
// transformer. Forward: one gemm computes X·Wᵀ and adds b to every row (the backend's
// bias: the CPU writes b into the rows first and adds the product onto it, a GPU adds b
// as the product is written), so the bias costs no pass of its own. Backward, with
// G = ∂L/∂Y (M, out):
//     ∂L/∂X = G·W          (M, out)·(out, in)
//     ∂L/∂W = Gᵀ·X         (out, M)·(M, in)   — summed over every row at once
//     ∂L/∂b = 1ᵀ·G         a column sum, done as a product with a vector of ones

namespace {

struct LinearBackward : Node {
    Tensor x2, w;  // x as (M, in), the weight (out, in)
    Shape x_shape;
    std::vector<Tensor> backward(const Tensor& g) override {
        int64_t out = w.shape()[0];
        Tensor g2 = reshape(g, {x2.shape()[0], out});  // (M, out)
        Tensor gx, gw, gb;
        if (next[0].needed()) gx = reshape(matmul(g2, w), x_shape);
        if (next[1].needed()) gw = matmul(g2.t(), x2);
        if (next.size() > 2 && next[2].needed()) {
            Tensor ones = Tensor::ones({1, g2.shape()[0]}, g.dtype(), g.device());
            gb = reshape(matmul(ones, g2), {out});
        }
        return {gx, gw, gb};
    }
    const char* name() const override { return "LinearBackward"; }
    void release() override { x2 = w = Tensor(); }
};

}  // namespace

Tensor linear(const Tensor& x, const Tensor& w, const Tensor& b) {
    if (w.dim() != 2) throw TensorError(fmt::format("linear: weight must be 2-D [out, in], got {}", shape_str(w.shape())));
    if (x.dim() == 0 || x.shape().back() != w.shape()[1])
        throw TensorError(fmt::format("linear: input {} has {} features, weight {} expects {}", shape_str(x.shape()),
                                      x.dim() ? x.shape().back() : 0, shape_str(w.shape()), w.shape()[1]));
    check_same_dtype(x, w, "linear");
    check_floating(x, "linear");
    int64_t in = w.shape()[1], out = w.shape()[0];
    if (b.defined()) {
        check_same_dtype(x, b, "linear");
        if (b.shape() != Shape{out})
            throw TensorError(fmt::format("linear: bias {} does not match {} outputs", shape_str(b.shape()), out));
    }
    int64_t M = 1;  // the rows: every leading axis (counted, not view's -1, which 0 features would leave ambiguous)
    for (int64_t i = 0; i + 1 < x.dim(); ++i) M *= x.shape()[i];
    Tensor x2 = x.detach().contiguous().view({M, in});  // (M, in)
    Tensor wc = w.detach().contiguous();
    Shape out_shape = x.shape();
    out_shape.back() = out;
    Tensor y = Tensor::empty(out_shape, x.dtype(), x.device());
    Backend& be = backend(x.device());
    if (M > 0) {
        Tensor bc = b.defined() ? b.detach().contiguous() : Tensor();
        if (in == 0) {  // an empty sum: y is the bias alone, or zeros
            if (bc.defined())
                be.copy({bc.raw_data(), {M, out}, {0, 1}}, b.dtype(), {y.raw_data(), {M, out}, {out, 1}}, y.dtype());
            else
                be.fill(y.raw_data(), y.numel(), 0.0, y.dtype());
        } else {
            Backend::Gemm g;
            g.trans_b = true;  // W is (out, in): read it as Wᵀ
            g.m = M, g.n = out, g.k = in;
            g.a = x2.raw_data(), g.lda = in;
            g.b = wc.raw_data(), g.ldb = in;
            g.c = y.raw_data(), g.ldc = out;
            g.bias = bc.defined() ? bc.raw_data() : nullptr;
            be.gemm(g, x.dtype());
        }
    }
    if (any_requires_grad({&x, &w, &b})) {
        auto node = std::make_shared<LinearBackward>();
        node->x2 = node->save(x2);
        node->w = node->save(wc);
        node->x_shape = x.shape();
        attach(node, {&x, &w, &b}, y);
    }
    return y;
}

}  // namespace aprender
