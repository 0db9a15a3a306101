// gpt_step — time one GPT training step (forward + backward + AdamW) on random tokens,
// the same model, step and FLOP count as ../shared/bench/torch_gpt.py (PyTorch's twin).
//
//   build/bench/gpt_step --config tiny|small|medium [--forward-only] [--lora R]
//                        [--steps N] [--warmup N] [--threads N] [--seed N] [--device cpu|cuda] [--tf32] [--json]
//   (--tf32 only with --device cuda)
//
// FLOPs per step (nanoGPT/PaLM convention, matmuls only, one multiply-add = 2 FLOPs):
//   training: tokens·(6N + 12·L·T·C)   forward only: tokens·(2N + 4·L·T·C)
//   LoRA:     tokens·(4N + 12·L·T·C + 6·N_lora)   (frozen weights need no weight gradient)
// N = parameters other than wte and wpe (and other than the adapters), T = block_size.
#include "autograd/parallel.h"
#include "lora/baselines.h"
#include "lora/lora.h"
#include "nn/gpt.h"
#include "nn/optim.h"
#include "tools/cli.h"

#include <fmt/format.h>
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>

using namespace aprender;

namespace {

struct BenchConfig {
    nn::GPTConfig model;
    int64_t batch;
};

BenchConfig named_config(const std::string& name) {
    BenchConfig c;
    nn::GPTConfig& m = c.model;
    if (name == "tiny") {  // nanoGPT's documented CPU config
        m.vocab_size = 65, m.block_size = 64, m.n_layer = 4, m.n_head = 4, m.n_embd = 128, c.batch = 12;
    } else if (name == "small") {
        m.vocab_size = 512, m.block_size = 128, m.n_layer = 4, m.n_head = 4, m.n_embd = 256, c.batch = 16;
    } else if (name == "medium") {  // nanoGPT's shakespeare-char GPU config
        m.vocab_size = 65, m.block_size = 256, m.n_layer = 6, m.n_head = 6, m.n_embd = 384, c.batch = 64;
    } else {
        throw cli::UsageError("gpt_step: --config must be tiny, small or medium, got '" + name + "'");
    }
    return c;
}

double peak_rss_mib() {
    rusage r{};
    getrusage(RUSAGE_SELF, &r);
    return r.ru_maxrss / 1024.0;
}

}  // namespace

int main(int argc, char** argv) try {
    cli::Parser p("gpt_step", "Time a GPT training step (or forward) on random tokens; PyTorch's twin is "
                              "../shared/bench/torch_gpt.py.");
    p.option("--config", "NAME", "tiny | small | medium", "tiny");
    p.option("--steps", "N", "timed steps", "20");
    p.option("--warmup", "N", "untimed warm-up steps", "3");
    p.option("--threads", "N", "CPU threads (aprender's pool, which splits the matrix products too; "
                               "give the twin the same)", "2");
    p.option("--lora", "R", "LoRA rank on q_proj and v_proj (0 = train everything)", "0");
    p.option("--device", "DEV", "cpu or cuda", "cpu");
    p.option("--seed", "N", "random seed", "1337");
    p.flag("--forward-only", "time the inference forward pass (no gradients)");
    p.flag("--tf32", "with --device cuda: allow TF32 tensor cores in float32 matmuls (off by default, as the twin)");
    p.flag("--json", "also print one machine-readable JSON line");
    if (!p.parse(argc, argv)) return 0;

    BenchConfig bc = named_config(p.str("--config"));
    const nn::GPTConfig& cfg = bc.model;
    int64_t B = bc.batch, T = cfg.block_size, steps = p.integer("--steps"), warmup = p.integer("--warmup");
    int64_t lora_r = p.integer("--lora");
    bool forward_only = p.on("--forward-only");
    if (steps <= 0 || warmup < 0) throw cli::UsageError("gpt_step: --steps must be positive and --warmup ≥ 0");
    if (lora_r < 0) throw cli::UsageError(fmt::format("gpt_step: --lora must be ≥ 0 (0 = train everything), got {}", lora_r));
    int64_t threads = p.integer("--threads");
    if (threads < 1 || threads > 1024) throw cli::UsageError(fmt::format("gpt_step: --threads must be 1 to 1024, got {}", threads));
    set_num_threads((int)threads);  // OpenBLAS itself runs single-threaded inside our pool
    Device device = Device::parse(p.str("--device"));
    // TF32 tensor cores exist only on a CUDA GPU: on the CPU the flag would change nothing while
    // the output said tf32=1 beside the timings.
    if (p.on("--tf32") && !device.is_cuda())
        throw cli::UsageError(fmt::format("gpt_step: --tf32 allows TF32 tensor cores, which only CUDA GPUs have: "
                                          "give it with --device cuda (this run is on {})",
                                          device.str()));
    // The CUDA backend reads this when it starts (the first CUDA tensor): the benchmark
    // needs no CUDA header, so it builds the same with and without CUDA.
    if (p.on("--tf32")) setenv("APRENDER_ALLOW_TF32", "1", 1);

    auto model = std::make_shared<nn::GPT>(cfg, (uint64_t)p.integer("--seed"));
    int64_t n_lora = 0;
    if (lora_r > 0) {
        lora::Config lc;
        lc.r = lora_r;
        lc.alpha = 2.0 * (double)lora_r;  // as torch_gpt.py
        lora::apply(*model, lc);
        for (auto& [name, t] : model->named_parameters())
            if (name.find(".lora_") != std::string::npos) n_lora += t.numel();
    }
    model->to(device);
    int64_t n_total = model->num_parameters(), n_train = model->num_parameters(true);
    int64_t n_nonemb = n_total - model->wte->weight.numel() - model->wpe->weight.numel() - n_lora;
    double tokens = (double)(B * T), attn = (double)(cfg.n_layer * T * cfg.n_embd);
    double flops = forward_only ? tokens * (2.0 * n_nonemb + 4 * attn)
                   : lora_r > 0 ? tokens * (4.0 * n_nonemb + 12 * attn + 6.0 * n_lora)
                                : tokens * (6.0 * n_nonemb + 12 * attn);

    // a pool of 8 random batches, cycled (as the twin)
    Generator gen(42);
    std::vector<std::pair<Tensor, Tensor>> pool;
    for (int i = 0; i < 8; ++i) {
        std::vector<float> u = Tensor::uniform({B, T + 1}, 0, (double)cfg.vocab_size, gen).to_vector<float>();
        std::vector<int32_t> x, y;
        for (int64_t b = 0; b < B; ++b)
            for (int64_t t = 0; t <= T; ++t) {
                int32_t id = std::min<int32_t>((int32_t)u[b * (T + 1) + t], (int32_t)cfg.vocab_size - 1);
                if (t < T) x.push_back(id);
                if (t > 0) y.push_back(id);
            }
        pool.emplace_back(Tensor::from(x, {B, T}).to(device), Tensor::from(y, {B, T}).to(device));
    }

    nn::AdamWOptions ao;
    ao.lr = 1e-3;
    ao.beta1 = 0.9;
    ao.beta2 = 0.95;
    ao.weight_decay = 0.1;
    nn::AdamW opt(model->named_parameters(), ao);
    std::vector<double> times, losses;
    if (forward_only) model->eval();
    for (int64_t i = 0; i < warmup + steps; ++i) {
        auto& [x, y] = pool[i % pool.size()];
        auto t0 = std::chrono::steady_clock::now();
        double loss;
        if (forward_only) {
            NoGradGuard ng;
            loss = model->loss(x, y).item();
        } else {
            Tensor l = model->loss(x, y);
            opt.zero_grad();
            l.backward();
            opt.step();
            loss = l.item();
        }
        double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
        if (i >= warmup) {
            times.push_back(ms);
            losses.push_back(loss);
        }
    }
    std::vector<double> sorted = times;
    std::sort(sorted.begin(), sorted.end());
    double med = sorted[sorted.size() / 2];
    if (sorted.size() % 2 == 0) med = 0.5 * (sorted[sorted.size() / 2 - 1] + sorted[sorted.size() / 2]);
    std::string mode = forward_only ? "forward" : lora_r > 0 ? "lora" : "train";
    fmt::print("config: {} vocab={} block={} batch={} n_layer={} n_head={} n_embd={} mode={} lora_r={} threads={} device={} tf32={}\n",
               p.str("--config"), cfg.vocab_size, T, B, cfg.n_layer, cfg.n_head, cfg.n_embd, mode, lora_r,
               p.integer("--threads"), device.str(), p.on("--tf32") ? 1 : 0);
    fmt::print("params total: {}\nparams trainable: {}\nparams non-embedding (N for FLOPs): {}   lora params: {}\n",
               n_total, n_train, n_nonemb, n_lora);
    fmt::print("loss first/last timed step: {:.4f} / {:.4f}\n", losses.front(), losses.back());
    fmt::print("step ms: median {:.2f}  min {:.2f}  max {:.2f}  (n={} after {} warm-up)\n", med, sorted.front(),
               sorted.back(), times.size(), warmup);
    fmt::print("tokens/s: {:.0f}\n", tokens / (med / 1e3));
    fmt::print("model FLOPs/step: {:.3f} GFLOP   achieved: {:.2f} GFLOP/s\n", flops / 1e9, flops / (med / 1e3) / 1e9);
    fmt::print("peak RSS: {:.1f} MiB\n", peak_rss_mib());
    if (!forward_only) {  // the accounting the tutorials print, beside what the process really used
        lora::MemoryReport mr = lora::memory_report(*model, B, T);
        fmt::print("memory accounting: weights {} + gradients {} + AdamW state {} + activations (estimate) {} = {}"
                   " (peak RSS {:.1f} MiB also holds the program, OpenBLAS buffers and freed blocks kept for reuse)\n",
                   lora::human_bytes(mr.frozen_bytes + mr.trainable_bytes), lora::human_bytes(mr.gradient_bytes),
                   lora::human_bytes(mr.optimizer_bytes), lora::human_bytes(mr.activation_bytes),
                   lora::human_bytes(mr.total()), peak_rss_mib());
    }
    if (p.on("--json"))
        fmt::print("JSON {{\"config\": \"{}\", \"mode\": \"{}\", \"ms_median\": {:.3f}, \"ms_min\": {:.3f}, \"ms_max\": {:.3f}, "
                   "\"gflops\": {:.3f}, \"peak_rss_mib\": {:.1f}, \"params_total\": {}, \"params_trainable\": {}}}\n",
                   p.str("--config"), mode, med, sorted.front(), sorted.back(), flops / (med / 1e3) / 1e9, peak_rss_mib(),
                   n_total, n_train);
    return 0;
} catch (const cli::UsageError& e) {
    fmt::print(stderr, "{}\n", e.what());
    return 2;
} catch (const std::exception& e) {
    fmt::print(stderr, "gpt_step: error: {}\n", e.what());
    return 1;
}
