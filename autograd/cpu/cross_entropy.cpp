// cross_entropy.cpp — per row, loss = logsumexp(logits) - logits[target] (0 where the
// target is ignore_index), saving logsumexp for the backward, which writes
// scale·(softmax(logits) - onehot(target)). (cuda/cross_entropy_kernels.cuh is the
// GPU's version.)
//
// Fused: the softmax is never stored; the backward recomputes it from the saved
// logsumexp. Targets are checked first, so an out-of-range one is an error naming it.
// Work split: blocks of whole rows (parallel_rows, loops.h).
//
// Napkin math: the logits of a language model are the big tensor here: [B·T, V] =
// [8·1024, 50257] float32 is 1.6 GB, read twice forward (max, then sum of exp) and
// once backward, where the gradient of the same size is written: an exp per element
// each way. A row (50257 floats, 200 KB) stays in L2 between its passes.
#include "autograd/cpu/cpu_backend.h"
#include "autograd/cpu/loops.h"

#include "autograd/fastmath.h"

#include <algorithm>
#include <cmath>

namespace aprender::cpu {

void CpuBackend::cross_entropy(const void* lv, const int32_t* targets, int64_t rows, int64_t cols, int32_t ignore,
                               void* lossv, void* lsev, DType dt) {
    for (int64_t r = 0; r < rows; ++r)
        if (targets[r] != ignore && (targets[r] < 0 || targets[r] >= cols))
            throw TensorError(fmt::format("cross_entropy: target {} at row {} is out of range for {} classes",
                                          targets[r], r, cols));
    dispatch_float(dt, "cross_entropy", [&](auto t) {
        using T = decltype(t);
        const T* logits = static_cast<const T*>(lv);
        T* loss = static_cast<T*>(lossv);
        T* lse = static_cast<T*>(lsev);
        parallel_rows(rows, cols, [&](int64_t r0, int64_t r1) {
        for (int64_t r = r0; r < r1; ++r) {
            const T* x = logits + r * cols;
            T mx = *std::max_element(x, x + cols);
            T s = 0;
            for (int64_t j = 0; j < cols; ++j) s += fastmath::exp(x[j] - mx);
            lse[r] = mx + std::log(s);
            loss[r] = targets[r] == ignore ? T(0) : lse[r] - x[targets[r]];
        }
        });
    });
}

void CpuBackend::cross_entropy_backward(const void* lv, const int32_t* targets, const void* lsev, int64_t rows,
                                        int64_t cols, int32_t ignore, double scale, void* gv, DType dt) {
    dispatch_float(dt, "cross_entropy backward", [&](auto t) {
        using T = decltype(t);
        const T* logits = static_cast<const T*>(lv);
        const T* lse = static_cast<const T*>(lsev);
        T* g = static_cast<T*>(gv);
        parallel_rows(rows, cols, [&](int64_t r0, int64_t r1) {
        for (int64_t r = r0; r < r1; ++r) {
            T* gr = g + r * cols;
            if (targets[r] == ignore) {
                std::fill_n(gr, cols, T(0));
                continue;
            }
            const T* x = logits + r * cols;
            for (int64_t j = 0; j < cols; ++j) gr[j] = T(scale) * fastmath::exp(x[j] - lse[r]);
            gr[targets[r]] -= T(scale);
        }
        });
    });
}

}  // namespace aprender::cpu
