// backend.h — the short, fixed list of kernels that every op is built from.
//
// Ops (ops_*.cpp) do the bookkeeping — shapes, broadcasting, autograd — and then call
// one of these kernels on raw memory. A device implements this interface once: the
// CPU backend (autograd/cpu/) with loops and OpenBLAS, the CUDA backend (cuda/) with
// cuBLAS and its own kernels, each in one file per kernel family. One virtual call per
// op, never one per element.
//
// Conventions: pointers already include the tensor's offset; strides and sizes count
// elements; "contiguous" buffers are row-major and dense. Floating kernels accept
// f32 and f64; i32 is accepted where noted.
#pragma once

#include "autograd/dtype.h"

#include <cstdint>
#include <vector>

namespace aprender {

// A strided view of memory: what an n-d loop needs to read or write a tensor.
struct Strided {
    void* data;
    std::vector<int64_t> shape;
    std::vector<int64_t> strides;
};

// y = f(x; a, b) elementwise. a and b are the op's scalar parameters.
enum class UnaryOp {
    neg, exp, log, sqrt, rsqrt, abs, tanh, sigmoid, relu,
    gelu,    // tanh approximation, as GPT-2
    pow,     // x^a
    clamp,   // min(max(x, a), b)
    affine,  // a*x + b   (scalar add, scalar multiply, 1 - x, ...)
};

// out = a (op) b, with a and b broadcast to out's shape through zero strides.
enum class BinaryOp { add, sub, mul, div, maximum, eq, gt, lt };

enum class ReduceOp { sum, max };

class Backend {
public:
    virtual ~Backend() = default;
    virtual const char* name() const = 0;

    // memory
    virtual void* allocate(size_t nbytes) = 0;
    virtual void release(void* ptr, size_t nbytes) = 0;
    virtual void to_host(void* dst, const void* src, size_t nbytes) = 0;
    virtual void from_host(void* dst, const void* src, size_t nbytes) = 0;
    // Wait until every queued kernel has finished and report any error they found (an
    // out-of-range index, on a GPU). The CPU runs each kernel to the end before returning:
    // nothing to wait for. Benchmarks call it before reading the clock.
    virtual void synchronize() {}

    // dst[i] = value for n contiguous elements (f32, f64, i32)
    virtual void fill(void* dst, int64_t n, double value, DType dt) = 0;
    // dst = src elementwise over a shape, both strided; casts when dtypes differ.
    virtual void copy(const Strided& src, DType src_dt, const Strided& dst, DType dst_dt) = 0;
    // random numbers with Philox 4x32-10 from counter `offset` (see random.h)
    virtual void fill_uniform(void* dst, int64_t n, double lo, double hi, uint64_t seed, uint64_t offset,
                              DType dt) = 0;
    virtual void fill_normal(void* dst, int64_t n, double mean, double std, uint64_t seed, uint64_t offset,
                             DType dt) = 0;

    // elementwise (x, y, gx, gy contiguous, n elements)
    virtual void unary(UnaryOp op, const void* x, void* y, int64_t n, double a, double b, DType dt) = 0;
    // gx = gy * f'(x) (y = f(x) is passed too: exp, sqrt, rsqrt, tanh, sigmoid use it)
    virtual void unary_backward(UnaryOp op, const void* x, const void* y, const void* gy, void* gx, int64_t n,
                                double a, double b, DType dt) = 0;
    // out (contiguous, shape = a.shape = b.shape after broadcasting) = a op b
    virtual void binary(BinaryOp op, const Strided& a, const Strided& b, void* out, DType dt) = 0;
    // out = cond != 0 ? a : b (cond has dtype cond_dt; a, b, out have dt)
    virtual void where(const Strided& cond, DType cond_dt, const Strided& a, const Strided& b, void* out,
                       DType dt) = 0;
    // Reduce x into out: out.strides are x's shape with 0 stride on reduced axes.
    // out must be zero-initialised for sum (the kernel accumulates) and is written for max.
    virtual void reduce(ReduceOp op, const Strided& x, const Strided& out, DType dt) = 0;

    // C[b] = alpha * op(A[b]) @ op(B[b]) + beta * C[b] for b < batch; row-major.
    // op(X) = X^T when trans_X. Strides between batch items may be 0 (broadcast).
    // bias, if not null: n values added to every row of C (a Linear's bias; only with
    // batch = 1 and beta = 0). The CPU writes them into C first and lets the product add
    // onto them (gemm_bias_by_copy); a GPU adds them as the product's tiles are written
    // (cuBLASLt's epilogue), which saves a pass over C.
    struct Gemm {
        bool trans_a = false, trans_b = false;
        int64_t m, n, k;
        double alpha = 1, beta = 0;
        const void* a; int64_t lda, stride_a = 0;
        const void* b; int64_t ldb, stride_b = 0;
        void* c;       int64_t ldc, stride_c = 0;
        int64_t batch = 1;
        const void* bias = nullptr;
    };
    virtual void gemm(const Gemm& g, DType dt) = 0;

    // Row-wise fused kernels on [rows, cols] contiguous buffers.
    // softmax (or log_softmax when log) along each row; causal: row r of each
    // [T, T] block only sees columns <= r % T (the rest get probability 0).
    virtual void softmax(const void* x, void* y, int64_t rows, int64_t cols, bool log, bool causal, DType dt) = 0;
    virtual void softmax_backward(const void* y, const void* gy, void* gx, int64_t rows, int64_t cols, bool log,
                                  DType dt) = 0;
    // y = (x - mean) * rstd * w + b; saves mean and rstd per row (w, b may be null).
    virtual void layernorm(const void* x, const void* w, const void* b, void* y, void* mean, void* rstd,
                           int64_t rows, int64_t cols, double eps, DType dt) = 0;
    // gx written; gw and gb accumulated (+=) when not null.
    virtual void layernorm_backward(const void* gy, const void* x, const void* w, const void* mean,
                                    const void* rstd, void* gx, void* gw, void* gb, int64_t rows, int64_t cols,
                                    DType dt) = 0;
    // out[i, :] = table[ids[i], :]; ids are int32 and are checked against `rows`.
    virtual void embedding(const int32_t* ids, int64_t n, const void* table, int64_t rows, int64_t cols,
                           void* out, DType dt) = 0;
    // gtable[ids[i], :] += gout[i, :] for gtable (rows, cols); an id outside [0, rows) adds
    // nothing (the forward pass reported it; a GPU may run this before the report is read).
    virtual void embedding_backward(const int32_t* ids, int64_t n, const void* gout, int64_t rows, int64_t cols,
                                    void* gtable, DType dt) = 0;
    // Per row: loss[r] = logsumexp(logits[r]) - logits[r, target[r]] (0 where target ==
    // ignore_index), lse[r] saved. Targets are checked against `cols`.
    virtual void cross_entropy(const void* logits, const int32_t* targets, int64_t rows, int64_t cols,
                               int32_t ignore_index, void* loss, void* lse, DType dt) = 0;
    // glogits[r] = scale * (softmax(logits[r]) - onehot(target[r])), 0 rows for ignored.
    virtual void cross_entropy_backward(const void* logits, const int32_t* targets, const void* lse,
                                        int64_t rows, int64_t cols, int32_t ignore_index, double scale,
                                        void* glogits, DType dt) = 0;
    // out[..., j, ...] = x[..., index[..., j, ...], ...] along `dim` (gather); index i32,
    // out has index's shape. scatter_add is its backward: gx[... index ...] += gout.
    virtual void gather(const Strided& x, int64_t dim, const Strided& index, void* out, DType dt) = 0;
    virtual void scatter_add(const Strided& gout, int64_t dim, const Strided& index, const Strided& gx,
                             DType dt) = 0;

    // One AdamW update over n contiguous elements (in place on p, m, v).
    struct AdamW {
        double lr, beta1, beta2, eps, weight_decay;
        double bias_correction1, bias_correction2;  // 1 - beta^t
    };
    virtual void adamw(void* p, const void* g, void* m, void* v, int64_t n, const AdamW& h, DType dt) = 0;
    // The AdamW updates of a whole optimizer step in one call, so that a GPU can do them
    // in a few launches instead of one per parameter tensor (PyTorch's "foreach" path).
    // The numbers are adamw's, element for element; by default it is a loop over adamw.
    struct AdamWTensor {
        void* p;
        const void* g;
        void* m;
        void* v;
        int64_t n;
        AdamW h;
    };
    virtual void adamw_many(const std::vector<AdamWTensor>& tensors, DType dt) {
        for (const AdamWTensor& t : tensors) adamw(t.p, t.g, t.m, t.v, t.n, t.h, dt);
    }

protected:
    // gemm with a bias, the plain way: copy the bias into every row of C (a stride-0 read),
    // then the same product with beta = 1 and no bias.
    void gemm_bias_by_copy(const Gemm& g, DType dt);
};

inline void Backend::gemm_bias_by_copy(const Gemm& g, DType dt) {
    copy({const_cast<void*>(g.bias), {g.m, g.n}, {0, 1}}, dt, {g.c, {g.m, g.n}, {g.ldc, 1}}, dt);
    Gemm plain = g;
    plain.bias = nullptr;
    plain.beta = 1;
    gemm(plain, dt);
}

// The backend for a device. CUDA is found through the registry only when compiled in.
Backend& backend(Device device);
Backend& cpu_backend();
void register_backend(Device::Kind kind, Backend* backend);
bool cuda_available();  // compiled with CUDA and a GPU is visible (or APRENDER_EMULATE_GPU=1 or =kernels)

// With APRENDER_EMULATE_GPU=1 and no GPU, device cuda is this emulation: the CPU's kernels
// on memory that host code may not touch (autograd/emulated_gpu.cpp) — it tests that a
// program moves its tensors to and from the device where it should.
Backend* make_emulated_gpu();

}  // namespace aprender
