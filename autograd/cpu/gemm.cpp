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

#include <type_traits>

namespace aprender::cpu {

// One product per call to single-threaded OpenBLAS; the pool splits the work: a batch
// by its items, a single product by blocks of rows of C (or of columns when C is
// short and wide). Each block is an independent product, so no result is shared.
void CpuBackend::gemm(const Gemm& g, DType dt) {
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
            // the longer side of C, in one block per thread: row blocks repack B, column
            // blocks repack A.
            int64_t threads = num_threads();
            if (g.m >= g.n) {  // blocks of rows: A's rows (or columns, if transposed)
                parallel_for(g.m, std::max<int64_t>(32, (g.m + threads - 1) / threads), [&](int64_t r0, int64_t r1) {
                    one(A + (g.trans_a ? r0 : r0 * g.lda), B, C + r0 * g.ldc, r1 - r0, g.n);
                });
            } else {  // blocks of columns: B's columns (or rows, if transposed)
                parallel_for(g.n, std::max<int64_t>(32, (g.n + threads - 1) / threads), [&](int64_t c0, int64_t c1) {
                    one(A, B + (g.trans_b ? c0 * g.ldb : c0), C + c0, g.m, c1 - c0);
                });
            }
        }
    });
}

}  // namespace aprender::cpu
