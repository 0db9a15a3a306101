// host_cuda.cpp — the CUDA runtime, cuBLAS and cuBLASLt calls of cuda_runtime_api.h,
// cublas_v2.h and cublasLt.h, on the CPU: memory is host memory, copies are memcpy, gemm
// is the CPU's BLAS. Built into
// libaprender_cuda_host.so with the real cuda_backend.cpp and cuda/*.cu (see the Makefile),
// and opened by the registry when APRENDER_EMULATE_GPU=kernels.
#include "cublasLt.h"
#include "cublas_v2.h"
#include "cuda_runtime.h"

#include <cblas.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <mutex>
#include <string>

namespace {

// ---- errors -----------------------------------------------------------------------------
// The last error (cudaGetLastError returns and clears it) and the sticky one (a failed
// kernel: returned by every call from then on, as a CUDA context is lost after a fault).
std::mutex g_mutex;
cudaError_t g_last = cudaSuccess;
cudaError_t g_sticky = cudaSuccess;

cudaError_t record(cudaError_t err) {
    if (err != cudaSuccess) g_last = err;
    return err;
}

// Every call starts here: a lost context answers the sticky error.
bool context_lost(cudaError_t* out) {
    if (g_sticky == cudaSuccess) return false;
    *out = g_sticky;
    return true;
}

// ---- device memory: the live cudaMalloc blocks, by address ------------------------------
std::map<uintptr_t, size_t> g_blocks;

// The block that holds [p, p + n), or none.
bool in_one_block(const void* p, size_t n) {
    uintptr_t a = reinterpret_cast<uintptr_t>(p);
    auto it = g_blocks.upper_bound(a);
    if (it == g_blocks.begin()) return false;
    --it;
    return a >= it->first && a - it->first <= it->second && n <= it->second - (a - it->first);
}
bool is_device(const void* p) { return in_one_block(p, 0) && reinterpret_cast<uintptr_t>(p) != 0; }

cudaError_t invalid(const std::string& what) {
    std::fprintf(stderr, "host CUDA: %s\n", what.c_str());
    return record(cudaErrorInvalidValue);
}

std::string hex(const void* p) {
    char s[32];
    std::snprintf(s, sizeof s, "%p", p);
    return s;
}

// A device range [p, p + n) for `what`: it must lie inside one live block.
bool check_device_range(const void* p, size_t n, const std::string& what, cudaError_t* err) {
    if (in_one_block(p, n)) return true;
    *err = invalid(what + ": " + std::to_string(n) + " bytes at " + hex(p) +
                   (is_device(p) ? " run past the end of their cudaMalloc block" : " are not device memory"));
    return false;
}
bool check_host_range(const void* p, size_t n, const std::string& what, cudaError_t* err) {
    if (n == 0 || !is_device(p)) return true;
    *err = invalid(what + ": " + hex(p) + " is device memory where a host pointer belongs");
    return false;
}

}  // namespace

// ---- the runtime ------------------------------------------------------------------------

cudaError_t cudaGetDeviceCount(int* count) {
    *count = 1;
    return cudaSuccess;
}
cudaError_t cudaSetDevice(int device) { return device == 0 ? cudaSuccess : record(cudaErrorInvalidValue); }

cudaError_t cudaGetDeviceProperties(cudaDeviceProp* prop, int device) {
    if (device != 0) return record(cudaErrorInvalidValue);
    *prop = {};
    std::snprintf(prop->name, sizeof prop->name, "the CPU (host CUDA, for tests)");
    prop->totalGlobalMem = size_t(1) << 32;
    // Few "SMs", so the kernels that split a reduction over several blocks (reduce,
    // layernorm's weight gradients) take that path even on the tests' small tensors.
    prop->multiProcessorCount = 3;
    prop->maxThreadsPerBlock = 1024;
    prop->warpSize = 32;
    prop->major = 9;
    return cudaSuccess;
}

cudaError_t cudaGetLastError() {
    std::lock_guard<std::mutex> l(g_mutex);
    cudaError_t e = g_sticky != cudaSuccess ? g_sticky : g_last;
    g_last = cudaSuccess;
    return e;
}
cudaError_t cudaPeekAtLastError() {
    std::lock_guard<std::mutex> l(g_mutex);
    return g_sticky != cudaSuccess ? g_sticky : g_last;
}

const char* cudaGetErrorName(cudaError_t err) {
    switch (err) {
        case cudaSuccess: return "cudaSuccess";
        case cudaErrorInvalidValue: return "cudaErrorInvalidValue";
        case cudaErrorMemoryAllocation: return "cudaErrorMemoryAllocation";
        case cudaErrorInvalidConfiguration: return "cudaErrorInvalidConfiguration";
        case cudaErrorInvalidDevicePointer: return "cudaErrorInvalidDevicePointer";
        case cudaErrorNoDevice: return "cudaErrorNoDevice";
        case cudaErrorIllegalAddress: return "cudaErrorIllegalAddress";
        case cudaErrorLaunchFailure: return "cudaErrorLaunchFailure";
    }
    return "cudaErrorUnknown";
}
const char* cudaGetErrorString(cudaError_t err) {
    switch (err) {
        case cudaSuccess: return "no error";
        case cudaErrorInvalidValue: return "invalid argument";
        case cudaErrorMemoryAllocation: return "out of memory";
        case cudaErrorInvalidConfiguration: return "invalid configuration argument";
        case cudaErrorInvalidDevicePointer: return "invalid device pointer";
        case cudaErrorNoDevice: return "no CUDA-capable device is detected";
        case cudaErrorIllegalAddress: return "an illegal memory access was encountered";
        case cudaErrorLaunchFailure: return "unspecified launch failure";
    }
    return "unknown error";
}

cudaError_t cudaMalloc(void** ptr, size_t size) {
    std::lock_guard<std::mutex> l(g_mutex);
    cudaError_t err;
    if (context_lost(&err)) return err;
    // 256-byte alignment, as cudaMalloc promises; the size stays exact, so a sanitizer
    // build (make sanitize) catches a kernel that reads or writes past the block's end.
    void* p = nullptr;
    if (posix_memalign(&p, 256, std::max<size_t>(size, 1)) != 0) return record(cudaErrorMemoryAllocation);
    std::memset(p, 0xFF, size);
    g_blocks[reinterpret_cast<uintptr_t>(p)] = size;
    *ptr = p;
    return cudaSuccess;
}

cudaError_t cudaFree(void* ptr) {
    std::lock_guard<std::mutex> l(g_mutex);
    cudaError_t err;
    if (context_lost(&err)) return err;
    if (!ptr) return cudaSuccess;
    auto it = g_blocks.find(reinterpret_cast<uintptr_t>(ptr));
    if (it == g_blocks.end()) {
        std::fprintf(stderr, "host CUDA: cudaFree(%p): not the start of a live cudaMalloc block\n", ptr);
        return record(cudaErrorInvalidDevicePointer);
    }
    g_blocks.erase(it);
    std::free(ptr);
    return cudaSuccess;
}

cudaError_t cudaMemcpy(void* dst, const void* src, size_t count, cudaMemcpyKind kind) {
    std::lock_guard<std::mutex> l(g_mutex);
    cudaError_t err = cudaSuccess;
    if (context_lost(&err)) return err;
    bool dst_device = kind == cudaMemcpyHostToDevice || kind == cudaMemcpyDeviceToDevice;
    bool src_device = kind == cudaMemcpyDeviceToHost || kind == cudaMemcpyDeviceToDevice;
    if (kind != cudaMemcpyHostToDevice && kind != cudaMemcpyDeviceToHost && kind != cudaMemcpyDeviceToDevice)
        return invalid("cudaMemcpy: the backend names the direction of every copy; got kind " + std::to_string(kind));
    const char* name = kind == cudaMemcpyHostToDevice   ? "cudaMemcpy (host to device)"
                       : kind == cudaMemcpyDeviceToHost ? "cudaMemcpy (device to host)"
                                                        : "cudaMemcpy (device to device)";
    if (!(dst_device ? check_device_range(dst, count, std::string(name) + " destination", &err)
                     : check_host_range(dst, count, std::string(name) + " destination", &err)))
        return err;
    if (!(src_device ? check_device_range(src, count, std::string(name) + " source", &err)
                     : check_host_range(src, count, std::string(name) + " source", &err)))
        return err;
    if (count) std::memmove(dst, src, count);
    return cudaSuccess;
}

cudaError_t cudaMemcpyAsync(void* dst, const void* src, size_t count, cudaMemcpyKind kind, cudaStream_t) {
    return cudaMemcpy(dst, src, count, kind);  // the default stream is this thread
}

cudaError_t cudaMemsetAsync(void* ptr, int value, size_t count, cudaStream_t) {
    std::lock_guard<std::mutex> l(g_mutex);
    cudaError_t err = cudaSuccess;
    if (context_lost(&err)) return err;
    if (!check_device_range(ptr, count, "cudaMemsetAsync", &err)) return err;
    std::memset(ptr, value, count);
    return cudaSuccess;
}

cudaError_t cudaDeviceSynchronize() {
    std::lock_guard<std::mutex> l(g_mutex);
    cudaError_t err = cudaSuccess;
    context_lost(&err);
    return err;
}

// ---- launches -----------------------------------------------------------------------------

bool host_cuda::accept_launch(const LaunchConfig& c) {
    std::lock_guard<std::mutex> l(g_mutex);
    if (g_sticky != cudaSuccess) return false;  // a lost context runs nothing
    const dim3 &g = c.grid, &b = c.block;
    bool ok = g.x >= 1 && g.y >= 1 && g.z >= 1 && b.x >= 1 && b.y >= 1 && b.z >= 1 && g.x <= 2147483647u &&
              g.y <= 65535 && g.z <= 65535 && b.x <= 1024 && b.y <= 1024 && b.z <= 64 &&
              uint64_t(b.x) * b.y * b.z <= 1024;
    if (!ok) {
        std::fprintf(stderr, "host CUDA: launch of grid (%u, %u, %u), block (%u, %u, %u): no GPU runs that shape\n", g.x,
                     g.y, g.z, b.x, b.y, b.z);
        g_last = cudaErrorInvalidConfiguration;
        return false;
    }
    if (c.shared_bytes != 0) {
        std::fprintf(stderr, "host CUDA: dynamic shared memory is not supported by the host runtime\n");
        g_last = cudaErrorInvalidConfiguration;
        return false;
    }
    return true;
}

void host_cuda::launch_failed(const std::string& why) {
    std::lock_guard<std::mutex> l(g_mutex);
    std::fprintf(stderr, "host CUDA: a kernel failed: %s\n", why.c_str());
    g_sticky = g_last = cudaErrorLaunchFailure;
}

// ---- cuBLAS -------------------------------------------------------------------------------

struct cublasContext {
    cublasMath_t mode = CUBLAS_DEFAULT_MATH;
};

cublasStatus_t cublasCreate(cublasHandle_t* handle) {
    *handle = new cublasContext();
    return CUBLAS_STATUS_SUCCESS;
}
cublasStatus_t cublasDestroy(cublasHandle_t handle) {
    if (!handle) return CUBLAS_STATUS_NOT_INITIALIZED;
    delete handle;
    return CUBLAS_STATUS_SUCCESS;
}
cublasStatus_t cublasSetMathMode(cublasHandle_t handle, cublasMath_t mode) {
    if (!handle) return CUBLAS_STATUS_NOT_INITIALIZED;
    handle->mode = mode;
    return CUBLAS_STATUS_SUCCESS;
}
cublasStatus_t cublasSetWorkspace(cublasHandle_t handle, void*, size_t) {  // the host gemm needs none
    return handle ? CUBLAS_STATUS_SUCCESS : CUBLAS_STATUS_NOT_INITIALIZED;
}
const char* cublasGetStatusString(cublasStatus_t status) {
    switch (status) {
        case CUBLAS_STATUS_SUCCESS: return "the operation completed successfully";
        case CUBLAS_STATUS_NOT_INITIALIZED: return "the library was not initialized";
        case CUBLAS_STATUS_ALLOC_FAILED: return "the resource allocation failed";
        case CUBLAS_STATUS_INVALID_VALUE: return "an invalid numeric value was used as an argument";
        case CUBLAS_STATUS_EXECUTION_FAILED: return "the GPU program failed to execute";
        case CUBLAS_STATUS_NOT_SUPPORTED: return "the functionality requested is not supported";
    }
    return "unknown status";
}

namespace {

CBLAS_TRANSPOSE blas_op(cublasOperation_t op) { return op == CUBLAS_OP_N ? CblasNoTrans : CblasTrans; }

// Column-major, as cuBLAS: a stored matrix of `rows` × `cols` with leading dimension ld
// (≥ rows), matrix i of the batch at p + i·stride. Its last element must be inside p's block.
template <class T>
bool batch_in_bounds(const T* p, long long rows, long long cols, int ld, long long stride, int batch, const char* name) {
    if (rows == 0 || cols == 0 || batch == 0) return true;
    long long last = (long long)(batch - 1) * stride + (cols - 1) * ld + rows - 1;
    if (stride < 0 || in_one_block(p, size_t(last + 1) * sizeof(T))) return true;
    std::fprintf(stderr,
                 "host cuBLAS: gemm's %s (%lld x %lld stored, ld %d, stride %lld, batch %d) reaches element %lld, "
                 "past its cudaMalloc block at %p\n",
                 name, rows, cols, ld, stride, batch, last, (const void*)p);
    return false;
}

template <class T, class Gemm>
cublasStatus_t gemm_strided_batched(cublasHandle_t handle, cublasOperation_t ta, cublasOperation_t tb, int m, int n,
                                    int k, const T* alpha, const T* A, int lda, long long sA, const T* B, int ldb,
                                    long long sB, const T* beta, T* C, int ldc, long long sC, int batch, Gemm gemm) {
    if (!handle) return CUBLAS_STATUS_NOT_INITIALIZED;
    // cuBLAS's rules: sizes ≥ 0, each leading dimension ≥ the rows of the matrix as stored.
    long long a_rows = ta == CUBLAS_OP_N ? m : k, a_cols = ta == CUBLAS_OP_N ? k : m;
    long long b_rows = tb == CUBLAS_OP_N ? k : n, b_cols = tb == CUBLAS_OP_N ? n : k;
    if (m < 0 || n < 0 || k < 0 || batch < 0 || lda < std::max<long long>(1, a_rows) ||
        ldb < std::max<long long>(1, b_rows) || ldc < std::max(1, m)) {
        std::fprintf(stderr, "host cuBLAS: gemm m %d n %d k %d lda %d ldb %d ldc %d batch %d breaks cuBLAS's rules\n", m,
                     n, k, lda, ldb, ldc, batch);
        return CUBLAS_STATUS_INVALID_VALUE;
    }
    {
        std::lock_guard<std::mutex> l(g_mutex);
        if (g_sticky != cudaSuccess) return CUBLAS_STATUS_EXECUTION_FAILED;
        bool k_used = k > 0 && *alpha != T(0);
        if ((k_used && (!batch_in_bounds(A, a_rows, a_cols, lda, sA, batch, "A") ||
                        !batch_in_bounds(B, b_rows, b_cols, ldb, sB, batch, "B"))) ||
            !batch_in_bounds(C, m, n, ldc, sC, batch, "C"))
            return CUBLAS_STATUS_INVALID_VALUE;
    }
    if (m == 0 || n == 0) return CUBLAS_STATUS_SUCCESS;
    for (int i = 0; i < batch; ++i)
        gemm(CblasColMajor, blas_op(ta), blas_op(tb), m, n, k, *alpha, A + i * sA, lda, B + i * sB, ldb, *beta,
             C + i * sC, ldc);
    return CUBLAS_STATUS_SUCCESS;
}

}  // namespace

cublasStatus_t cublasSgemmStridedBatched(cublasHandle_t handle, cublasOperation_t transa, cublasOperation_t transb,
                                         int m, int n, int k, const float* alpha, const float* A, int lda,
                                         long long strideA, const float* B, int ldb, long long strideB,
                                         const float* beta, float* C, int ldc, long long strideC, int batchCount) {
    return gemm_strided_batched(handle, transa, transb, m, n, k, alpha, A, lda, strideA, B, ldb, strideB, beta, C, ldc,
                                strideC, batchCount, cblas_sgemm);
}
cublasStatus_t cublasDgemmStridedBatched(cublasHandle_t handle, cublasOperation_t transa, cublasOperation_t transb,
                                         int m, int n, int k, const double* alpha, const double* A, int lda,
                                         long long strideA, const double* B, int ldb, long long strideB,
                                         const double* beta, double* C, int ldc, long long strideC, int batchCount) {
    return gemm_strided_batched(handle, transa, transb, m, n, k, alpha, A, lda, strideA, B, ldb, strideB, beta, C, ldc,
                                strideC, batchCount, cblas_dgemm);
}

// ---- cuBLASLt: a float32 product with a bias in the epilogue -------------------------------

struct cublasLtContext {};
struct cublasLtMatmulDescOpaque {
    cublasComputeType_t compute;
    cublasOperation_t transa = CUBLAS_OP_N, transb = CUBLAS_OP_N;
    cublasLtEpilogue_t epilogue = CUBLASLT_EPILOGUE_DEFAULT;
    const float* bias = nullptr;
};
struct cublasLtMatrixLayoutOpaque {
    cudaDataType_t type;
    uint64_t rows, cols;
    int64_t ld;
};
struct cublasLtMatmulPreferenceOpaque {};

cublasStatus_t cublasLtCreate(cublasLtHandle_t* handle) {
    *handle = new cublasLtContext();
    return CUBLAS_STATUS_SUCCESS;
}
cublasStatus_t cublasLtMatmulDescCreate(cublasLtMatmulDesc_t* desc, cublasComputeType_t compute, cudaDataType_t scale) {
    if (scale != CUDA_R_32F || (compute != CUBLAS_COMPUTE_32F && compute != CUBLAS_COMPUTE_32F_FAST_TF32))
        return CUBLAS_STATUS_NOT_SUPPORTED;  // (this stand-in's limit: float32 only)
    *desc = new cublasLtMatmulDescOpaque{compute};
    return CUBLAS_STATUS_SUCCESS;
}
cublasStatus_t cublasLtMatmulDescDestroy(cublasLtMatmulDesc_t desc) {
    delete desc;
    return CUBLAS_STATUS_SUCCESS;
}
cublasStatus_t cublasLtMatmulDescSetAttribute(cublasLtMatmulDesc_t desc, cublasLtMatmulDescAttributes_t attr,
                                              const void* buf, size_t size) {
    auto take = [&](auto& field) {
        if (size != sizeof(field)) return CUBLAS_STATUS_INVALID_VALUE;
        std::memcpy(&field, buf, size);
        return CUBLAS_STATUS_SUCCESS;
    };
    switch (attr) {
        case CUBLASLT_MATMUL_DESC_TRANSA: return take(desc->transa);
        case CUBLASLT_MATMUL_DESC_TRANSB: return take(desc->transb);
        case CUBLASLT_MATMUL_DESC_EPILOGUE: return take(desc->epilogue);
        case CUBLASLT_MATMUL_DESC_BIAS_POINTER: return take(desc->bias);
    }
    return CUBLAS_STATUS_INVALID_VALUE;
}
cublasStatus_t cublasLtMatrixLayoutCreate(cublasLtMatrixLayout_t* layout, cudaDataType_t type, uint64_t rows,
                                          uint64_t cols, int64_t ld) {
    if (ld < (int64_t)std::max<uint64_t>(1, rows)) {
        std::fprintf(stderr, "host cuBLASLt: a layout of %llu x %llu with ld %lld breaks cuBLASLt's rules\n",
                     (unsigned long long)rows, (unsigned long long)cols, (long long)ld);
        return CUBLAS_STATUS_INVALID_VALUE;
    }
    *layout = new cublasLtMatrixLayoutOpaque{type, rows, cols, ld};
    return CUBLAS_STATUS_SUCCESS;
}
cublasStatus_t cublasLtMatrixLayoutDestroy(cublasLtMatrixLayout_t layout) {
    delete layout;
    return CUBLAS_STATUS_SUCCESS;
}
cublasStatus_t cublasLtMatmulPreferenceCreate(cublasLtMatmulPreference_t* pref) {
    *pref = new cublasLtMatmulPreferenceOpaque();
    return CUBLAS_STATUS_SUCCESS;
}
cublasStatus_t cublasLtMatmulPreferenceDestroy(cublasLtMatmulPreference_t pref) {
    delete pref;
    return CUBLAS_STATUS_SUCCESS;
}
cublasStatus_t cublasLtMatmulPreferenceSetAttribute(cublasLtMatmulPreference_t, cublasLtMatmulPreferenceAttributes_t,
                                                    const void*, size_t) {
    return CUBLAS_STATUS_SUCCESS;  // the host product needs no workspace and no alignment
}

namespace {

// op(A) is m x k, op(B) k x n, C = D m x n, all float32; the sizes must agree.
bool lt_shapes(const cublasLtMatmulDescOpaque& d, const cublasLtMatrixLayoutOpaque& a,
               const cublasLtMatrixLayoutOpaque& b, const cublasLtMatrixLayoutOpaque& c, uint64_t* m, uint64_t* n,
               uint64_t* k) {
    uint64_t am = d.transa == CUBLAS_OP_N ? a.rows : a.cols, ak = d.transa == CUBLAS_OP_N ? a.cols : a.rows;
    uint64_t bk = d.transb == CUBLAS_OP_N ? b.rows : b.cols, bn = d.transb == CUBLAS_OP_N ? b.cols : b.rows;
    *m = am, *n = bn, *k = ak;
    if (a.type == CUDA_R_32F && b.type == CUDA_R_32F && c.type == CUDA_R_32F && ak == bk && c.rows == am &&
        c.cols == bn)
        return true;
    std::fprintf(stderr, "host cuBLASLt: op(A) %llu x %llu, op(B) %llu x %llu and D %llu x %llu do not make a product\n",
                 (unsigned long long)am, (unsigned long long)ak, (unsigned long long)bk, (unsigned long long)bn,
                 (unsigned long long)c.rows, (unsigned long long)c.cols);
    return false;
}

}  // namespace

cublasStatus_t cublasLtMatmulAlgoGetHeuristic(cublasLtHandle_t handle, cublasLtMatmulDesc_t desc,
                                              cublasLtMatrixLayout_t a, cublasLtMatrixLayout_t b,
                                              cublasLtMatrixLayout_t c, cublasLtMatrixLayout_t d,
                                              cublasLtMatmulPreference_t pref, int requested,
                                              cublasLtMatmulHeuristicResult_t results[], int* returned) {
    uint64_t m, n, k;
    if (!handle || !desc || !a || !b || !c || !d || !pref) return CUBLAS_STATUS_NOT_INITIALIZED;
    if (requested < 1 || c != d || !lt_shapes(*desc, *a, *b, *c, &m, &n, &k)) return CUBLAS_STATUS_INVALID_VALUE;
    results[0] = cublasLtMatmulHeuristicResult_t{};
    results[0].state = CUBLAS_STATUS_SUCCESS;
    results[0].wavesCount = 1;
    *returned = 1;
    return CUBLAS_STATUS_SUCCESS;
}

cublasStatus_t cublasLtMatmul(cublasLtHandle_t handle, cublasLtMatmulDesc_t desc, const void* alpha, const void* A,
                              cublasLtMatrixLayout_t a, const void* B, cublasLtMatrixLayout_t b, const void* beta,
                              const void* C, cublasLtMatrixLayout_t c, void* D, cublasLtMatrixLayout_t d,
                              const cublasLtMatmulAlgo_t* algo, void*, size_t, cudaStream_t) {
    uint64_t m, n, k;
    if (!handle || !desc || !a || !b || !c || !d || !algo) return CUBLAS_STATUS_NOT_INITIALIZED;
    if (C != D || c != d) return CUBLAS_STATUS_NOT_SUPPORTED;  // (this stand-in's limit: in place)
    if (!lt_shapes(*desc, *a, *b, *c, &m, &n, &k)) return CUBLAS_STATUS_INVALID_VALUE;
    const float *fa = static_cast<const float*>(A), *fb = static_cast<const float*>(B);
    float* fd = static_cast<float*>(D);
    bool with_bias = desc->epilogue == CUBLASLT_EPILOGUE_BIAS;
    {
        std::lock_guard<std::mutex> l(g_mutex);
        if (g_sticky != cudaSuccess) return CUBLAS_STATUS_EXECUTION_FAILED;
        if (!batch_in_bounds(fa, a->rows, a->cols, (int)a->ld, 0, 1, "A") ||
            !batch_in_bounds(fb, b->rows, b->cols, (int)b->ld, 0, 1, "B") ||
            !batch_in_bounds(fd, m, n, (int)d->ld, 0, 1, "C") ||
            (with_bias && !batch_in_bounds(desc->bias, m, 1, (int)m, 0, 1, "bias")))
            return CUBLAS_STATUS_INVALID_VALUE;
    }
    if (m == 0 || n == 0) return CUBLAS_STATUS_SUCCESS;
    cblas_sgemm(CblasColMajor, blas_op(desc->transa), blas_op(desc->transb), (int)m, (int)n, (int)k,
                *static_cast<const float*>(alpha), fa, (int)a->ld, fb, (int)b->ld, *static_cast<const float*>(beta), fd,
                (int)d->ld);
    if (with_bias)
        for (uint64_t j = 0; j < n; ++j)
            for (uint64_t i = 0; i < m; ++i) fd[j * d->ld + i] += desc->bias[i];
    return CUBLAS_STATUS_SUCCESS;
}
