// reduce.cu — the launchers of reduce; the kernels, with their launch shape and napkin
// math, are in reduce_kernels.cuh.
#include "cuda/common.cuh"
#include "cuda/reduce_kernels.cuh"

#include <limits>

namespace aprender::cuda {

void reduce(ReduceOp op, const NdLayout<2>& kept, const NdLayout<1>& reduced, const void* xv, void* outv, DType dt,
            int num_sms) {
    bool sum = op == ReduceOp::sum;
    if (kept.numel == 0 || (sum && reduced.numel == 0)) return;
    ReduceShape shape = reduce_shape(sum, kept, reduced, num_sms);
    dispatch_all(dt, [&](auto t) {
        using T = decltype(t);
        const T* x = static_cast<const T*>(xv);
        T* out = static_cast<T*>(outv);
        T lowest = std::numeric_limits<T>::lowest();
        dim3 grid(shape.bx, shape.splits);
        if (shape.columns) {
            if (sum) reduce_columns<T, true><<<grid, dim3(32, 8)>>>(kept, reduced, x, out, lowest);
            else reduce_columns<T, false><<<grid, dim3(32, 8)>>>(kept, reduced, x, out, lowest);
        } else {
            if (sum) reduce_rows<T, true><<<grid, kThreads>>>(kept, reduced, x, out, lowest);
            else reduce_rows<T, false><<<grid, kThreads>>>(kept, reduced, x, out, lowest);
        }
    });
    check_launch(sum ? "reduce (sum) kernel" : "reduce (max) kernel");
}

}  // namespace aprender::cuda
