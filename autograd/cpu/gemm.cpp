// gemm.cpp — C = alpha * op(A) @ op(B) + beta * C, batched: OpenBLAS does the arithmetic,
// we do the splitting. (On the GPU, cuda/cuda_backend.cpp hands the same call to cuBLAS.)
//
// OpenBLAS runs single-threaded (autograd/parallel.h says why: two thread pools on one
// machine steal each other's cores), so the split over our pool is here, in the comment
// on gemm below. A transposed operand is a BLAS flag, never a copy.
//
// Napkin math: 2·m·n·k flops. A 512 x 512 product is 268 M flops; bench/micro measured
// ~210 GFLOP/s on 2 cores, the same as OpenBLAS splitting it with its own threads
// (bench/RESULTS.md).
#include "autograd/cpu/cpu_backend.h"
#include "autograd/cpu/loops.h"

#include <cblas.h>

#include <algorithm>
#include <type_traits>

namespace aprender::cpu {

// One product per call to single-threaded OpenBLAS; the pool splits the work: a batch
// by its items, a single product by blocks of rows of C (or of columns when C is
// short and wide). Each block is an independent product, so no result is shared.
//
// The blocks depend on the shape alone, never on the thread count, so 1 thread and 16
// give the same bits. That matters because OpenBLAS may compute an element of a narrow
// block with another kernel than the same element of a wide one: cut by the thread
// count, 3 threads changed the last bit of a bias gradient (ones[1, 1024] @ g[1024, 256]
// in 86-column blocks; "nn: GPT training gives the same bits..." in the tests). The
// price: one product keeps at most kGemmBlocks threads busy (a bigger machine still
// spreads batches and every other kernel over all its threads), and 2 threads make up to
// 8 OpenBLAS calls per product instead of 2 (+2-3% on a training step, bench/RESULTS.md).
constexpr int64_t kGemmBlocks = 8;    // at most this many blocks per product (a power of two)...
constexpr int64_t kGemmMinSide = 32;  // ...of at least this many rows (or columns)

void CpuBackend::gemm(const Gemm& g, DType dt) {
    if (g.bias) return gemm_bias_by_copy(g, dt);
    auto ta = g.trans_a ? CblasTrans : CblasNoTrans;
    auto tb = g.trans_b ? CblasTrans : CblasNoTrans;
    dispatch_float(dt, "gemm", [&](auto t) {
        using T = decltype(t);
        auto one = [&](const T* a, const T* b, T* c, int64_t m, int64_t n) {
            if constexpr (std::is_same_v<T, float>)
                cblas_sgemm(CblasRowMajor, ta, tb, m, n, g.k, (float)g.alpha, a, g.lda, b, g.ldb, (float)g.beta, c,
                            g.ldc);
            else
                cblas_dgemm(CblasRowMajor, ta, tb, m, n, g.k, g.alpha, a, g.lda, b, g.ldb, g.beta, c, g.ldc);
        };
        const T* A = static_cast<const T*>(g.a);
        const T* B = static_cast<const T*>(g.b);
        T* C = static_cast<T*>(g.c);
        double flops = 2.0 * (double)g.m * (double)g.n * (double)g.k * (double)g.batch;
        if (flops < 1e5) {  // too small to share
            for (int64_t i = 0; i < g.batch; ++i) one(A + i * g.stride_a, B + i * g.stride_b, C + i * g.stride_c, g.m, g.n);
        } else if (g.batch > 1) {
            parallel_for(g.batch, 1, [&](int64_t i0, int64_t i1) {
                for (int64_t i = i0; i < i1; ++i)
                    one(A + i * g.stride_a, B + i * g.stride_b, C + i * g.stride_c, g.m, g.n);
            });
        } else {
            // Each block packs the whole of the operand it does not split, so split along
            // the longer side of C: row blocks repack B, column blocks repack A. A block's
            // side is rounded up to a multiple of 16 (whole tiles of OpenBLAS's kernels),
            // so that only the last block has a ragged edge.
            bool rows = g.m >= g.n;
            int64_t side = rows ? g.m : g.n;
            // A power of two, so that 2, 4 or 8 threads share the blocks evenly.
            int64_t blocks = 1;
            while (blocks * 2 <= kGemmBlocks && blocks * 2 * kGemmMinSide <= side) blocks *= 2;
            int64_t len = ((side + blocks - 1) / blocks + 15) / 16 * 16;
            parallel_for((side + len - 1) / len, 1, [&](int64_t b0, int64_t b1) {
                for (int64_t b = b0; b < b1; ++b) {
                    int64_t s0 = b * len, s1 = std::min(side, s0 + len);
                    if (rows)  // A's rows (or columns, if transposed)
                        one(A + (g.trans_a ? s0 : s0 * g.lda), B, C + s0 * g.ldc, s1 - s0, g.n);
                    else  // B's columns (or rows, if transposed)
                        one(A, B + (g.trans_b ? s0 * g.ldb : s0), C + s0, g.m, s1 - s0);
                }
            });
        }
    });
}

}  // namespace aprender::cpu
