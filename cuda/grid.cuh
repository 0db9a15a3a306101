// grid.cuh — what a kernel whose threads work alone needs: the launch size, the
// grid-stride loop, n-d offsets and the error word of the index checks.
//
// Compiled by nvcc (through common.cuh) and, with no GPU, by g++ under the shim
// tests/cuda_on_host.h, which defines __global__ and friends away and supplies threadIdx,
// blockIdx, atomicAdd, ... — so the kernel headers (*_kernels.cuh) that include only this
// file run on the host in tests/cuda_kernels_on_host_test.cpp. Keep it free of CUDA
// headers, shared memory, __syncthreads and warp shuffles (those go in block.cuh).
#pragma once

#include "cuda/layout.h"

#include <algorithm>
#include <array>
#include <cstdint>

#if defined(__CUDACC__)
#define APRENDER_UNROLL _Pragma("unroll")
#else
#define APRENDER_UNROLL
#endif

namespace aprender::cuda {

constexpr int kThreads = 256;  // threads per block for the elementwise kernels

// Enough blocks to cover n elements, at most 65536: the kernels loop with a grid
// stride past that, so one launch shape fits any n (llm.c's and CUB's habit).
inline unsigned blocks_for(int64_t n, int threads = kThreads) {
    int64_t b = (n + threads - 1) / threads;
    return (unsigned)std::max<int64_t>(1, std::min<int64_t>(b, 65536));
}

#define APRENDER_GRID_STRIDE(i, n) \
    for (int64_t i = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; i < (n); i += (int64_t)gridDim.x * blockDim.x)

// Element offsets of linear position i (row-major over L's shape) for every operand.
//
// The divisions are most of an n-d kernel's arithmetic, and a GPU has no 64-bit integer
// divider: 64-bit / and % are software routines, several times the cost of 32-bit ones.
// So a layout of fewer than 2^32 elements — every one a model here makes — divides in 32
// bits; the offsets, which strides can make large, stay 64-bit. (L.numel is the same for
// every thread, so the branch never splits a warp.) Measured on an H200 over one medium
// GPT step (bench/RESULTS.md): the copy kernels took 2.91 ms instead of 3.25, the binary
// ones 1.38 instead of 1.60 — a modest gain: these kernels are mostly waiting on memory.
template <int N>
__device__ __forceinline__ void nd_offsets(const NdLayout<N>& L, int64_t i, int64_t (&off)[N]) {
    APRENDER_UNROLL
    for (int k = 0; k < N; ++k) off[k] = 0;
    if (L.numel <= (int64_t)UINT32_MAX) {  // then i and every size fit in 32 bits
        uint32_t j = (uint32_t)i;
        for (int d = L.rank - 1; d >= 0; --d) {
            uint32_t n = (uint32_t)L.size[d];
            uint32_t c = j % n;
            j /= n;
            APRENDER_UNROLL
            for (int k = 0; k < N; ++k) off[k] += (int64_t)c * L.stride[k][d];
        }
        return;
    }
    for (int d = L.rank - 1; d >= 0; --d) {
        int64_t n = L.size[d];
        int64_t c = i % n;
        i /= n;
        APRENDER_UNROLL
        for (int k = 0; k < N; ++k) off[k] += c * L.stride[k][d];
    }
}

// ---- packs: 16 bytes per load and store ---------------------------------------------------
//
// A memory-bound kernel moves its bytes fastest in 16-byte loads and stores: one
// instruction for 4 floats (2 doubles) instead of 4, and a thread that handles a pack
// also computes its n-d offsets once for 4 elements. The strided kernels (copy, binary)
// take packs along the innermost axis when pack_width says the layout allows it: the
// bias rows a Linear starts from and attention's head transposes (rows of hs = 64
// contiguous floats) both do. Measured on an H200 before packs: the copy kernels of a
// medium GPT step ran at about a quarter of the card's bandwidth (bench/RESULTS.md).
template <class T>
struct alignas(16) Pack {
    static constexpr int width = 16 / sizeof(T);
    T v[width];
};

// The pack width for a layout whose last operand is the one written: W = 16 / elem_size
// when the innermost axis has a multiple of W elements and every operand walks it with
// stride 1 (a pack, which must then start 16-byte aligned: its pointer and its other
// strides multiples of W) or, for an operand read, stride 0 (one value for the whole
// pack: a broadcast along the axis); otherwise 1 (element by element).
template <int N>
inline int pack_width(const NdLayout<N>& L, const std::array<const void*, N>& ptrs, size_t elem_size) {
    int w = 16 / (int)elem_size;
    if (L.rank == 0 || L.size[L.rank - 1] % w != 0) return 1;
    for (int k = 0; k < N; ++k) {
        int64_t inner = L.stride[k][L.rank - 1];
        if (inner == 0 && k < N - 1) continue;
        if (inner != 1 || reinterpret_cast<uintptr_t>(ptrs[k]) % 16 != 0) return 1;
        for (int d = 0; d + 1 < L.rank; ++d)
            if (L.stride[k][d] % w != 0) return 1;
    }
    return w;
}

// The pack at p: W contiguous elements (inner stride 1) or one element W times (0).
template <class T>
__device__ __forceinline__ Pack<T> load_pack(const T* p, int64_t inner_stride) {
    if (inner_stride != 0) return *reinterpret_cast<const Pack<T>*>(p);
    Pack<T> r;
    APRENDER_UNROLL
    for (int j = 0; j < Pack<T>::width; ++j) r.v[j] = *p;
    return r;
}
template <class T>
__device__ __forceinline__ void store_pack(T* p, const Pack<T>& value) {
    *reinterpret_cast<Pack<T>*>(p) = value;
}

// Record a bad index: the smallest position wins (see kNoError in layout.h).
__device__ __forceinline__ void record_error(unsigned long long* error, int64_t position, int32_t value) {
    unsigned long long key = ((unsigned long long)position << 32) | (uint32_t)value;
    atomicMin(error, key);
}

}  // namespace aprender::cuda
