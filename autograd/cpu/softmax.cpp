// softmax.cpp — softmax and log_softmax along the rows of a [rows, cols] buffer
// (optionally causal), and their backward. (cuda/softmax_kernels.cuh is the GPU's version.)
//
// Work split: blocks of whole rows (parallel_rows, loops.h), each row done by one
// thread from start to end: its max, exp(x - max) written and summed, then scaled by
// 1 / sum (log: x - logsumexp written instead). The row is read more than once, but a
// row of a few thousand floats stays in L1/L2. Causal: row r of each [T, T] block
// sees columns j <= r % T; the rest are written as 0 (log: -inf).
//
// Napkin math: one exp per element dominates; bench/micro measured ~11 GB/s for
// softmax of float32 rows (bench/RESULTS.md, 2 threads), well under what memory allows:
// the exp (fastmath::exp, vectorisable) is the cost.
#include "autograd/cpu/cpu_backend.h"
#include "autograd/cpu/loops.h"

#include "autograd/fastmath.h"

#include <cmath>
#include <limits>

namespace aprender::cpu {

void CpuBackend::softmax(const void* xv, void* yv, int64_t rows, int64_t cols, bool log, bool causal, DType dt) {
    dispatch_float(dt, "softmax", [&](auto t) {
        using T = decltype(t);
        const T* x = static_cast<const T*>(xv);
        T* y = static_cast<T*>(yv);
        parallel_rows(rows, cols, [&](int64_t r0, int64_t r1) {
        for (int64_t r = r0; r < r1; ++r) {
            const T* xr = x + r * cols;
            T* yr = y + r * cols;
            int64_t visible = causal ? (r % cols) + 1 : cols;  // causal: a [T, T] block per (b, h)
            T mx = xr[0];
            for (int64_t j = 1; j < visible; ++j) mx = std::max(mx, xr[j]);
            T sum = 0;
            for (int64_t j = 0; j < visible; ++j) {
                T e = fastmath::exp(xr[j] - mx);
                yr[j] = e;
                sum += e;
            }
            if (log) {
                T lse = mx + std::log(sum);
                for (int64_t j = 0; j < visible; ++j) yr[j] = xr[j] - lse;
                for (int64_t j = visible; j < cols; ++j) yr[j] = -std::numeric_limits<T>::infinity();
            } else {
                T inv = T(1) / sum;
                for (int64_t j = 0; j < visible; ++j) yr[j] *= inv;
                for (int64_t j = visible; j < cols; ++j) yr[j] = T(0);
            }
        }
        });
    });
}

void CpuBackend::softmax_backward(const void* yv, const void* gyv, void* gxv, int64_t rows, int64_t cols, bool log,
                                  DType dt) {
    dispatch_float(dt, "softmax backward", [&](auto t) {
        using T = decltype(t);
        const T* y = static_cast<const T*>(yv);
        const T* gy = static_cast<const T*>(gyv);
        T* gx = static_cast<T*>(gxv);
        parallel_rows(rows, cols, [&](int64_t r0, int64_t r1) {
        for (int64_t r = r0; r < r1; ++r) {
            const T* yr = y + r * cols;
            const T* gr = gy + r * cols;
            T* out = gx + r * cols;
            if (log) {  // y = x - lse:  gx = gy - softmax(x) * sum(gy)
                T s = 0;
                for (int64_t j = 0; j < cols; ++j) s += gr[j];
                for (int64_t j = 0; j < cols; ++j) out[j] = gr[j] - fastmath::exp(yr[j]) * s;
            } else {    // gx = y * (gy - sum(gy * y))
                T dot = 0;
                for (int64_t j = 0; j < cols; ++j) dot += gr[j] * yr[j];
                for (int64_t j = 0; j < cols; ++j) out[j] = yr[j] * (gr[j] - dot);
            }
        }
        });
    });
}

}  // namespace aprender::cpu
