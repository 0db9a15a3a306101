// cuda_on_host.h — just enough CUDA for g++ to compile the kernels (cuda/*_kernels.cuh)
// and run them on the CPU, with no GPU and no CUDA header.
//
// __global__, __device__, __host__ vanish (__forceinline__ becomes inline, __shared__
// becomes static: one copy per kernel instantiation, which the threads of a block share —
// valid because blocks run one after another); blockIdx, blockDim and gridDim are globals,
// threadIdx too (set for each thread before it runs); atomicAdd and atomicMin are real atomics (std::atomic_ref,
// compare-and-swap loops), max/min on floats are CUDA's fmax/fmin.
//
// Two launches:
//  launch()        — for the kernels whose threads work alone: every (block, thread) pair
//                    in turn, on the calling thread, each running its whole grid-stride
//                    loop. A grid smaller than the data makes the loop take its stride.
//  launch_blocks() — for the block-cooperative kernels (reduce, softmax, layernorm,
//                    cross-entropy): one block at a time, its threads as fibers (a stack
//                    each, one running at a time) that switch at every barrier.
//                    __syncthreads() is a barrier over the block's threads; a warp shuffle
//                    writes the value into the warp's exchange buffer, waits on the warp's
//                    barrier and reads the partner's slot (two buffers in turn, so no slot
//                    is overwritten before it is read). A thread that returns leaves the
//                    barriers (as an exited thread on the GPU), and the launch fails if the
//                    block deadlocks (threads waiting at barriers the others never reach),
//                    if its threads did not all pass the same number of __syncthreads (or
//                    those of a warp, of shuffles), or if a shuffle's warp is partial or its
//                    mask not full. The schedule is fixed: every run fails or passes alike.
//
// What this checks: the kernels' own index math — grid-stride loops, n-d offsets over
// broadcast and strided layouts (and the host's layouts that build them), dtype casts,
// index checks and the error word — and, for the cooperative kernels, their arithmetic
// order (per-thread strides, the shuffle tree, the warps' partials in shared memory, the
// atomics of a split grid) and the placement of their barriers (between two barriers the
// threads run one after another, in ascending order in even blocks and descending in odd
// ones, so a missing barrier before a read of shared memory leaves it stale), against the
// CPU backend, on every build.
// What it cannot: the GPU's scheduling (a race that needs two threads interleaved inside
// one stretch between barriers), its memory model beyond barriers and atomics
// (warp-synchronous code that relies on lockstep execution, __threadfence, volatile),
// performance, and the GPU's own arithmetic (its libm, fused multiply-adds, float
// rounding). Those need a GPU: tests/cuda_ops_test.cpp. (The launchers, their argument
// casts and dtype dispatch run on the host too, with the whole backend: tests/host_cuda/.)
//
// Include it after every other header (it defines reserved names), then the kernel headers.
#pragma once

#if defined(__CUDACC__) || defined(__CUDA_RUNTIME_H__) || defined(__DRIVER_TYPES_H__)
#error "cuda_on_host.h stands in for CUDA: include it without nvcc and without CUDA's headers"
#endif

// <math.h> too: libstdc++'s puts the float overloads (::exp(float), ...) in the global
// namespace, as CUDA's math functions do, so the kernels' unqualified calls find them.
#include <math.h>

#include <sys/mman.h>
#include <ucontext.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/common_interface_defs.h>
#endif

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

// kernel<<<grid, threads>>>(args...), one thread after another (a grid of 1, 2 or 3
// dimensions; blocks of one).
template <class... P, class... A>
void launch(Dim3 grid, unsigned threads, void (*kernel)(P...), A&&... args) {
    gridDim = grid;
    blockDim = {threads, 1, 1};
    for (unsigned z = 0; z < grid.z; ++z)
        for (unsigned y = 0; y < grid.y; ++y)
            for (unsigned b = 0; b < grid.x; ++b)
                for (unsigned t = 0; t < threads; ++t) {
                    blockIdx = {b, y, z};
                    threadIdx = {t, 0, 0};
                    kernel(args...);
                }
}
template <class... P, class... A>
void launch(unsigned blocks, unsigned threads, void (*kernel)(P...), A&&... args) {
    launch(Dim3{blocks, 1, 1}, threads, kernel, std::forward<A>(args)...);
}

// ---- the cooperative launch ----------------------------------------------------------------
//
// A block's threads are fibers: stacks of their own, run one at a time on the calling
// thread (see "Switching stacks" below). Each runs until it reaches a barrier —
// __syncthreads (the block's) or a warp shuffle (its warp's) — or returns; then the next
// one runs. A barrier opens when every thread of its group that has not returned has
// arrived, and its threads go on in turn. So the stretch of code between two barriers
// runs thread after thread: ascending thread order in even blocks, descending in odd ones,
// so that a read of shared memory that lacks its barrier sees a stale value whichever
// thread writes it — every run, not now and then. No thread can run but some have not
// returned (threads waiting at different barriers): the block is deadlocked, and the
// launch fails saying where they wait, where a GPU would hang.

// A fiber: its stack (256 KiB with a guard page below: an overflow faults, it does not
// scribble) and two places to jump to, as __builtin_setjmp buffers. Made once per calling
// thread and slot, and reused by every block of every launch.
struct Fiber {
    char* stack = nullptr;
    void* entry[5];              // the top of fiber_main: where each thread of a block starts
    void* resume[5];             // where a thread that yielded goes on
    void* fake_stack = nullptr;  // AddressSanitizer's, saved while it is switched out
};
constexpr size_t kFiberStack = 256 * 1024;
// fiber(i), below: the i-th fiber of the calling thread, made on first use.

// One block's cooperation: its threads, its barriers (group 0: __syncthreads; group 1 + w:
// the shuffles of warp w) and per warp the shuffles' exchange buffers (32 slots of up to 8
// bytes, two in turn).
struct BlockContext {
    enum class State { ready, waiting, done };
    struct Thread {
        Fiber* fiber = nullptr;
        bool started = false;  // in this block: resume it, rather than enter it at the top
        State state = State::ready;
        int waits_at = -1;  // the group it waits for
        long syncs = 0, shuffles = 0;
    };
    std::vector<Thread> thread;
    std::vector<uint64_t> ready;        // bit t: thread t is ready (the scheduler's next pick)
    std::vector<int> parties, arrived;  // per group
    std::vector<int> warp_size;
    std::vector<std::array<unsigned char[8], 32>> exchange;
    void* scheduler[5];                    // where a yielding thread returns to
    void* scheduler_fake_stack = nullptr;  // as Fiber::fake_stack
    int current = 0;
    std::string error;

    // From the scheduler: run thread t until it yields.
    void run(int t);
    // From a fiber: back to the scheduler (which picks the next thread).
    void yield();
    void set_state(int t, State s) {
        thread[t].state = s;
        if (s == State::ready) ready[t / 64] |= uint64_t(1) << (t % 64);
        else ready[t / 64] &= ~(uint64_t(1) << (t % 64));
    }
    // The lowest-numbered ready thread (the highest when descending), or -1: a look at a
    // bit set per 64 threads, as a scan of 256 threads at every switch was most of the time.
    int next_ready(bool descending) const {
        int words = (int)ready.size();
        for (int k = 0; k < words; ++k) {
            int w = descending ? words - 1 - k : k;
            if (ready[w]) return 64 * w + (descending ? 63 - __builtin_clzll(ready[w]) : __builtin_ctzll(ready[w]));
        }
        return -1;
    }
    // From a fiber: wait at barrier g until the rest of its group arrives.
    void arrive(int g) {
        Thread& me = thread[current];
        set_state(current, State::waiting);
        me.waits_at = g;
        if (++arrived[g] == parties[g]) open(g);
        yield();
    }
    void open(int g) {
        arrived[g] = 0;
        // the block's threads for __syncthreads, warp g - 1's for its shuffles
        int n = (int)thread.size(), lo = g == 0 ? 0 : 32 * (g - 1), hi = g == 0 ? n : std::min(32 * g, n);
        for (int t = lo; t < hi; ++t)
            if (thread[t].state == State::waiting && thread[t].waits_at == g) {
                set_state(t, State::ready);
                thread[t].waits_at = -1;
            }
    }
    // A returning thread leaves its barriers (as an exited thread does on the GPU).
    void leave() {
        set_state(current, State::done);
        for (int g : {0, 1 + current / 32})
            if (--parties[g] > 0 && arrived[g] == parties[g]) open(g);
    }
    void set_error(const std::string& e) {
        if (error.empty()) error = e;
        yield();  // the scheduler stops the block
    }
};

inline thread_local BlockContext* block_context = nullptr;

inline BlockContext& context(const char* what) {
    if (!block_context) {
        std::fprintf(stderr, "cuda_on_host: %s outside launch_blocks()\n", what);
        std::abort();
    }
    return *block_context;
}

// Switching stacks. ucontext's swapcontext would do, but it saves and restores the signal
// mask with a system call each time, and a block of 256 threads through a reduction
// switches thousands of times: a float64 gradient check of one reduction on the GPU
// stand-in spent most of its seconds in those calls. So ucontext only makes a fiber, once
// (makecontext points it at fiber_main on its own stack, which saves its entry and comes
// back), and every switch after that is GCC's and Clang's __builtin_setjmp/longjmp: a
// stack pointer, a frame pointer and a resume address, no system call. (Not the C
// library's _longjmp: where _FORTIFY_SOURCE is on, as Ubuntu's compiler has it by default,
// that one checks that a jump never goes to a deeper stack frame, and a jump to another
// stack can look like one.) A thread that returns, or a block stopped by an error, just
// leaves its frames behind: the next thread on that fiber starts again from the entry.
// Each switch is told to AddressSanitizer when it is on (make sanitize), so that it knows
// which stack is live. (It still warns once that it "doesn't fully support" swapcontext:
// the annotations are what it needs for fibers.)
inline void start_switch(void** fake_stack, const void* to_stack, size_t to_size) {
#if defined(__SANITIZE_ADDRESS__)
    __sanitizer_start_switch_fiber(fake_stack, to_stack, to_size);
#else
    (void)fake_stack, (void)to_stack, (void)to_size;
#endif
}
inline void finish_switch(void* fake_stack, const void** from_stack = nullptr, size_t* from_size = nullptr) {
#if defined(__SANITIZE_ADDRESS__)
    __sanitizer_finish_switch_fiber(fake_stack, from_stack, from_size);
#else
    (void)fake_stack, (void)from_stack, (void)from_size;
#endif
}

// __builtin_setjmp "returns twice" (0 when it saves, 1 when a __builtin_longjmp comes back
// to it), so each switch lives in a small function of its own whose frame stays put while
// the other side runs, and reads what it needs afresh after the jump back; the jump itself
// may not be in a function that calls __builtin_setjmp, hence jump_to.
[[gnu::noinline, noreturn]] inline void jump_to(void** buffer) { __builtin_longjmp(buffer, 1); }

// The calling thread's own stack, where launch_blocks runs (AddressSanitizer wants its bounds).
inline thread_local const void* host_stack = nullptr;
inline thread_local size_t host_stack_size = 0;

// From the scheduler: run thread t until it yields (at a barrier, or when it is done).
[[gnu::noinline]] inline void BlockContext::run(int t) {
    Thread& th = thread[t];
    if (__builtin_setjmp(scheduler) == 0) {
        start_switch(&scheduler_fake_stack, th.fiber->stack, kFiberStack);
        if (th.started) jump_to(th.fiber->resume);
        th.started = true;
        jump_to(th.fiber->entry);
    }
    finish_switch(scheduler_fake_stack);
}

// From a thread: back to the scheduler.
[[gnu::noinline]] inline void BlockContext::yield() {
    if (__builtin_setjmp(thread[current].fiber->resume) == 0) {
        start_switch(&thread[current].fiber->fake_stack, host_stack, host_stack_size);
        jump_to(scheduler);
    }
    finish_switch(thread[current].fiber->fake_stack);  // resumed: the scheduler made it current again
}

// The body of every fiber. Made, it saves its entry and goes back to its maker; entered, it
// runs the kernel as the block's current thread, leaves, and hands back for good.
inline thread_local const std::function<void()>* fiber_kernel = nullptr;
inline thread_local Fiber* fiber_being_made = nullptr;
inline thread_local ucontext_t fiber_maker;
inline void fiber_main() {
    finish_switch(nullptr, &host_stack, &host_stack_size);
    if (__builtin_setjmp(fiber_being_made->entry) == 0) {
        start_switch(&fiber_being_made->fake_stack, host_stack, host_stack_size);
        setcontext(&fiber_maker);  // back to fiber(): made
    }
    finish_switch(nullptr);  // entered by run()
    BlockContext& c = *block_context;
    (*fiber_kernel)();
    c.leave();
    c.yield();  // never resumed: the next thread on this fiber enters it at the top
}

// getcontext "returns twice" to the compiler, as setjmp does, so the making lives in a
// function of its own; the fibers, in a thread_local list that outlives every launch.
[[gnu::noinline]] inline Fiber& fiber(size_t i) {
    thread_local std::vector<std::unique_ptr<Fiber>> fibers;
    while (fibers.size() <= i) {
        void* p = mmap(nullptr, kFiberStack + 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
                       -1, 0);
        if (p == MAP_FAILED) throw std::runtime_error("cuda_on_host: no memory for the fibers' stacks");
        mprotect(p, 4096, PROT_NONE);
        auto f = std::make_unique<Fiber>();
        f->stack = static_cast<char*>(p) + 4096;
        ucontext_t start;
        getcontext(&start);
        start.uc_stack.ss_sp = f->stack;
        start.uc_stack.ss_size = kFiberStack;
        start.uc_link = nullptr;
        makecontext(&start, fiber_main, 0);
        fiber_being_made = f.get();
        void* fake = nullptr;
        start_switch(&fake, f->stack, kFiberStack);
        swapcontext(&fiber_maker, &start);  // fiber_main saves the entry and comes back
        finish_switch(fake);
        fibers.push_back(std::move(f));
    }
    return *fibers[i];
}

}  // namespace cuda_on_host

inline void __syncthreads() {
    auto& c = cuda_on_host::context("__syncthreads");
    ++c.thread[c.current].syncs;
    c.arrive(0);
}

namespace cuda_on_host {

// The partner's value through the warp's exchange buffer: write, wait, read. Two buffers,
// used in turn: a thread can write shuffle k + 2's value only after every thread of its warp
// has reached shuffle k + 1, so after they all read shuffle k's (one barrier per shuffle).
template <class T, class Src>
T warp_exchange(unsigned mask, T v, Src src_lane) {
    static_assert(sizeof(T) <= 8 && std::is_trivially_copyable_v<T>);
    auto& c = context("a warp shuffle");
    int t = c.current, warp = t / 32, lane = t % 32;
    auto& buf = c.exchange[2 * warp + c.thread[t].shuffles++ % 2];
    if (mask != 0xffffffffu || c.warp_size[warp] != 32) {
        c.set_error("a warp shuffle with a partial mask or a partial warp (the shim handles full warps only)");
        return v;
    }
    std::memcpy(buf[lane], &v, sizeof(T));
    c.arrive(1 + warp);
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

// kernel<<<grid, block>>>(args...): blocks one after another, each block's threads as fibers
// (see above). Throws std::runtime_error when a block deadlocks, its threads disagree on
// their barriers, or a shuffle is partial.
template <class... P, class... A>
void launch_blocks(Dim3 grid, Dim3 block, void (*kernel)(P...), A&&... args) {
    gridDim = grid;
    blockDim = block;
    const int n = (int)(block.x * block.y * block.z), warps = (n + 31) / 32;
    BlockContext c;
    c.thread.resize(n);
    c.ready.resize((n + 63) / 64);
    for (int w = 0; w < warps; ++w) c.warp_size.push_back(std::min(32, n - 32 * w));
    c.exchange.resize(2 * warps);
    for (int t = 0; t < n; ++t) c.thread[t].fiber = &fiber(t);
    std::function<void()> body = [&] { kernel(args...); };
    BlockContext* saved_context = block_context;
    const std::function<void()>* saved_kernel = fiber_kernel;
    block_context = &c;
    fiber_kernel = &body;

    auto where = [&](int t) {
        const auto& th = c.thread[t];
        return "thread " + std::to_string(t) + (th.waits_at == 0 ? " at __syncthreads" : " at a warp shuffle");
    };
    long linear_block = 0;
    for (unsigned z = 0; z < grid.z && c.error.empty(); ++z)
        for (unsigned y = 0; y < grid.y && c.error.empty(); ++y)
            for (unsigned x = 0; x < grid.x && c.error.empty(); ++x, ++linear_block) {
                blockIdx = {x, y, z};
                std::string block_name = "block (" + std::to_string(x) + ", " + std::to_string(y) + ", " +
                                         std::to_string(z) + ")";
                c.parties.assign(1 + warps, 0);
                c.arrived.assign(1 + warps, 0);
                c.parties[0] = n;
                for (int w = 0; w < warps; ++w) c.parties[1 + w] = c.warp_size[w];
                for (int t = 0; t < n; ++t) {
                    auto& th = c.thread[t];
                    c.set_state(t, BlockContext::State::ready);
                    th.waits_at = -1;
                    th.syncs = th.shuffles = 0;
                    th.started = false;
                }
                // Run every ready thread in this block's order, until all have returned.
                const bool descending = linear_block % 2 == 1;
                for (;;) {
                    int next = c.next_ready(descending);
                    if (next < 0) break;
                    c.current = next;
                    threadIdx = {(unsigned)next % block.x, (unsigned)next / block.x % block.y,
                                 (unsigned)next / (block.x * block.y)};
                    c.run(next);
                    if (!c.error.empty()) break;
                }
                if (!c.error.empty()) {
                    c.error += " (" + block_name + ")";
                    break;
                }
                std::string stuck;
                for (int t = 0; t < n; ++t)
                    if (c.thread[t].state != BlockContext::State::done)
                        stuck += (stuck.empty() ? "" : ", ") + where(t);
                if (!stuck.empty()) {
                    c.error = "deadlock in " + block_name + ": threads wait at barriers the others never reach: " +
                              stuck.substr(0, 300);
                    break;
                }
                for (int t = 0; t < n; ++t) {
                    if (c.thread[t].syncs != c.thread[0].syncs)
                        c.error = "divergent __syncthreads in " + block_name + ": thread " + std::to_string(t) +
                                  " passed " + std::to_string(c.thread[t].syncs) + ", thread 0 " +
                                  std::to_string(c.thread[0].syncs);
                    else if (c.thread[t].shuffles != c.thread[t / 32 * 32].shuffles)
                        c.error = "divergent warp shuffles in " + block_name + ", thread " + std::to_string(t);
                    if (!c.error.empty()) break;
                }
            }
    block_context = saved_context;
    fiber_kernel = saved_kernel;
    if (!c.error.empty()) throw std::runtime_error("cuda_on_host: " + c.error);
}

}  // namespace cuda_on_host
