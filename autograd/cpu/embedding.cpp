// embedding.cpp — out[i, :] = table[ids[i], :], and the backward that adds the rows of
// the gradient back into the table's. (cuda/embedding_kernels.cuh is the GPU's version.)
//
// Forward: every id is checked first (an id out of range is the user's mistake, named
// in the message), then one memcpy per row, blocks of rows split over the pool.
// Backward: two positions may hold the same id, so splitting the ids would let two
// threads add into the same row; the columns are split instead, which never collide.
//
// Napkin math: pure data movement, one row read and one written per id: a batch of
// 8·1024 ids of a 768-wide float32 table moves 2·25 MB.
#include "autograd/cpu/cpu_backend.h"
#include "autograd/cpu/loops.h"

#include <cstring>

namespace aprender::cpu {

void CpuBackend::embedding(const int32_t* ids, int64_t n, const void* table, int64_t rows, int64_t cols, void* out,
                           DType dt) {
    for (int64_t i = 0; i < n; ++i)
        if (ids[i] < 0 || ids[i] >= rows)
            throw TensorError(fmt::format("embedding: id {} at position {} is out of range for a table of {} rows",
                                          ids[i], i, rows));
    size_t row_bytes = cols * dtype_size(dt);
    parallel_rows(n, cols, [&](int64_t i0, int64_t i1) {
        for (int64_t i = i0; i < i1; ++i)
            std::memcpy(static_cast<char*>(out) + i * row_bytes, static_cast<const char*>(table) + ids[i] * row_bytes,
                        row_bytes);
    });
}

void CpuBackend::embedding_backward(const int32_t* ids, int64_t n, const void* gout, int64_t rows, int64_t cols,
                                    void* gtable, DType dt) {
    dispatch_float(dt, "embedding backward", [&](auto t) {
        using T = decltype(t);
        const T* g = static_cast<const T*>(gout);
        T* gt = static_cast<T*>(gtable);
        // split the columns, not the ids: two rows may share an id, two columns never collide
        parallel_for(cols, std::max<int64_t>(kGrain / std::max<int64_t>(n, 1), 8), [&](int64_t j0, int64_t j1) {
            for (int64_t i = 0; i < n; ++i)
                if (ids[i] >= 0 && ids[i] < rows)
                    for (int64_t j = j0; j < j1; ++j) gt[ids[i] * cols + j] += g[i * cols + j];
        });
    });
}

}  // namespace aprender::cpu
