// cross_entropy.cu — fused softmax + negative log-likelihood per row, and its backward.
//
// Forward, launch shape: one block per row (grid-stride over rows), min(256, V) threads:
// a block max, a block sum of exp(x - max), then lse = max + log(sum) and
// loss = lse - x[target] (0 for ignore_index). The probabilities are never stored.
// A target outside [0, V) is recorded in the error word (common.cuh) and thrown by the
// host, at its next synchronisation, with the CPU's message; the backward never indexes
// with a target (it compares it with the column), so a bad one cannot write astray.
//
// Backward: one block per row, glogits = scale·(exp(x - lse) - onehot(target)), with
// lse saved by the forward, so the row is read once and written once.
//
// Napkin math: logits [B·T, V] = [8192, 50257] floats are 1.6 GB: the forward reads
// them once (~0.55 ms at 3 TB/s, the rows fit in L2 for the second pass), the backward
// reads and writes them once (~1.1 ms). llm.c fuses both into one kernel; we keep the
// backward separate because autograd calls it later.
#include "cuda/common.cuh"

namespace aprender::cuda {

namespace {

template <class T>
__global__ void cross_entropy_kernel(const T* logits, const int32_t* targets, int64_t rows, int64_t cols,
                                     int32_t ignore, T* loss, T* lse, unsigned long long* error) {
    __shared__ T scratch[32];
    for (int64_t r = blockIdx.x; r < rows; r += gridDim.x) {
        const T* x = logits + r * cols;
        T mx = -INFINITY;
        for (int64_t j = threadIdx.x; j < cols; j += blockDim.x) mx = max(mx, x[j]);
        mx = block_reduce(mx, scratch, MaxOp{}, T(-INFINITY));
        T s = 0;
        for (int64_t j = threadIdx.x; j < cols; j += blockDim.x) s += exp(x[j] - mx);
        s = block_reduce(s, scratch, SumOp{}, T(0));
        if (threadIdx.x == 0) {
            T l = mx + log(s);
            int32_t t = targets[r];
            bool bad = t != ignore && (t < 0 || t >= cols);
            if (bad) record_error(error, r, t);
            lse[r] = l;
            loss[r] = (t == ignore || bad) ? T(0) : l - x[t];
        }
    }
}

template <class T>
__global__ void cross_entropy_backward_kernel(const T* logits, const int32_t* targets, const T* lse, int64_t rows,
                                              int64_t cols, int32_t ignore, T scale, T* g) {
    for (int64_t r = blockIdx.x; r < rows; r += gridDim.x) {
        const T* x = logits + r * cols;
        T* gr = g + r * cols;
        int32_t t = targets[r];
        T l = lse[r];
        for (int64_t j = threadIdx.x; j < cols; j += blockDim.x) {
            if (t == ignore) {
                gr[j] = T(0);
                continue;
            }
            T v = scale * exp(x[j] - l);
            gr[j] = j == t ? v - scale : v;  // the CPU's order: write, then subtract at the target
        }
    }
}

inline int row_threads(int64_t cols) { return (int)std::min<int64_t>(256, std::max<int64_t>(32, (cols + 31) / 32 * 32)); }
inline unsigned row_blocks(int64_t rows) { return (unsigned)std::max<int64_t>(1, std::min<int64_t>(rows, 65536)); }

}  // namespace

void cross_entropy(const void* logits, const int32_t* targets, int64_t rows, int64_t cols, int32_t ignore,
                   void* loss, void* lse, DType dt, unsigned long long* error) {
    if (rows == 0) return;
    dispatch_float(dt, "cross_entropy", [&](auto t) {
        using T = decltype(t);
        cross_entropy_kernel<T><<<row_blocks(rows), row_threads(cols)>>>(static_cast<const T*>(logits), targets, rows,
                                                                         cols, ignore, static_cast<T*>(loss),
                                                                         static_cast<T*>(lse), error);
    });
    check_launch("cross_entropy kernel");
}

void cross_entropy_backward(const void* logits, const int32_t* targets, const void* lse, int64_t rows, int64_t cols,
                            int32_t ignore, double scale, void* glogits, DType dt) {
    if (rows == 0 || cols == 0) return;
    dispatch_float(dt, "cross_entropy backward", [&](auto t) {
        using T = decltype(t);
        cross_entropy_backward_kernel<T><<<row_blocks(rows), row_threads(cols)>>>(
            static_cast<const T*>(logits), targets, static_cast<const T*>(lse), rows, cols, ignore, T(scale),
            static_cast<T*>(glogits));
    });
    check_launch("cross_entropy backward kernel");
}

}  // namespace aprender::cuda
