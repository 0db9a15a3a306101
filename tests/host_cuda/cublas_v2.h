// cublas_v2.h (host) — the two cuBLAS calls of aprender's CUDA backend (strided-batched
// gemm in float32 and float64), implemented with the CPU's BLAS in column-major order,
// which is cuBLAS's own convention. So the backend's "swap trick" (cuda_backend.cpp: a
// row-major product handed to a column-major library as B first, then A) is checked for
// real on every build: a wrong flag, leading dimension or batch stride gives wrong
// numbers in the tests instead of a GPU run later.
//
// Like cuBLAS it rejects arguments that break the documented rules (m, n, k, batch < 0;
// lda < rows of A as stored; ...) with CUBLAS_STATUS_INVALID_VALUE. Unlike cuBLAS it
// also checks that every matrix of the batch lies inside one cudaMalloc block (cuBLAS
// would read or write out of bounds), printing what overran to stderr.
// TF32 math mode is accepted and remembered, but products stay full float32 here.
// The enum values are cuBLAS's own.
#pragma once

#include "cuda_runtime_api.h"

enum cublasStatus_t {
    CUBLAS_STATUS_SUCCESS = 0,
    CUBLAS_STATUS_NOT_INITIALIZED = 1,
    CUBLAS_STATUS_ALLOC_FAILED = 3,
    CUBLAS_STATUS_INVALID_VALUE = 7,
    CUBLAS_STATUS_EXECUTION_FAILED = 13,
    CUBLAS_STATUS_NOT_SUPPORTED = 15,
};
enum cublasOperation_t { CUBLAS_OP_N = 0, CUBLAS_OP_T = 1, CUBLAS_OP_C = 2 };
enum cublasMath_t {
    CUBLAS_DEFAULT_MATH = 0,
    CUBLAS_TENSOR_OP_MATH = 1,
    CUBLAS_PEDANTIC_MATH = 2,
    CUBLAS_TF32_TENSOR_OP_MATH = 3,
};

struct cublasContext;
using cublasHandle_t = cublasContext*;

extern "C" {
cublasStatus_t cublasCreate(cublasHandle_t* handle);
cublasStatus_t cublasDestroy(cublasHandle_t handle);
cublasStatus_t cublasSetMathMode(cublasHandle_t handle, cublasMath_t mode);
cublasStatus_t cublasSetWorkspace(cublasHandle_t handle, void* workspace, size_t workspaceSizeInBytes);
const char* cublasGetStatusString(cublasStatus_t status);
cublasStatus_t cublasSgemmStridedBatched(cublasHandle_t handle, cublasOperation_t transa, cublasOperation_t transb,
                                         int m, int n, int k, const float* alpha, const float* A, int lda,
                                         long long strideA, const float* B, int ldb, long long strideB,
                                         const float* beta, float* C, int ldc, long long strideC, int batchCount);
cublasStatus_t cublasDgemmStridedBatched(cublasHandle_t handle, cublasOperation_t transa, cublasOperation_t transb,
                                         int m, int n, int k, const double* alpha, const double* A, int lda,
                                         long long strideA, const double* B, int ldb, long long strideB,
                                         const double* beta, double* C, int ldc, long long strideC, int batchCount);
}
