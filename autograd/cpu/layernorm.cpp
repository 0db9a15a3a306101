// layernorm.cpp — LayerNorm along the rows of [rows, cols], saving mean and rstd per row,
// and its backward. (cuda/layernorm_kernels.cuh is the GPU's version.)
//
// Forward: blocks of whole rows (parallel_rows, loops.h), one thread per row: the mean,
// then the biased variance from the mean (two passes, which do not cancel
// catastrophically like E[x²] - E[x]²), then y = (x - mean)·rstd·w + b.
// Backward: gx row by row; gw and gb are sums over the rows, so the rows are cut into
// blocks of a fixed number of rows (set by the row count alone), each block sums its
// own share, and the shares are added in block order at the end. The cut depends on the
// shape, never on the thread count or timing, so 1 thread and 16 give the same bits (as
// reduce.cpp's sums do).
//
// Napkin math: the forward reads each row three times and writes it once; a row (C =
// 768 floats, 3 KB) stays in L1, so memory sees about one read and one write per
// element. The backward reads gy and x twice per row and writes gx.
#include "autograd/cpu/cpu_backend.h"
#include "autograd/cpu/loops.h"

#include <cmath>
#include <vector>

namespace aprender::cpu {

void CpuBackend::layernorm(const void* xv, const void* wv, const void* bv, void* yv, void* meanv, void* rstdv,
                           int64_t rows, int64_t cols, double eps, DType dt) {
    dispatch_float(dt, "layer_norm", [&](auto t) {
        using T = decltype(t);
        const T* x = static_cast<const T*>(xv);
        const T* w = static_cast<const T*>(wv);
        const T* b = static_cast<const T*>(bv);
        T* y = static_cast<T*>(yv);
        T* mean = static_cast<T*>(meanv);
        T* rstd = static_cast<T*>(rstdv);
        parallel_rows(rows, cols, [&](int64_t r0, int64_t r1) {
        for (int64_t r = r0; r < r1; ++r) {
            const T* xr = x + r * cols;
            T* yr = y + r * cols;
            T m = 0;
            for (int64_t j = 0; j < cols; ++j) m += xr[j];
            m /= T(cols);
            T v = 0;
            for (int64_t j = 0; j < cols; ++j) v += (xr[j] - m) * (xr[j] - m);
            v /= T(cols);  // biased variance, as PyTorch's LayerNorm
            T rs = T(1) / std::sqrt(v + T(eps));
            for (int64_t j = 0; j < cols; ++j) {
                T n = (xr[j] - m) * rs;
                yr[j] = (w ? n * w[j] : n) + (b ? b[j] : T(0));
            }
            mean[r] = m;
            rstd[r] = rs;
        }
        });
    });
}

void CpuBackend::layernorm_backward(const void* gyv, const void* xv, const void* wv, const void* meanv,
                                    const void* rstdv, void* gxv, void* gwv, void* gbv, int64_t rows, int64_t cols,
                                    DType dt) {
    dispatch_float(dt, "layer_norm backward", [&](auto t) {
        using T = decltype(t);
        const T* gy = static_cast<const T*>(gyv);
        const T* x = static_cast<const T*>(xv);
        const T* w = static_cast<const T*>(wv);
        const T* mean = static_cast<const T*>(meanv);
        const T* rstd = static_cast<const T*>(rstdv);
        T* gx = static_cast<T*>(gxv);
        T* gw = static_cast<T*>(gwv);
        T* gb = static_cast<T*>(gbv);
        // Each block of rows sums its own share of gw and gb; the shares are added in
        // block order afterwards. About 64 blocks (enough to share evenly among 2 to 16
        // threads), of at least 16 rows (so the shares cost at most 1/8 of gx's memory).
        int64_t block_rows = std::max<int64_t>(16, (rows + 63) / 64);
        int64_t blocks = std::max<int64_t>((rows + block_rows - 1) / block_rows, 1);
        std::vector<T> partial(2 * blocks * cols, T(0));
        parallel_for(blocks, 1, [&](int64_t b0, int64_t b1) {
            for (int64_t b = b0; b < b1; ++b) {
                T* pw = partial.data() + 2 * b * cols;
                T* pb = pw + cols;
                for (int64_t r = b * block_rows; r < std::min(rows, (b + 1) * block_rows); ++r) {
                    const T* g = gy + r * cols;
                    const T* xr = x + r * cols;
                    T m = mean[r], rs = rstd[r];
                    // With n = (x - mean) * rstd and dn = gy * w:
                    //   dx = rstd * (dn - mean(dn) - n * mean(dn * n))
                    T sum_dn = 0, sum_dn_n = 0;
                    for (int64_t j = 0; j < cols; ++j) {
                        T n = (xr[j] - m) * rs;
                        T dn = w ? g[j] * w[j] : g[j];
                        sum_dn += dn;
                        sum_dn_n += dn * n;
                        pw[j] += g[j] * n;
                        pb[j] += g[j];
                    }
                    T mean_dn = sum_dn / T(cols), mean_dn_n = sum_dn_n / T(cols);
                    T* out = gx + r * cols;
                    for (int64_t j = 0; j < cols; ++j) {
                        T n = (xr[j] - m) * rs;
                        T dn = w ? g[j] * w[j] : g[j];
                        out[j] = rs * (dn - mean_dn - n * mean_dn_n);
                    }
                }
            }
        });
        for (int64_t b = 0; b < blocks; ++b)
            for (int64_t j = 0; j < cols; ++j) {
                if (gw) gw[j] += partial[2 * b * cols + j];
                if (gb) gb[j] += partial[(2 * b + 1) * cols + j];
            }
    });
}

}  // namespace aprender::cpu
