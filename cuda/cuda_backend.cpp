// cuda_backend.cpp — the kernels of backend.h on an NVIDIA GPU: cuBLAS for the matrix
// products, our own kernels (cuda/*.cu, one file per family) for everything else, and a
// caching allocator for device memory.
//
// Plain C++ (g++ compiles it): it turns tensors' strides into NdLayouts for the kernels,
// checks every CUDA and cuBLAS call, and turns failures into TensorError naming the call.
//
// Ordering: every kernel, copy and cuBLAS call goes to the default stream, so they run
// in the order they were issued, and a block of memory released by one tensor can be
// handed to the next at once (its last reader was queued before any new writer).
// to_host (cudaMemcpy) waits for the queue, which is why loss.item() is where a
// training step's time is really spent from the host's point of view — and where the
// index checks of the step are read (see "the index checks").
#include "cuda/cuda.h"
#include "cuda/kernels.h"

#include "autograd/tensor.h"

#include <cublasLt.h>
#include <cublas_v2.h>
#include <cuda_runtime_api.h>

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <functional>
#include <map>
#include <mutex>
#include <tuple>
#include <vector>

// "cuda"; the same file built for the CPU by the tests (tests/host_cuda/) says so in its name.
#ifndef APRENDER_CUDA_BACKEND_NAME
#define APRENDER_CUDA_BACKEND_NAME "cuda"
#endif

namespace aprender::cuda {

void fail(const std::string& message) { throw TensorError(message); }

void check(cudaError_t err, const char* what) {
    if (err == cudaSuccess) return;
    cudaGetLastError();  // clear a non-sticky error so the next call starts clean
    throw TensorError(fmt::format("cuda: {} failed: {} ({}){}", what, cudaGetErrorString(err), cudaGetErrorName(err),
                                  err == cudaErrorIllegalAddress || err == cudaErrorLaunchFailure
                                      ? " — the failing kernel may be an earlier one (launches are asynchronous); "
                                        "rerun with CUDA_LAUNCH_BLOCKING=1 or under compute-sanitizer"
                                      : ""));
}

static void check_cublas(cublasStatus_t st, const char* what) {
    if (st != CUBLAS_STATUS_SUCCESS)
        throw TensorError(fmt::format("cuda: {} failed: {}", what, cublasGetStatusString(st)));
}

// A knob of the environment: unset, the fallback; a whole number up to max, that number;
// anything else is an error naming the variable, since a typo that silently measured the
// default would mislead whoever is measuring.
static uint64_t env_number(const char* name, uint64_t fallback, uint64_t max) {
    const char* v = std::getenv(name);
    if (!v) return fallback;
    char* end = nullptr;
    errno = 0;
    unsigned long long n = std::strtoull(v, &end, 10);
    if (*v == '\0' || *v == '-' || *end != '\0' || errno != 0 || n > max)
        throw TensorError(fmt::format("cuda: {}={}: expected a whole number from 0 to {}", name, v, max));
    return n;
}

int device_count() noexcept {
    static const int count = [] {
        int n = 0;
        // No driver, an old driver, no GPU: all are errors here, and all mean "none".
        if (cudaGetDeviceCount(&n) != cudaSuccess) {
            cudaGetLastError();
            return 0;
        }
        return n;
    }();
    return count;
}

namespace {

class CudaBackend final : public Backend {
    cublasHandle_t blas_ = nullptr;
    cublasLtHandle_t lt_ = nullptr;  // cuBLASLt: the products with a bias (see gemm_with_bias)
    void* workspace_ = nullptr;      // cuBLAS's scratch memory (see the constructor)
    size_t workspace_bytes_ = 0;
    int num_sms_ = 1;
    bool tf32_ = false;
    bool poison_ = false;
    // Index checks waiting to be read (see "the index checks" below): one error word per
    // check on the device, and the message to throw if its word holds a bad index.
    static constexpr size_t kChecks = 64;
    unsigned long long* checks_ = nullptr;
    std::vector<std::function<std::string(int64_t, int32_t)>> pending_;
    bool check_at_once_ = false;  // CUDA_LAUNCH_BLOCKING=1

    // ---- the caching allocator ----
    // cudaMalloc and cudaFree are slow (cudaFree synchronises the whole device), and a
    // training step allocates the same sizes every time. So a released block goes on a
    // free list for its size class, and the next allocation of that class reuses it:
    // after the first step, no step calls cudaMalloc at all. (PyTorch's caching
    // allocator does the same with more cleverness: splitting and merging blocks.)
    std::mutex mutex_;
    std::map<size_t, std::vector<void*>> free_;
    MemoryStats stats_;

public:
    CudaBackend() {
        // The knobs first, so that a bad value stops us before anything is set up.
        uint64_t workspace_mb = env_number("APRENDER_CUBLAS_WORKSPACE_MB", UINT64_MAX, 4096);  // MAX: per card, below
        bool tf32 = env_number("APRENDER_ALLOW_TF32", 0, 1) == 1;
        // Debug aid: fill every new block with 0xFF bytes (NaN as a float, -1 as an int),
        // so a kernel that forgets to write an element leaves a NaN the tests will see.
        poison_ = env_number("APRENDER_CUDA_POISON", 0, 1) == 1;
        check(cudaSetDevice(0), "cudaSetDevice(0)");
        cudaDeviceProp prop{};
        check(cudaGetDeviceProperties(&prop, 0), "cudaGetDeviceProperties");
        num_sms_ = prop.multiProcessorCount;
        check_cublas(cublasCreate(&blas_), "cublasCreate");
        check_cublas(cublasLtCreate(&lt_), "cublasLtCreate");
        // Scratch memory for cuBLAS: with it, cuBLAS may pick algorithms that need a buffer,
        // such as split-K for the weight gradients (a small [out, in] result summed over
        // B·T rows: without splitting the sum, a few tiles keep a few SMs busy). NVIDIA
        // recommends 32 MiB on Hopper (sm_90) and 4 MiB before; APRENDER_CUBLAS_WORKSPACE_MB
        // sets another size (0: cuBLAS's own default), for measuring its effect. On an H200
        // it took 0.1–0.4 ms off a 39 ms medium GPT step (bench/gpu_profile.sh, two runs);
        // once the bias moved into cuBLASLt's epilogue, nothing measurable off 34 ms.
        if (workspace_mb == UINT64_MAX) workspace_mb = prop.major >= 9 ? 32 : 4;
        if (workspace_mb > 0) {
            workspace_bytes_ = workspace_mb << 20;
            check(cudaMalloc(&workspace_, workspace_bytes_), "cudaMalloc (cuBLAS workspace)");
            check_cublas(cublasSetWorkspace(blas_, workspace_, workspace_bytes_), "cublasSetWorkspace");
        }
        set_tf32(tf32);
        check(cudaMalloc(reinterpret_cast<void**>(&checks_), kChecks * sizeof(unsigned long long)),
              "cudaMalloc (index-check words)");
        const char* blocking = std::getenv("CUDA_LAUNCH_BLOCKING");
        check_at_once_ = blocking && std::string(blocking) == "1";
    }
    // Never destroyed: tensors in static objects may be released after main returns,
    // when the CUDA runtime is already shutting down (release() makes no CUDA call).

    const char* name() const override { return APRENDER_CUDA_BACKEND_NAME; }

    void set_tf32(bool on) {
        tf32_ = on;
        check_cublas(cublasSetMathMode(blas_, on ? CUBLAS_TF32_TENSOR_OP_MATH : CUBLAS_DEFAULT_MATH),
                     "cublasSetMathMode");
    }
    bool tf32() const { return tf32_; }

    // Sizes are rounded up to 512 bytes, and above 64 KiB to a quarter step between
    // powers of two (at most 25% waste), so similar sizes share a list.
    static size_t size_class(size_t nbytes) {
        size_t n = (std::max<size_t>(nbytes, 1) + 511) / 512 * 512;
        if (n <= 65536) return n;
        size_t top = size_t(1) << (63 - __builtin_clzll(n - 1));
        size_t step = top / 4;
        return (n + step - 1) / step * step;
    }

    void* allocate(size_t nbytes) override {
        size_t size = size_class(nbytes);
        void* p = nullptr;
        {
            std::lock_guard<std::mutex> lock(mutex_);
            auto& list = free_[size];
            if (!list.empty()) {
                p = list.back();
                list.pop_back();
                stats_.cached_bytes -= size;
                stats_.cache_hits++;
            }
        }
        if (!p) {
            cudaError_t err = cudaMalloc(&p, size);
            if (err == cudaErrorMemoryAllocation) {  // give the cached blocks back and try once more
                cudaGetLastError();
                empty_cache();
                err = cudaMalloc(&p, size);
            }
            if (err == cudaErrorMemoryAllocation) {
                cudaGetLastError();
                throw TensorError(fmt::format("cuda: out of memory allocating {} bytes ({})", nbytes, memory_report()));
            }
            check(err, "cudaMalloc");
            std::lock_guard<std::mutex> lock(mutex_);
            stats_.cuda_malloc_calls++;
        }
        {
            std::lock_guard<std::mutex> lock(mutex_);
            stats_.in_use_bytes += size;
        }
        if (poison_) check(cudaMemsetAsync(p, 0xFF, size), "cudaMemsetAsync (poison)");
        return p;
    }

    void release(void* p, size_t nbytes) override {
        size_t size = size_class(nbytes);
        std::lock_guard<std::mutex> lock(mutex_);
        free_[size].push_back(p);
        stats_.in_use_bytes -= size;
        stats_.cached_bytes += size;
    }

    void empty_cache() {
        std::lock_guard<std::mutex> lock(mutex_);
        for (auto& [size, list] : free_) {
            for (void* p : list) check(cudaFree(p), "cudaFree");
            stats_.cached_bytes -= size * list.size();
            list.clear();
        }
    }
    MemoryStats memory_stats() {
        std::lock_guard<std::mutex> lock(mutex_);
        return stats_;
    }
    std::string memory_report() {
        MemoryStats s = memory_stats();
        return fmt::format("cuda memory: {:.1f} MiB in use, {:.1f} MiB cached, {} cudaMalloc calls, {} cache hits",
                           s.in_use_bytes / 1048576.0, s.cached_bytes / 1048576.0, s.cuda_malloc_calls, s.cache_hits);
    }

    void to_host(void* dst, const void* src, size_t n) override {
        read_checks();  // the host waits for the GPU here anyway: a bad index surfaces now
        check(cudaMemcpy(dst, src, n, cudaMemcpyDeviceToHost), "cudaMemcpy (device to host)");
    }
    void from_host(void* dst, const void* src, size_t n) override {
        check(cudaMemcpy(dst, src, n, cudaMemcpyHostToDevice), "cudaMemcpy (host to device)");
    }

    void fill(void* dst, int64_t n, double value, DType dt) override { cuda::fill(dst, n, value, dt); }
    void copy(const Strided& src, DType sdt, const Strided& dst, DType ddt) override {
        cuda::copy(copy_layout(src, dst), src.data, sdt, dst.data, ddt);
    }
    void fill_uniform(void* dst, int64_t n, double lo, double hi, uint64_t seed, uint64_t offset, DType dt) override {
        cuda::fill_uniform(dst, n, lo, hi, seed, offset, dt);
    }
    void fill_normal(void* dst, int64_t n, double mean, double std, uint64_t seed, uint64_t offset, DType dt) override {
        cuda::fill_normal(dst, n, mean, std, seed, offset, dt);
    }

    void unary(UnaryOp op, const void* x, void* y, int64_t n, double a, double b, DType dt) override {
        cuda::unary(op, x, y, n, a, b, dt);
    }
    void unary_backward(UnaryOp op, const void* x, const void* y, const void* gy, void* gx, int64_t n, double a,
                        double b, DType dt) override {
        cuda::unary_backward(op, x, y, gy, gx, n, a, b, dt);
    }
    void binary(BinaryOp op, const Strided& a, const Strided& b, void* out, DType dt) override {
        cuda::binary(op, binary_layout(a, b), a.data, b.data, out, dt);
    }
    void where(const Strided& cond, DType cdt, const Strided& a, const Strided& b, void* out, DType dt) override {
        cuda::where(where_layout(cond, a, b), cond.data, cdt, a.data, b.data, out, dt);
    }

    // Kept axes (out's stride nonzero) and reduced axes (out's stride 0) become two layouts.
    void reduce(ReduceOp op, const Strided& x, const Strided& out, DType dt) override {
        ReduceLayouts L = reduce_layouts(x, out);
        cuda::reduce(op, L.kept, L.reduced, x.data, out.data, dt, num_sms_);
    }

    // Row-major C = op(A)·op(B) is column-major Cᵀ = op(B)ᵀ·op(A)ᵀ, and a row-major
    // matrix read as column-major *is* its transpose. So cuBLAS gets B first, then A,
    // with the same transpose flags and leading dimensions — no copies (the "swap trick").
    void gemm(const Gemm& g, DType dt) override {
        if (g.m == 0 || g.n == 0 || g.batch == 0) return;
        for (int64_t v : {g.m, g.n, g.k, g.lda, g.ldb, g.ldc, g.batch})
            if (v > INT_MAX) fail(fmt::format("gemm: dimension {} is too large for cuBLAS (int)", v));
        if (g.bias) {
            if (!(dt == DType::f32 && gemm_with_bias(g))) gemm_bias_by_copy(g, dt);
            return;
        }
        cublasOperation_t ta = g.trans_a ? CUBLAS_OP_T : CUBLAS_OP_N;
        cublasOperation_t tb = g.trans_b ? CUBLAS_OP_T : CUBLAS_OP_N;
        int m = (int)g.m, n = (int)g.n, k = (int)g.k;
        if (dt == DType::f32) {
            float alpha = (float)g.alpha, beta = (float)g.beta;
            check_cublas(cublasSgemmStridedBatched(blas_, tb, ta, n, m, k, &alpha, static_cast<const float*>(g.b),
                                                   (int)g.ldb, g.stride_b, static_cast<const float*>(g.a), (int)g.lda,
                                                   g.stride_a, &beta, static_cast<float*>(g.c), (int)g.ldc, g.stride_c,
                                                   (int)g.batch),
                         "cublasSgemmStridedBatched");
        } else if (dt == DType::f64) {
            double alpha = g.alpha, beta = g.beta;
            check_cublas(cublasDgemmStridedBatched(blas_, tb, ta, n, m, k, &alpha, static_cast<const double*>(g.b),
                                                   (int)g.ldb, g.stride_b, static_cast<const double*>(g.a), (int)g.lda,
                                                   g.stride_a, &beta, static_cast<double*>(g.c), (int)g.ldc, g.stride_c,
                                                   (int)g.batch),
                         "cublasDgemmStridedBatched");
        } else {
            fail(std::string("gemm: needs float32 or float64, got ") + dtype_name(dt));
        }
    }

    // ---- a Linear's bias in the product's epilogue ----------------------------------------
    // cuBLASLt can add a vector to every column of its (column-major) result as it writes
    // each tile: CUBLASLT_EPILOGUE_BIAS. Through the swap trick our rows are its columns, so
    // that is b added to every row of y = x·Wᵀ, in one pass over y where copying b into
    // the rows first and adding the product onto them (beta = 1) takes three: on an H200,
    // those copies were 36 of a medium GPT step's 60 copy kernels (bench/RESULTS.md).
    // cuBLASLt wants descriptors and picks an algorithm by heuristic; both depend only on
    // the shapes (and the alignment of the pointers), so each shape's plan is made once and
    // kept, and a call only sets the bias pointer. float32 only; float64, or a shape for
    // which no algorithm takes a bias, returns false: the caller copies instead.
    struct LtPlan {
        bool ok = false;
        cublasLtMatmulDesc_t desc = nullptr;
        cublasLtMatrixLayout_t a = nullptr, b = nullptr, c = nullptr;
        cublasLtMatmulAlgo_t algo{};
    };
    using LtKey = std::tuple<bool, bool, int64_t, int64_t, int64_t, int64_t, int64_t, int64_t, uint32_t, uint32_t,
                             uint32_t, bool>;
    std::map<LtKey, LtPlan> lt_plans_;

    // the largest power of two (up to 256) dividing a pointer: what the algorithms may assume
    static uint32_t alignment(const void* p) {
        uintptr_t a = reinterpret_cast<uintptr_t>(p);
        return a == 0 ? 256u : (uint32_t)std::min<uintptr_t>(256, a & (~a + 1));
    }

    LtPlan make_plan(const Gemm& g, uint32_t align_a, uint32_t align_b, uint32_t align_c) {
        LtPlan p;
        // Swapped, as in gemm below: cuBLASLt's A is our B (n x k as op(B)ᵀ reads it), its B our A.
        cublasOperation_t opa = g.trans_b ? CUBLAS_OP_T : CUBLAS_OP_N, opb = g.trans_a ? CUBLAS_OP_T : CUBLAS_OP_N;
        cublasLtEpilogue_t epilogue = CUBLASLT_EPILOGUE_BIAS;
        check_cublas(cublasLtMatmulDescCreate(&p.desc, tf32_ ? CUBLAS_COMPUTE_32F_FAST_TF32 : CUBLAS_COMPUTE_32F,
                                              CUDA_R_32F),
                     "cublasLtMatmulDescCreate");
        check_cublas(cublasLtMatmulDescSetAttribute(p.desc, CUBLASLT_MATMUL_DESC_TRANSA, &opa, sizeof(opa)),
                     "cublasLtMatmulDescSetAttribute (TRANSA)");
        check_cublas(cublasLtMatmulDescSetAttribute(p.desc, CUBLASLT_MATMUL_DESC_TRANSB, &opb, sizeof(opb)),
                     "cublasLtMatmulDescSetAttribute (TRANSB)");
        check_cublas(cublasLtMatmulDescSetAttribute(p.desc, CUBLASLT_MATMUL_DESC_EPILOGUE, &epilogue, sizeof(epilogue)),
                     "cublasLtMatmulDescSetAttribute (EPILOGUE)");
        // Each matrix as stored, column-major: rows, columns, leading dimension.
        check_cublas(cublasLtMatrixLayoutCreate(&p.a, CUDA_R_32F, g.trans_b ? g.k : g.n, g.trans_b ? g.n : g.k, g.ldb),
                     "cublasLtMatrixLayoutCreate (A)");
        check_cublas(cublasLtMatrixLayoutCreate(&p.b, CUDA_R_32F, g.trans_a ? g.m : g.k, g.trans_a ? g.k : g.m, g.lda),
                     "cublasLtMatrixLayoutCreate (B)");
        check_cublas(cublasLtMatrixLayoutCreate(&p.c, CUDA_R_32F, g.n, g.m, g.ldc), "cublasLtMatrixLayoutCreate (C)");
        cublasLtMatmulPreference_t pref = nullptr;
        check_cublas(cublasLtMatmulPreferenceCreate(&pref), "cublasLtMatmulPreferenceCreate");
        uint64_t ws = workspace_bytes_;
        check_cublas(cublasLtMatmulPreferenceSetAttribute(pref, CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES, &ws, sizeof(ws)),
                     "cublasLtMatmulPreferenceSetAttribute (workspace)");
        for (auto [attr, align] : {std::pair{CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_A_BYTES, align_b},
                                   std::pair{CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_B_BYTES, align_a},
                                   std::pair{CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_C_BYTES, align_c},
                                   std::pair{CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_D_BYTES, align_c}})
            check_cublas(cublasLtMatmulPreferenceSetAttribute(pref, attr, &align, sizeof(align)),
                         "cublasLtMatmulPreferenceSetAttribute (alignment)");
        cublasLtMatmulHeuristicResult_t result{};
        int found = 0;
        cublasStatus_t st = cublasLtMatmulAlgoGetHeuristic(lt_, p.desc, p.a, p.b, p.c, p.c, pref, 1, &result, &found);
        cublasLtMatmulPreferenceDestroy(pref);
        p.ok = st == CUBLAS_STATUS_SUCCESS && found > 0 && result.state == CUBLAS_STATUS_SUCCESS;
        p.algo = result.algo;
        return p;
    }

    bool gemm_with_bias(const Gemm& g) {
        // (a bias that is not 16-byte aligned, a slice of a larger tensor, takes the copy:
        // no preference tells the heuristic about the bias's alignment)
        if (g.batch != 1 || g.beta != 0 || alignment(g.bias) < 16) return false;
        uint32_t aa = alignment(g.a), ab = alignment(g.b), ac = alignment(g.c);
        LtKey key{g.trans_a, g.trans_b, g.m, g.n, g.k, g.lda, g.ldb, g.ldc, aa, ab, ac, tf32_};
        auto it = lt_plans_.find(key);
        if (it == lt_plans_.end()) it = lt_plans_.emplace(key, make_plan(g, aa, ab, ac)).first;
        const LtPlan& p = it->second;
        if (!p.ok) return false;
        check_cublas(cublasLtMatmulDescSetAttribute(p.desc, CUBLASLT_MATMUL_DESC_BIAS_POINTER, &g.bias, sizeof(g.bias)),
                     "cublasLtMatmulDescSetAttribute (BIAS_POINTER)");
        float alpha = (float)g.alpha, beta = 0;
        check_cublas(cublasLtMatmul(lt_, p.desc, &alpha, g.b, p.a, g.a, p.b, &beta, g.c, p.c, g.c, p.c, &p.algo,
                                    workspace_, workspace_bytes_, 0),
                     "cublasLtMatmul (with a bias)");
        return true;
    }

    void softmax(const void* x, void* y, int64_t rows, int64_t cols, bool log, bool causal, DType dt) override {
        cuda::softmax(x, y, rows, cols, log, causal, dt);
    }
    void softmax_backward(const void* y, const void* gy, void* gx, int64_t rows, int64_t cols, bool log,
                          DType dt) override {
        cuda::softmax_backward(y, gy, gx, rows, cols, log, dt);
    }
    void layernorm(const void* x, const void* w, const void* b, void* y, void* mean, void* rstd, int64_t rows,
                   int64_t cols, double eps, DType dt) override {
        cuda::layernorm(x, w, b, y, mean, rstd, rows, cols, eps, dt);
    }
    void layernorm_backward(const void* gy, const void* x, const void* w, const void* mean, const void* rstd, void* gx,
                            void* gw, void* gb, int64_t rows, int64_t cols, DType dt) override {
        cuda::layernorm_backward(gy, x, w, mean, rstd, gx, gw, gb, rows, cols, dt, num_sms_);
    }

    // ---- the index checks ----------------------------------------------------------------
    // embedding, cross_entropy, gather and scatter_add record the first out-of-range index in an error
    // word on the device (record_error in grid.cuh; kNoError in layout.h). Reading the word right after each launch would make
    // the host wait for the GPU to catch up, three times per training step, and a waiting
    // host queues no work. So each check gets its own word and its message, and the words
    // are read together the next time the host waits for the GPU anyway — to_host, i.e.
    // loss.item(), printing a tensor, moving it to the CPU — or when all kChecks are in
    // use. The error is thrown there with the CPU's message, just as CUDA reports a failed
    // kernel at the next synchronising call. CUDA_LAUNCH_BLOCKING=1 reads each at once.
    // Kernels that run before the check is read skip bad indices (no wild reads or writes).
    using Message = std::function<std::string(int64_t position, int32_t value)>;
    unsigned long long* new_check(Message message) {
        if (pending_.size() == kChecks) read_checks();
        if (pending_.empty())  // a fresh batch of words: all "no error" (0xFF...)
            check(cudaMemsetAsync(checks_, 0xFF, kChecks * sizeof(unsigned long long)), "cudaMemsetAsync (index checks)");
        pending_.push_back(std::move(message));
        return checks_ + (pending_.size() - 1);
    }
    void after_check() {
        if (check_at_once_) read_checks();
    }
    // Throws the message of the first check (in the order they were issued) that found a
    // bad index; forgets all of them either way.
    void read_checks() {
        if (pending_.empty()) return;
        std::vector<Message> messages;
        messages.swap(pending_);
        unsigned long long words[kChecks];
        check(cudaMemcpy(words, checks_, messages.size() * sizeof(words[0]), cudaMemcpyDeviceToHost),
              "cudaMemcpy (index checks)");
        for (size_t k = 0; k < messages.size(); ++k)
            if (words[k] != kNoError) fail(messages[k]((int64_t)(words[k] >> 32), (int32_t)(uint32_t)(words[k] & 0xffffffffu)));
    }
    void synchronize() override {
        read_checks();
        check(cudaDeviceSynchronize(), "cudaDeviceSynchronize");
    }

    void embedding(const int32_t* ids, int64_t n, const void* table, int64_t rows, int64_t cols, void* out,
                   DType dt) override {
        cuda::embedding(ids, n, table, rows, cols, out, dt, new_check([rows](int64_t pos, int32_t id) {
            return fmt::format("embedding: id {} at position {} is out of range for a table of {} rows", id, pos, rows);
        }));
        after_check();
    }
    void embedding_backward(const int32_t* ids, int64_t n, const void* gout, int64_t rows, int64_t cols, void* gtable,
                            DType dt) override {
        cuda::embedding_backward(ids, n, gout, rows, cols, gtable, dt);
    }
    void cross_entropy(const void* logits, const int32_t* targets, int64_t rows, int64_t cols, int32_t ignore,
                       void* loss, void* lse, DType dt) override {
        cuda::cross_entropy(logits, targets, rows, cols, ignore, loss, lse, dt, new_check([cols](int64_t row, int32_t t) {
            return fmt::format("cross_entropy: target {} at row {} is out of range for {} classes", t, row, cols);
        }));
        after_check();
    }
    void cross_entropy_backward(const void* logits, const int32_t* targets, const void* lse, int64_t rows,
                                int64_t cols, int32_t ignore, double scale, void* glogits, DType dt) override {
        cuda::cross_entropy_backward(logits, targets, lse, rows, cols, ignore, scale, glogits, dt);
    }

    void gather(const Strided& x, int64_t dim, const Strided& index, void* out, DType dt) override {
        auto [L, dim_stride, dim_size] = gather_layout(x, dim, index);  // layout.h
        // (dim_size = dim_size: clang before 16 cannot capture a structured binding by itself)
        cuda::gather(L, x.data, dim_stride, dim_size, static_cast<const int32_t*>(index.data), out, dt,
                     new_check([dim, dim_size = dim_size](int64_t, int32_t k) {
                         return fmt::format("gather: index {} is out of range for dimension {} of size {}", k, dim,
                                            dim_size);
                     }));
        after_check();
    }
    void scatter_add(const Strided& gout, int64_t dim, const Strided& index, const Strided& gx, DType dt) override {
        auto [L, dim_stride, dim_size] = scatter_add_layout(gout, dim, index, gx);
        cuda::scatter_add(L, gx.data, dim_stride, dim_size, static_cast<const int32_t*>(index.data), gout.data, dt,
                          new_check([dim_size = dim_size](int64_t, int32_t k) {  // the CPU backend's message
                              return fmt::format("gather backward: index {} is outside 0..{} (was the index tensor "
                                                 "changed after the forward pass?)", k, dim_size - 1);
                          }));
        after_check();
    }

    void adamw(void* p, const void* g, void* m, void* v, int64_t n, const AdamW& h, DType dt) override {
        cuda::adamw(p, g, m, v, n, h, dt);
    }
    void adamw_many(const std::vector<AdamWTensor>& tensors, DType dt) override { cuda::adamw_many(tensors, dt); }
};

CudaBackend* g_backend = nullptr;
std::mutex g_make_mutex;

CudaBackend& the_backend() {
    make_backend();
    return *g_backend;
}

}  // namespace

Backend* make_backend() {
    std::lock_guard<std::mutex> lock(g_make_mutex);
    if (!g_backend) {
        if (device_count() == 0) fail("device cuda: no CUDA GPU is visible to this process");
        g_backend = new CudaBackend();  // deliberately never deleted (see the class)
    }
    return g_backend;
}

void set_allow_tf32(bool on) { the_backend().set_tf32(on); }
bool allow_tf32() { return the_backend().tf32(); }
MemoryStats memory_stats() { return the_backend().memory_stats(); }
std::string memory_report() { return the_backend().memory_report(); }
void empty_cache() { the_backend().empty_cache(); }

}  // namespace aprender::cuda

// The two entry points the registry (autograd/backend.cpp) looks up with dlsym. The CUDA
// backend is a shared library, libaprender_cuda.so, opened only when a CUDA device is
// first asked for: a CPU-only run never maps cuBLAS (which alone adds ~150 MiB of RSS).
extern "C" int aprender_cuda_device_count() noexcept { return aprender::cuda::device_count(); }
extern "C" aprender::Backend* aprender_cuda_make_backend() { return aprender::cuda::make_backend(); }
