// cuda_on_host.h — just enough CUDA for g++ to compile the kernels (cuda/*_kernels.cuh)
// and run them on the CPU, with no GPU and no CUDA header.
//
// __global__, __device__, __host__ vanish (__forceinline__ becomes inline, __shared__
// becomes static: one copy per kernel instantiation, which the threads of a block share —
// valid because blocks run one after another); blockIdx, blockDim and gridDim are globals,
// threadIdx is thread_local; atomicAdd and atomicMin are real atomics (std::atomic_ref,
// compare-and-swap loops), max/min on floats are CUDA's fmax/fmin.
//
// Two launches:
//  launch()        — for the kernels whose threads work alone: every (block, thread) pair
//                    in turn, on the calling thread, each running its whole grid-stride
//                    loop. A grid smaller than the data makes the loop take its stride.
//  launch_blocks() — for the block-cooperative kernels (reduce, softmax, layernorm,
//                    cross-entropy): one block at a time, its threads as real std::threads
//                    running concurrently. __syncthreads() is a barrier over the block's
//                    threads; a warp shuffle writes the value into the warp's exchange
//                    buffer, waits on the warp's barrier and reads the partner's slot (two
//                    buffers in turn, so no slot is overwritten before it is read). A thread
//                    that returns leaves the barriers (as an exited thread on the GPU), and
//                    the launch fails if the threads of a block did not all pass the same
//                    number of __syncthreads (or those of a warp, of shuffles), or a
//                    shuffle's warp is partial or its mask not full. (A thread that never
//                    returns, waiting for a barrier its block has skipped, hangs the test.)
//
// What this checks: the kernels' own index math — grid-stride loops, n-d offsets over
// broadcast and strided layouts (and the host's layouts that build them), dtype casts,
// index checks and the error word — and, for the cooperative kernels, their arithmetic
// order (per-thread strides, the shuffle tree, the warps' partials in shared memory, the
// atomics of a split grid) and the placement of their barriers under a real concurrent
// schedule, against the CPU backend, on every build.
// What it cannot: the GPU's scheduling (a missing barrier shows up only when the host's
// schedule happens to expose it: likely for a whole block's reduction, not certain), its
// memory model beyond barriers and atomics (warp-synchronous code that relies on lockstep
// execution, __threadfence, volatile), the launchers themselves (<<<>>>, their argument
// casts, dtype dispatch: the tests repeat them, with the launch-shape helpers they share),
// performance, and the GPU's own arithmetic (its libm, fused multiply-adds, float
// rounding). Those need a GPU: tests/cuda_ops_test.cpp.
//
// Include it after every other header (it defines reserved names), then the kernel headers.
#pragma once

#if defined(__CUDACC__) || defined(__CUDA_RUNTIME_H__) || defined(__DRIVER_TYPES_H__)
#error "cuda_on_host.h stands in for CUDA: include it without nvcc and without CUDA's headers"
#endif

// <math.h> too: libstdc++'s puts the float overloads (::exp(float), ...) in the global
// namespace, as CUDA's math functions do, so the kernels' unqualified calls find them.
#include <math.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <type_traits>
#include <vector>

#define __global__
#define __device__
#define __host__
#define __forceinline__ inline
#define __shared__ static

namespace cuda_on_host {
struct Dim3 {
    unsigned x = 1, y = 1, z = 1;
};
}  // namespace cuda_on_host

inline thread_local cuda_on_host::Dim3 threadIdx{0, 0, 0}, blockIdx{0, 0, 0};
inline cuda_on_host::Dim3 blockDim{1, 1, 1}, gridDim{1, 1, 1};

template <class T>
T atomicAdd(T* address, T value) {
    std::atomic_ref<T> a(*address);
    T old = a.load();
    while (!a.compare_exchange_weak(old, old + value)) {
    }
    return old;
}
inline unsigned long long atomicMin(unsigned long long* address, unsigned long long value) {
    std::atomic_ref<unsigned long long> a(*address);
    unsigned long long old = a.load();
    while (old > value && !a.compare_exchange_weak(old, value)) {
    }
    return old;
}

// CUDA's max and min on floats: fmax and fmin (a NaN loses).
inline float max(float a, float b) { return fmaxf(a, b); }
inline double max(double a, double b) { return fmax(a, b); }
inline float min(float a, float b) { return fminf(a, b); }
inline double min(double a, double b) { return fmin(a, b); }

namespace cuda_on_host {

// kernel<<<blocks, threads>>>(args...), one thread after another.
template <class... P, class... A>
void launch(unsigned blocks, unsigned threads, void (*kernel)(P...), A&&... args) {
    gridDim = {blocks, 1, 1};
    blockDim = {threads, 1, 1};
    for (unsigned b = 0; b < blocks; ++b)
        for (unsigned t = 0; t < threads; ++t) {
            blockIdx = {b, 0, 0};
            threadIdx = {t, 0, 0};
            kernel(args...);
        }
}

// ---- the cooperative launch ----------------------------------------------------------------

// A reusable barrier whose party shrinks as threads leave (return from the kernel). The
// count is kept under a mutex; the waiting is on an atomic (a futex: the woken threads do
// not queue for the mutex again, which matters with 256 threads on a few cores).
class Barrier {
public:
    explicit Barrier(int parties = 0) : parties_(parties) {}
    void reset(int parties) {
        std::lock_guard<std::mutex> l(m_);
        parties_ = parties;
        arrived_ = 0;
    }
    // false when the launch has failed (see fail)
    bool arrive_and_wait() {
        uint32_t phase;
        {
            std::lock_guard<std::mutex> l(m_);
            phase = phase_.load();
            if (++arrived_ >= parties_) {
                next_phase();
                return !broken_.load();
            }
        }
        while (phase_.load() == phase) phase_.wait(phase);
        return !broken_.load();
    }
    void leave() {
        std::lock_guard<std::mutex> l(m_);
        if (--parties_ > 0 && arrived_ >= parties_) next_phase();
    }
    // release every waiter, now and later: the launch has failed
    void fail() {
        std::lock_guard<std::mutex> l(m_);
        broken_ = true;
        next_phase();
    }

private:
    void next_phase() {
        arrived_ = 0;
        phase_.fetch_add(1);
        phase_.notify_all();
    }
    std::mutex m_;
    int parties_ = 0, arrived_ = 0;
    std::atomic<uint32_t> phase_{0};
    std::atomic<bool> broken_{false};
};

// One block's cooperation: its __syncthreads barrier, and per warp a barrier and the
// exchange buffer of the shuffles (32 slots of up to 8 bytes).
struct BlockContext {
    int threads = 0;
    Barrier sync;
    std::vector<std::unique_ptr<Barrier>> warp_sync;
    std::vector<std::array<unsigned char[8], 32>> exchange;
    std::vector<int> warp_size;
    std::vector<long> syncs, shuffles;  // per thread, this block
    std::mutex error_mutex;
    std::string error;

    void set_error(const std::string& e) {
        {
            std::lock_guard<std::mutex> l(error_mutex);
            if (error.empty()) error = e;
        }
        sync.fail();
        for (auto& w : warp_sync) w->fail();
    }
};

inline thread_local BlockContext* block_context = nullptr;
inline thread_local int linear_thread = 0;

inline BlockContext& context(const char* what) {
    if (!block_context) {
        std::fprintf(stderr, "cuda_on_host: %s outside launch_blocks()\n", what);
        std::abort();
    }
    return *block_context;
}

}  // namespace cuda_on_host

inline void __syncthreads() {
    auto& c = cuda_on_host::context("__syncthreads");
    ++c.syncs[cuda_on_host::linear_thread];
    if (!c.sync.arrive_and_wait())
        c.set_error("__syncthreads in a failed launch");
}

namespace cuda_on_host {

// The partner's value through the warp's exchange buffer: write, wait, read. Two buffers,
// used in turn: a thread can write shuffle k + 2's value only after every thread of its warp
// has reached shuffle k + 1, so after they all read shuffle k's (one barrier per shuffle).
template <class T, class Src>
T warp_exchange(unsigned mask, T v, Src src_lane) {
    static_assert(sizeof(T) <= 8 && std::is_trivially_copyable_v<T>);
    auto& c = context("a warp shuffle");
    int t = linear_thread, warp = t / 32, lane = t % 32;
    auto& buf = c.exchange[2 * warp + c.shuffles[t]++ % 2];
    if (mask != 0xffffffffu || c.warp_size[warp] != 32) {
        c.set_error("a warp shuffle with a partial mask or a partial warp (the shim handles full warps only)");
        return v;
    }
    std::memcpy(buf[lane], &v, sizeof(T));
    if (!c.warp_sync[warp]->arrive_and_wait()) c.set_error("a warp shuffle in a failed launch");
    T out;
    std::memcpy(&out, buf[src_lane(lane)], sizeof(T));
    return out;
}
}  // namespace cuda_on_host

template <class T>
T __shfl_xor_sync(unsigned mask, T v, int lane_mask, int width = 32) {
    return cuda_on_host::warp_exchange(mask, v, [&](int lane) {
        int src = lane ^ lane_mask;
        return src / width == lane / width ? src : lane;
    });
}
template <class T>
T __shfl_down_sync(unsigned mask, T v, unsigned delta, int width = 32) {
    return cuda_on_host::warp_exchange(mask, v, [&](int lane) {
        int src = lane + (int)delta;
        return src / width == lane / width ? src : lane;
    });
}

namespace cuda_on_host {

// kernel<<<grid, block>>>(args...): blocks one after another, each block's threads as
// std::threads (created once per launch, reused for every block). Throws std::runtime_error
// when a block's threads disagree on their barriers (see the top).
template <class... P, class... A>
void launch_blocks(Dim3 grid, Dim3 block, void (*kernel)(P...), A&&... args) {
    gridDim = grid;
    blockDim = block;
    int n = (int)(block.x * block.y * block.z);
    int warps = (n + 31) / 32;
    BlockContext c;
    c.threads = n;
    c.sync.reset(n);
    for (int w = 0; w < warps; ++w) {
        c.warp_size.push_back(std::min(32, n - 32 * w));
        c.warp_sync.push_back(std::make_unique<Barrier>(c.warp_size.back()));
    }
    c.exchange.resize(2 * warps);
    c.syncs.assign(n, 0);
    c.shuffles.assign(n, 0);
    Barrier block_done(n);
    std::vector<Dim3> blocks;
    for (unsigned z = 0; z < grid.z; ++z)
        for (unsigned y = 0; y < grid.y; ++y)
            for (unsigned x = 0; x < grid.x; ++x) blocks.push_back({x, y, z});

    auto body = [&](int t) {
        block_context = &c;
        linear_thread = t;
        threadIdx = {(unsigned)t % block.x, (unsigned)t / block.x % block.y, (unsigned)t / (block.x * block.y)};
        for (const Dim3& b : blocks) {
            blockIdx = b;
            kernel(args...);
            c.sync.leave();
            c.warp_sync[t / 32]->leave();
            block_done.arrive_and_wait();
            if (t == 0) {  // check the block, then ready the barriers for the next one
                for (int u = 0; u < n; ++u) {
                    if (c.syncs[u] != c.syncs[0])
                        c.set_error("divergent __syncthreads in block (" + std::to_string(b.x) + ", " +
                                    std::to_string(b.y) + "): thread " + std::to_string(u) + " passed " +
                                    std::to_string(c.syncs[u]) + ", thread 0 " + std::to_string(c.syncs[0]));
                    if (c.shuffles[u] != c.shuffles[u / 32 * 32])
                        c.set_error("divergent warp shuffles in block (" + std::to_string(b.x) + ", " +
                                    std::to_string(b.y) + "), thread " + std::to_string(u));
                }
                std::fill(c.syncs.begin(), c.syncs.end(), 0);
                std::fill(c.shuffles.begin(), c.shuffles.end(), 0);  // every block starts with buffer 0
                c.sync.reset(n);
                for (int w = 0; w < warps; ++w) c.warp_sync[w]->reset(c.warp_size[w]);
            }
            block_done.arrive_and_wait();
        }
        block_context = nullptr;
    };
    std::vector<std::thread> pool;
    pool.reserve(n);
    for (int t = 0; t < n; ++t) pool.emplace_back(body, t);
    for (auto& th : pool) th.join();
    if (!c.error.empty()) throw std::runtime_error("cuda_on_host: " + c.error);
}

}  // namespace cuda_on_host
