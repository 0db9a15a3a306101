// common.cuh — what every kernel file shares: launch sizes, n-d offsets and the error
// word (grid.cuh), block-wide reductions and the row kernels' launch shape (block.cuh) —
// both of which g++ can compile too — and dtype dispatch. Included by the .cu files.
#pragma once

#include "cuda/block.cuh"
#include "cuda/grid.cuh"
#include "cuda/kernels.h"

#include <cuda_runtime.h>

#include <algorithm>
#include <cstdint>

namespace aprender::cuda {

// Call f with a value of the C++ type for dt; `kernel` names the caller in the error.
template <class F>
void dispatch_all(DType dt, F&& f) {
    switch (dt) {
        case DType::f32: f(float{}); return;
        case DType::f64: f(double{}); return;
        case DType::i32: f(int32_t{}); return;
    }
}
template <class F>
void dispatch_float(DType dt, const char* kernel, F&& f) {
    switch (dt) {
        case DType::f32: f(float{}); return;
        case DType::f64: f(double{}); return;
        default: fail(std::string(kernel) + ": needs float32 or float64, got " + dtype_name(dt));
    }
}

}  // namespace aprender::cuda
