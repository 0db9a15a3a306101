// kernels.h — what the CUDA kernel files (*.cu) offer the backend (cuda_backend.cpp).
//
// The split: cuda_backend.cpp is plain C++ (compiled by g++) and knows tensors, errors and
// cuBLAS; each .cu file (compiled by nvcc) holds one family of kernels and a host
// function that launches them. The launchers take raw device pointers and an
// `NdLayout` — shapes and strides copied into a fixed-size struct, so that a kernel
// receives them by value as a kernel argument (no extra copy to the device).
#pragma once

#include "autograd/backend.h"
#include "cuda/layout.h"

#include <cuda_runtime_api.h>

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace aprender::cuda {

// fail(), NdLayout, make_layout, the layouts of the strided kernels and kNoError: layout.h.

// ---- errors: implemented in cuda_backend.cpp, where TensorError is known ------------------
// Throws "cuda: <what> failed: <CUDA's own message>" when err is not cudaSuccess.
void check(cudaError_t err, const char* what);
// After every launch: a bad configuration shows up at once in cudaGetLastError.
// (An error *inside* the kernel appears at the next synchronising call, which names itself.)
inline void check_launch(const char* kernel) { check(cudaGetLastError(), kernel); }

// ---- launchers (one .cu file per family) --------------------------------------------------
// elementwise.cu
void fill(void* dst, int64_t n, double value, DType dt);
void copy(const NdLayout<2>& L, const void* src, DType sdt, void* dst, DType ddt);
void unary(UnaryOp op, const void* x, void* y, int64_t n, double a, double b, DType dt);
void unary_backward(UnaryOp op, const void* x, const void* y, const void* gy, void* gx, int64_t n, double a, double b,
                    DType dt);
void binary(BinaryOp op, const NdLayout<3>& L, const void* a, const void* b, void* out, DType dt);
void where(const NdLayout<4>& L, const void* cond, DType cdt, const void* a, const void* b, void* out, DType dt);
// random.cu
void fill_uniform(void* dst, int64_t n, double lo, double hi, uint64_t seed, uint64_t offset, DType dt);
void fill_normal(void* dst, int64_t n, double mean, double std, uint64_t seed, uint64_t offset, DType dt);
// reduce.cu: x walked over kept axes (K, with out's strides) and reduced axes (R)
void reduce(ReduceOp op, const NdLayout<2>& kept, const NdLayout<1>& reduced, const void* x, void* out, DType dt,
            int num_sms);
// softmax.cu
void softmax(const void* x, void* y, int64_t rows, int64_t cols, bool log, bool causal, DType dt);
void softmax_backward(const void* y, const void* gy, void* gx, int64_t rows, int64_t cols, bool log, DType dt);
// layernorm.cu
void layernorm(const void* x, const void* w, const void* b, void* y, void* mean, void* rstd, int64_t rows,
               int64_t cols, double eps, DType dt);
void layernorm_backward(const void* gy, const void* x, const void* w, const void* mean, const void* rstd, void* gx,
                        void* gw, void* gb, int64_t rows, int64_t cols, DType dt, int num_sms);
// embedding.cu
void embedding(const int32_t* ids, int64_t n, const void* table, int64_t rows, int64_t cols, void* out, DType dt,
               unsigned long long* error);
void embedding_backward(const int32_t* ids, int64_t n, const void* gout, int64_t rows, int64_t cols, void* gtable,
                        DType dt);
// cross_entropy.cu
void cross_entropy(const void* logits, const int32_t* targets, int64_t rows, int64_t cols, int32_t ignore,
                   void* loss, void* lse, DType dt, unsigned long long* error);
void cross_entropy_backward(const void* logits, const int32_t* targets, const void* lse, int64_t rows, int64_t cols,
                            int32_t ignore, double scale, void* glogits, DType dt);
// gather.cu: operands 0 = x (dim stride zeroed), 1 = index, 2 = out (gather) / gout (scatter)
void gather(const NdLayout<3>& L, const void* x, int64_t dim_stride, int64_t dim_size, const int32_t* index,
            void* out, DType dt, unsigned long long* error);
void scatter_add(const NdLayout<3>& L, void* gx, int64_t dim_stride, int64_t dim_size, const int32_t* index,
                 const void* gout, DType dt, unsigned long long* error);
// adamw.cu
void adamw(void* p, const void* g, void* m, void* v, int64_t n, const Backend::AdamW& h, DType dt);
// every tensor of an optimizer step, kAdamWChunk to a launch
void adamw_many(const std::vector<Backend::AdamWTensor>& tensors, DType dt);

}  // namespace aprender::cuda
