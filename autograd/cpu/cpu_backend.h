// cpu_backend.h — the CPU backend: the kernels of autograd/backend.h with OpenBLAS for
// the matrix products and plain loops for the rest, split over aprender's own thread
// pool (autograd/parallel.h).
//
// One class, its methods defined in one file per kernel family, as cuda/ has one .cu
// file per family: each file can be read on its own, next to its CUDA twin. The
// declarations below are the table of contents. What the files share (the n-d loops,
// the dtype dispatch, the splits over the pool) is in loops.h. Only the files of this
// folder include this header; the rest of aprender reaches the class through
// cpu_backend() (autograd/backend.h).
#pragma once

#include "autograd/backend.h"

#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>
#include <vector>

namespace aprender::cpu {

class CpuBackend final : public Backend {
public:
    ~CpuBackend() override;
    const char* name() const override { return "cpu"; }

    // cpu_backend.cpp: memory, with a caching allocator
    void* allocate(size_t nbytes) override;
    void release(void* p, size_t nbytes) override;
    void to_host(void* dst, const void* src, size_t n) override;
    void from_host(void* dst, const void* src, size_t n) override;

    // elementwise.cpp
    void fill(void* dst, int64_t n, double value, DType dt) override;
    void copy(const Strided& src, DType sdt, const Strided& dst, DType ddt) override;
    void unary(UnaryOp op, const void* x, void* y, int64_t n, double a, double b, DType dt) override;
    void unary_backward(UnaryOp op, const void* x, const void* y, const void* gy, void* gx, int64_t n, double a,
                        double b, DType dt) override;
    void binary(BinaryOp op, const Strided& a, const Strided& b, void* out, DType dt) override;
    void where(const Strided& cond, DType cdt, const Strided& a, const Strided& b, void* out, DType dt) override;
    // random.cpp
    void fill_uniform(void* dst, int64_t n, double lo, double hi, uint64_t seed, uint64_t offset, DType dt) override;
    void fill_normal(void* dst, int64_t n, double mean, double std, uint64_t seed, uint64_t offset, DType dt) override;
    // reduce.cpp
    void reduce(ReduceOp op, const Strided& x, const Strided& out, DType dt) override;
    // gemm.cpp
    void gemm(const Gemm& g, DType dt) override;
    // softmax.cpp
    void softmax(const void* xv, void* yv, int64_t rows, int64_t cols, bool log, bool causal, DType dt) override;
    void softmax_backward(const void* yv, const void* gyv, void* gxv, int64_t rows, int64_t cols, bool log,
                          DType dt) override;
    // layernorm.cpp
    void layernorm(const void* xv, const void* wv, const void* bv, void* yv, void* meanv, void* rstdv, int64_t rows,
                   int64_t cols, double eps, DType dt) override;
    void layernorm_backward(const void* gyv, const void* xv, const void* wv, const void* meanv, const void* rstdv,
                            void* gxv, void* gwv, void* gbv, int64_t rows, int64_t cols, DType dt) override;
    // embedding.cpp
    void embedding(const int32_t* ids, int64_t n, const void* table, int64_t rows, int64_t cols, void* out,
                   DType dt) override;
    void embedding_backward(const int32_t* ids, int64_t n, const void* gout, int64_t rows, int64_t cols,
                            void* gtable, DType dt) override;
    // cross_entropy.cpp
    void cross_entropy(const void* lv, const int32_t* targets, int64_t rows, int64_t cols, int32_t ignore,
                       void* lossv, void* lsev, DType dt) override;
    void cross_entropy_backward(const void* lv, const int32_t* targets, const void* lsev, int64_t rows, int64_t cols,
                                int32_t ignore, double scale, void* gv, DType dt) override;
    // gather.cpp
    void gather(const Strided& x, int64_t dim, const Strided& index, void* out, DType dt) override;
    void scatter_add(const Strided& gout, int64_t dim, const Strided& index, const Strided& gx, DType dt) override;
    // adamw.cpp
    void adamw(void* pv, const void* gv, void* mv, void* vv, int64_t n, const AdamW& h, DType dt) override;

private:
    // the caching allocator's free lists (cpu_backend.cpp)
    static constexpr size_t kMaxCachedBytes = size_t(2) << 30;  // beyond 2 GiB of free blocks, give memory back
    static size_t size_class(size_t nbytes);
    std::mutex mutex_;
    std::map<size_t, std::vector<void*>> free_;
    size_t cached_bytes_ = 0;
};

}  // namespace aprender::cpu
