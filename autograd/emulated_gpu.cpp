// emulated_gpu.cpp — a stand-in for a GPU on machines without one (APRENDER_EMULATE_GPU=1),
// so that the *plumbing* of `--device cuda` — every model, batch and result moved to and
// from the device at the right moment — is tested where CI runs, with no GPU.
//
// What makes a GPU different for host code is that its memory is not host memory: a
// pointer to it may be handed around but never read or written by the CPU. Here that is
// enforced by the MMU. Device memory comes from one arena (mmap) that is kept PROT_NONE
// while host code runs; each backend call opens it (mprotect read/write), runs the CPU
// backend's kernel on it, and closes it again. Host code that touches a "device" tensor's
// bytes directly — a missing .to(Device::cpu()) — faults at once, and the handler below
// says so. New blocks are filled with 0xFF bytes (NaN), as APRENDER_CUDA_POISON does on a
// real GPU, so a result read before anything wrote it shows up.
//
// A real GPU cannot read host memory either: a CPU tensor's pointer handed to a kernel is an
// illegal address there. So every pointer a backend call receives is checked to lie in the
// arena, and one that does not is reported with the kernel's name — a tensor that was never
// moved to the device.
//
// What it cannot check: the CUDA kernels themselves (these are the CPU's), speed, and
// asynchrony. The numbers are the CPU's, bit for bit.
#include "autograd/backend.h"
#include "autograd/tensor.h"

#include <fmt/format.h>

#include <execinfo.h>
#include <signal.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <map>
#include <vector>

namespace aprender {

namespace {

constexpr size_t kReserve = size_t(64) << 30;  // address space only: pages exist once touched
constexpr size_t kAlign = 256;                 // cudaMalloc's alignment
constexpr size_t kHuge = size_t(2) << 20;      // a transparent huge page

char* g_arena = nullptr;  // for the fault handler

void on_fault(int sig, siginfo_t* info, void*) {
    char* addr = static_cast<char*>(info->si_addr);
    if (g_arena && addr >= g_arena && addr < g_arena + kReserve) {
        const char msg[] =
            "\naprender: host code touched GPU memory directly (APRENDER_EMULATE_GPU=1 keeps it out of the CPU's "
            "reach, as a real GPU does): a CUDA tensor's bytes were read or written on the host — copy it with "
            ".to(Device::cpu()) first. Where:\n";
        (void)!write(2, msg, sizeof msg - 1);
        void* frames[32];
        backtrace_symbols_fd(frames, backtrace(frames, 32), 2);
    }
    signal(sig, SIG_DFL);  // return and fault again: the default action ends the process
}

class EmulatedGpu final : public Backend {
public:
    EmulatedGpu() {
        // Flipping the protection costs ~60 ns per 4 KiB page; on 2 MiB pages it is ~100x
        // less, so the arena starts on a 2 MiB boundary and asks for transparent huge pages.
        void* p = mmap(nullptr, kReserve + kHuge, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        if (p == MAP_FAILED) throw TensorError("device cuda (emulated): could not reserve address space for its memory");
        base_ = g_arena = reinterpret_cast<char*>((reinterpret_cast<uintptr_t>(p) + kHuge - 1) / kHuge * kHuge);
        madvise(base_, kReserve, MADV_HUGEPAGE);
    }
    const char* name() const override { return "cuda (emulated on the CPU)"; }

    // ---- memory: exact-size free lists over a bump pointer, like a caching allocator ----
    void* allocate(size_t nbytes) override {
        size_t size = (std::max<size_t>(nbytes, 1) + kAlign - 1) / kAlign * kAlign;
        char* p;
        auto& list = free_[size];
        if (!list.empty()) {
            p = list.back();
            list.pop_back();
        } else {
            if (used_ + size > kReserve) throw TensorError("device cuda (emulated): out of memory");
            p = base_ + used_;
            used_ += size;
        }
        Open open(*this);
        std::memset(p, 0xFF, size);  // poison: NaN as a float, -1 as an int
        // The emulation owns SIGSEGV: (re)claimed at each allocation, since a test framework
        // may install its own crash handler after ours (one cheap system call).
        struct sigaction sa = {};
        sa.sa_sigaction = on_fault;
        sa.sa_flags = SA_SIGINFO;
        sigaction(SIGSEGV, &sa, nullptr);
        return p;
    }
    void release(void* ptr, size_t nbytes) override {
        size_t size = (std::max<size_t>(nbytes, 1) + kAlign - 1) / kAlign * kAlign;
        free_[size].push_back(static_cast<char*>(ptr));
    }
    void to_host(void* dst, const void* src, size_t n) override {
        on_device("to_host", src);
        Open open(*this);
        std::memcpy(dst, src, n);
    }
    void from_host(void* dst, const void* src, size_t n) override {
        on_device("from_host", dst);
        Open open(*this);
        std::memcpy(dst, src, n);
    }

    // ---- every kernel: check its pointers, open the arena, run the CPU's, close it -----------
#define APRENDER_FORWARD(method, params, args) \
    void method params override {              \
        on_device_all(#method, APRENDER_UNPAREN args); \
        Open open(*this);                      \
        cpu_backend().method args;             \
    }
#define APRENDER_UNPAREN(...) __VA_ARGS__
    APRENDER_FORWARD(fill, (void* d, int64_t n, double v, DType dt), (d, n, v, dt))
    APRENDER_FORWARD(copy, (const Strided& s, DType sdt, const Strided& d, DType ddt), (s, sdt, d, ddt))
    APRENDER_FORWARD(fill_uniform, (void* d, int64_t n, double lo, double hi, uint64_t s, uint64_t o, DType dt),
                     (d, n, lo, hi, s, o, dt))
    APRENDER_FORWARD(fill_normal, (void* d, int64_t n, double m, double sd, uint64_t s, uint64_t o, DType dt),
                     (d, n, m, sd, s, o, dt))
    APRENDER_FORWARD(unary, (UnaryOp op, const void* x, void* y, int64_t n, double a, double b, DType dt),
                     (op, x, y, n, a, b, dt))
    APRENDER_FORWARD(unary_backward,
                     (UnaryOp op, const void* x, const void* y, const void* gy, void* gx, int64_t n, double a,
                      double b, DType dt),
                     (op, x, y, gy, gx, n, a, b, dt))
    APRENDER_FORWARD(binary, (BinaryOp op, const Strided& a, const Strided& b, void* out, DType dt), (op, a, b, out, dt))
    APRENDER_FORWARD(where,
                     (const Strided& c, DType cdt, const Strided& a, const Strided& b, void* out, DType dt),
                     (c, cdt, a, b, out, dt))
    APRENDER_FORWARD(reduce, (ReduceOp op, const Strided& x, const Strided& out, DType dt), (op, x, out, dt))
    APRENDER_FORWARD(gemm, (const Gemm& g, DType dt), (g, dt))
    APRENDER_FORWARD(softmax, (const void* x, void* y, int64_t r, int64_t c, bool log, bool causal, DType dt),
                     (x, y, r, c, log, causal, dt))
    APRENDER_FORWARD(softmax_backward, (const void* y, const void* gy, void* gx, int64_t r, int64_t c, bool log, DType dt),
                     (y, gy, gx, r, c, log, dt))
    APRENDER_FORWARD(layernorm,
                     (const void* x, const void* w, const void* b, void* y, void* mean, void* rstd, int64_t r,
                      int64_t c, double eps, DType dt),
                     (x, w, b, y, mean, rstd, r, c, eps, dt))
    APRENDER_FORWARD(layernorm_backward,
                     (const void* gy, const void* x, const void* w, const void* mean, const void* rstd, void* gx,
                      void* gw, void* gb, int64_t r, int64_t c, DType dt),
                     (gy, x, w, mean, rstd, gx, gw, gb, r, c, dt))
    APRENDER_FORWARD(embedding,
                     (const int32_t* ids, int64_t n, const void* t, int64_t r, int64_t c, void* out, DType dt),
                     (ids, n, t, r, c, out, dt))
    APRENDER_FORWARD(embedding_backward,
                     (const int32_t* ids, int64_t n, const void* g, int64_t r, int64_t c, void* gt, DType dt),
                     (ids, n, g, r, c, gt, dt))
    APRENDER_FORWARD(cross_entropy,
                     (const void* l, const int32_t* t, int64_t r, int64_t c, int32_t ig, void* loss, void* lse, DType dt),
                     (l, t, r, c, ig, loss, lse, dt))
    APRENDER_FORWARD(cross_entropy_backward,
                     (const void* l, const int32_t* t, const void* lse, int64_t r, int64_t c, int32_t ig, double s,
                      void* gl, DType dt),
                     (l, t, lse, r, c, ig, s, gl, dt))
    APRENDER_FORWARD(gather, (const Strided& x, int64_t dim, const Strided& i, void* out, DType dt), (x, dim, i, out, dt))
    APRENDER_FORWARD(scatter_add, (const Strided& g, int64_t dim, const Strided& i, const Strided& gx, DType dt),
                     (g, dim, i, gx, dt))
    APRENDER_FORWARD(adamw, (void* p, const void* g, void* m, void* v, int64_t n, const AdamW& h, DType dt),
                     (p, g, m, v, n, h, dt))
#undef APRENDER_FORWARD
#undef APRENDER_UNPAREN

private:
    // A kernel's pointer arguments must point into the arena (null: an absent optional input).
    template <class T>
    void on_device(const char* kernel, T* p) const {
        auto c = reinterpret_cast<const char*>(p);
        if (c && !(c >= base_ && c < base_ + used_))
            throw TensorError(fmt::format("device cuda (emulated): the kernel '{}' was handed host memory — an "
                                          "input or output tensor is still on the CPU (move it with "
                                          ".to(device)); on a real GPU this is an illegal memory access",
                                          kernel));
    }
    void on_device(const char* kernel, const Strided& s) const { on_device(kernel, s.data); }
    void on_device(const char* kernel, const Gemm& g) const {
        on_device(kernel, g.a);
        on_device(kernel, g.b);
        on_device(kernel, g.c);
        on_device(kernel, g.bias);
    }
    template <class T>
    void on_device(const char*, const T&) const {}  // sizes, flags, dtypes, hyperparameters
    template <class... Args>
    void on_device_all(const char* kernel, const Args&... args) const {
        (on_device(kernel, args), ...);
    }

    // The arena is readable only inside a backend call (calls do not nest, but a kernel's
    // error path may leave by an exception: the destructor closes it either way).
    struct Open {
        EmulatedGpu& g;
        explicit Open(EmulatedGpu& g) : g(g) { g.protect(PROT_READ | PROT_WRITE); }
        ~Open() { g.protect(PROT_NONE); }
    };
    void protect(int prot) {
        size_t len = (used_ + kHuge - 1) / kHuge * kHuge;  // whole huge pages: none is split
        if (len) mprotect(base_, len, prot);
    }

    char* base_ = nullptr;
    size_t used_ = 0;
    std::map<size_t, std::vector<char*>> free_;
};

}  // namespace

Backend* make_emulated_gpu() {
    static EmulatedGpu* gpu = [] {
        std::fprintf(stderr, "aprender: APRENDER_EMULATE_GPU=1 and no GPU: device cuda is emulated on the CPU "
                             "(the CPU's kernels, on memory the host may not touch)\n");
        return new EmulatedGpu();  // never destroyed, like the real one
    }();
    return gpu;
}

}  // namespace aprender
