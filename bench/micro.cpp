// micro.cpp — how fast are the kernels? GFLOP/s for matmul (ours vs a raw cblas_sgemm
// call: the difference is our overhead — checks, allocation, dispatch, our own thread
// split) and GB/s for memory-bound elementwise ops and reductions (bytes read + written
// per second).
//
// Each figure is the best of several repetitions (after a warm-up), which measures
// what the code can do rather than what the scheduler did to it.
#include "autograd/ops.h"
#include "autograd/parallel.h"
#include "tools/cli.h"

#include <cblas.h>
#include <fmt/format.h>

#include <chrono>
#include <functional>

using namespace aprender;

namespace {

// Best time of one call of f, in seconds: at least 3 runs and ~0.2 s of measuring.
double best_seconds(const std::function<void()>& f) {
    using clock = std::chrono::steady_clock;
    f();  // warm-up: page faults, OpenBLAS thread start-up
    double best = 1e30, total = 0;
    for (int rep = 0; rep < 3 || (total < 0.2 && rep < 1000); ++rep) {
        auto t0 = clock::now();
        f();
        double s = std::chrono::duration<double>(clock::now() - t0).count();
        best = std::min(best, s);
        total += s;
    }
    return best;
}

}  // namespace

int main(int argc, char** argv) try {
    cli::Parser p("micro", "Matmul GFLOP/s against a raw cblas_sgemm call, and GB/s of elementwise ops and "
                           "reductions, on the CPU (best of several runs). Takes no options.");
    if (!p.parse(argc, argv)) return 0;
    NoGradGuard no_grad;  // pure forward speed: nothing recorded
    Generator gen(0);
    // aprender runs OpenBLAS single-threaded and splits products over its own pool
    // (autograd/parallel.h); the baseline is OpenBLAS with its own threads, as many.
    int threads = num_threads();
    fmt::print("aprender micro-benchmarks — {}; aprender's pool: {} threads; raw cblas_sgemm: OpenBLAS with {} threads\n\n",
               openblas_get_config(), threads, threads);

    fmt::print("matmul float32, n x n @ n x n        GFLOP/s\n");
    fmt::print("{:>6} {:>12} {:>12} {:>8}\n", "n", "aprender", "cblas_sgemm", "ratio");
    double ratio512 = 0;
    for (int64_t n : {64, 128, 256, 512, 1024, 2048}) {
        Tensor a = Tensor::normal({n, n}, 0, 1, gen), b = Tensor::normal({n, n}, 0, 1, gen);
        Tensor c = Tensor::empty({n, n});
        double flops = 2.0 * n * n * n;
        double ours = flops / best_seconds([&] { matmul(a, b); }) * 1e-9;
        openblas_set_num_threads(threads);
        double raw = flops / best_seconds([&] {
                         cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0f, a.data<float>(), n,
                                     b.data<float>(), n, 0.0f, c.data<float>(), n);
                     }) * 1e-9;
        openblas_set_num_threads(1);
        if (n == 512) ratio512 = ours / raw;
        fmt::print("{:>6} {:>12.1f} {:>12.1f} {:>8.2f}\n", n, ours, raw, ours / raw);
    }
    fmt::print("ratio aprender/cblas at 512: {:.2f} (target >= 0.80)\n\n", ratio512);

    // A transposed operand goes to BLAS as a flag, not a copy: it should cost nothing.
    {
        int64_t n = 512;
        Tensor a = Tensor::normal({n, n}, 0, 1, gen), b = Tensor::normal({n, n}, 0, 1, gen);
        double flops = 2.0 * n * n * n;
        fmt::print("matmul 512 with b transposed (a view): {:.1f} GFLOP/s\n\n",
                   flops / best_seconds([&] { matmul(a, b.t()); }) * 1e-9);
    }

    fmt::print("elementwise / reductions, float32, n x n     GB/s (bytes read + written)\n");
    fmt::print("{:>6} {:>9} {:>13} {:>9} {:>9} {:>9}\n", "n", "add", "mul [n]-bcast", "gelu", "sum", "softmax");
    for (int64_t n : {64, 256, 1024, 2048}) {
        Tensor a = Tensor::normal({n, n}, 0, 1, gen), b = Tensor::normal({n, n}, 0, 1, gen);
        Tensor row = Tensor::normal({n}, 0, 1, gen);
        double e = 4.0 * n * n;  // bytes of one n x n float32 tensor
        auto gbs = [](double bytes, double s) { return bytes / s * 1e-9; };
        double add_ = gbs(3 * e, best_seconds([&] { add(a, b); }));
        double mulb = gbs(2 * e + 4.0 * n, best_seconds([&] { mul(a, row); }));
        double gelu_ = gbs(2 * e, best_seconds([&] { gelu(a); }));
        double sum_ = gbs(e, best_seconds([&] { sum(a); }));
        double soft = gbs(2 * e, best_seconds([&] { softmax(a); }));
        fmt::print("{:>6} {:>9.2f} {:>13.2f} {:>9.2f} {:>9.2f} {:>9.2f}\n", n, add_, mulb, gelu_, sum_, soft);
    }

    // Reductions of a [4096, 1024] float32 tensor (16 MiB) along each axis and to a
    // scalar: the rows a loss, a layer norm and a bias gradient need.
    {
        Tensor a = Tensor::normal({4096, 1024}, 0, 1, gen);
        double e = 4.0 * a.numel();
        auto gbs = [&](const std::function<void()>& f) { return e / best_seconds(f) * 1e-9; };
        fmt::print("\nreductions, float32 [4096, 1024]     GB/s (bytes read)\n");
        fmt::print("{:>12} {:>12} {:>12} {:>12}\n", "sum(-1)", "sum(0)", "sum (all)", "amax(-1)");
        fmt::print("{:>12.2f} {:>12.2f} {:>12.2f} {:>12.2f}\n", gbs([&] { sum(a, {-1}); }), gbs([&] { sum(a, {0}); }),
                   gbs([&] { sum(a); }), gbs([&] { amax(a, {-1}); }));
    }
    return 0;
} catch (const cli::UsageError& e) {
    fmt::print(stderr, "{}\n", e.what());
    return 2;
}
