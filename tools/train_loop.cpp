// train_loop.cpp — see train_loop.h.
#include "tools/train_loop.h"

#include "nn/optim.h"

#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <cmath>
#include <filesystem>
#include <fstream>

namespace aprender::cli {

// Ctrl-C during training: the first one asks the loop to stop after the current step, so
// the caller saves what was trained; the handler then steps aside, and a second Ctrl-C
// ends the program at once, as usual.
static volatile std::sig_atomic_t interrupted = 0;

extern "C" void on_interrupt(int) {
    interrupted = 1;
    std::signal(SIGINT, SIG_DFL);
}

struct StopOnInterrupt {
    void (*previous)(int);
    StopOnInterrupt() : previous(std::signal(SIGINT, on_interrupt)) { interrupted = 0; }
    ~StopOnInterrupt() { std::signal(SIGINT, previous); }
};

void add_training_flags(Parser& p) {
    p.option("--steps", "N", "optimizer steps", "1000");
    p.option("--batch", "B", "sequences per batch", "12");
    p.option("--lr", "X", "peak learning rate", "1e-3");
    p.option("--min-lr", "X", "final learning rate of the cosine schedule", "1e-4");
    p.option("--schedule", "NAME", "constant | cosine (linear warm-up, then cosine decay)", "cosine");
    p.option("--warmup", "N", "warm-up steps of the cosine schedule (auto: 100, at most a tenth of --steps)", "auto");
    p.option("--weight-decay", "X", "AdamW's decoupled weight decay (matrices only)", "0.1");
    p.option("--grad-clip", "X", "clip the global gradient norm (0 = off)", "1.0");
    p.option("--eval-interval", "N", "evaluate on the validation data every N steps", "100");
    p.option("--eval-batches", "N", "batches per evaluation (at most one pass over the validation data)", "20");
    p.option("--sampler", "NAME", "random | sequential (batch k = windows at k·B·T + j·T)", "random");
    p.option("--seed", "N", "random seed (initialisation, batches, dropout)", "1337");
    p.option("--log", "PATH", "write step,loss,val_loss,lr,ms as CSV (an existing file needs --force)", "");
    p.flag("--quiet", "no progress output");
}

TrainSettings training_settings(const Parser& p) {
    TrainSettings s;
    s.steps = p.integer("--steps");
    s.batch = p.integer("--batch");
    s.lr = p.number("--lr");
    s.min_lr = p.number("--min-lr");
    s.schedule = p.str("--schedule");
    // A fixed 100-step warm-up would make a 20-step run all warm-up: its learning rate
    // would still be climbing at the end and the cosine decay never happen.
    s.warmup = p.str("--warmup") == "auto" ? std::min<int64_t>(100, s.steps / 10) : p.integer("--warmup");
    s.weight_decay = p.number("--weight-decay");
    s.grad_clip = p.number("--grad-clip");
    s.eval_interval = p.integer("--eval-interval");
    s.eval_batches = p.integer("--eval-batches");
    s.seed = p.seed("--seed");
    s.log_path = p.str("--log");
    s.quiet = p.on("--quiet");
    if (s.steps < 1) throw UsageError("--steps must be at least 1");
    if (s.batch < 1) throw UsageError("--batch must be at least 1");
    // Written as !(ok) so that NaN, which fails every comparison, is refused too.
    if (!(s.lr > 0 && std::isfinite(s.lr))) throw UsageError(fmt::format("--lr must be a positive number, got {}", s.lr));
    if (s.schedule == "cosine" && !(s.min_lr >= 0 && s.min_lr <= s.lr))
        throw UsageError(fmt::format("--min-lr must be between 0 and --lr ({}), got {}", s.lr, s.min_lr));
    if (!(s.weight_decay >= 0 && std::isfinite(s.weight_decay)))
        throw UsageError(fmt::format("--weight-decay must be a finite number ≥ 0, got {}", s.weight_decay));
    if (!(s.grad_clip >= 0 && std::isfinite(s.grad_clip)))
        throw UsageError(fmt::format("--grad-clip must be a finite number ≥ 0 (0 = off), got {}", s.grad_clip));
    if (s.schedule != "cosine" && s.schedule != "constant")
        throw UsageError("--schedule must be constant or cosine, got '" + s.schedule + "'");
    if (s.warmup < 0 || s.warmup >= s.steps)
        throw UsageError(fmt::format("--warmup must be ≥ 0 and less than --steps ({}), got {}", s.steps, s.warmup));
    if (s.eval_interval < 1 || s.eval_batches < 1) throw UsageError("--eval-interval and --eval-batches must be ≥ 1");
    try {
        s.sampler = nn::parse_sampler_mode(p.str("--sampler"));
    } catch (const std::exception& e) {
        throw UsageError(std::string("--sampler: ") + e.what());
    }
    return s;
}

int report_early_end(const TrainStats& st, const TrainSettings& s, const std::string& saved) {
    if (!st.log_error.empty()) throw std::runtime_error(st.log_error + " (the model was saved: " + saved + ")");
    if (st.interrupted_at < 0) return 0;
    fmt::print("stopped by Ctrl-C: {} holds the model after {} of {} steps\n", saved, st.interrupted_at, s.steps);
    return 130;
}

void check_fits_memory(int64_t parameters, const std::string& what) {
    double need = 16.0 * (double)parameters;
    double have = (double)sysconf(_SC_PHYS_PAGES) * (double)sysconf(_SC_PAGE_SIZE);
    if (have > 0 && need > have)
        throw UsageError(fmt::format("{} make a model of {} parameters: training it needs {:.1f} GiB (weights, gradients, "
                                     "AdamW state), more than this machine's {:.1f} GiB",
                                     what, parameters, need / (1 << 30), have / (1 << 30)));
}

double evaluate_loss(nn::Module& model, const std::function<Tensor(const Tensor&, const Tensor&)>& loss,
                     nn::BatchSampler& sampler, int64_t batches) {
    NoGradGuard no_grad;
    bool was_training = model.is_training();
    model.eval();
    double total = 0;
    Device dev = model.device();
    for (int64_t i = 0; i < batches; ++i) {
        nn::Batch b = sampler.batch_at(i);
        total += loss(b.x.to(dev), b.y.to(dev)).item();
    }
    model.train(was_training);
    return total / (double)batches;
}

TrainStats train_language_model(nn::Module& model, const std::function<Tensor(const Tensor&, const Tensor&)>& loss,
                                nn::BatchSampler& train, nn::BatchSampler* val, const TrainSettings& s) {
    nn::AdamWOptions ao;
    ao.lr = s.lr;
    ao.beta1 = s.beta1;
    ao.beta2 = s.beta2;
    ao.weight_decay = s.weight_decay;
    nn::AdamW opt(model.named_parameters(true), ao);
    nn::LrSchedule schedule = s.schedule == "constant"
                                  ? nn::LrSchedule::constant(s.lr)
                                  : nn::LrSchedule::warmup_cosine(s.lr, s.warmup, s.steps, s.min_lr);
    std::ofstream log;
    if (!s.log_path.empty()) {
        log.open(s.log_path);
        if (!log) throw std::runtime_error(fmt::format("cannot write the log file {}: {}", s.log_path, std::strerror(errno)));
        log << "step,loss,val_loss,lr,ms\n";
    }
    StopOnInterrupt interrupt;
    bool tty = isatty(2);
    int64_t tokens_per_step = train.batch_size() * train.block_size();
    Device dev = model.device();
    model.train();
    TrainStats st;
    auto start = std::chrono::steady_clock::now();
    double smoothed = 0;
    for (int64_t step = 0; step < s.steps; ++step) {
        if (interrupted) {
            st.interrupted_at = step;
            if (!s.quiet) fmt::print(stderr, "\ninterrupted (Ctrl-C) after {} of {} steps\n", step, s.steps);
            break;
        }
        auto t0 = std::chrono::steady_clock::now();
        double lr = schedule.lr_at(step);
        opt.set_lr(lr);
        nn::Batch b = train.next();
        Tensor l = loss(b.x.to(dev), b.y.to(dev));
        opt.zero_grad();
        l.backward();
        if (s.grad_clip > 0) nn::clip_grad_norm(model.parameters(true), s.grad_clip);
        opt.step();
        double lv = l.item();
        if (!std::isfinite(lv))
            throw std::runtime_error(fmt::format("training diverged at step {} (loss {}); try a smaller --lr", step + 1, lv));
        double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
        if (step == 0) st.first_loss = smoothed = lv;
        smoothed = 0.9 * smoothed + 0.1 * lv;
        st.last_loss = lv;
        bool eval_now = val && ((step + 1) % s.eval_interval == 0 || step + 1 == s.steps);
        // more batches than the validation data holds would only measure the same windows again
        double val_loss = eval_now ? evaluate_loss(model, loss, *val, std::min(s.eval_batches, val->epoch_batches())) : -1;
        if (eval_now) st.last_val_loss = val_loss;
        double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        double tps = (double)(tokens_per_step * (step + 1)) / elapsed;
        if (log)
            log << step + 1 << ',' << lv << ',' << (eval_now ? fmt::format("{}", val_loss) : "") << ',' << lr << ','
                << ms << '\n';
        if (s.quiet) continue;
        if (tty) {
            int width = 30, filled = (int)(width * (step + 1) / s.steps);
            fmt::print(stderr, "\r[{}{}] {}/{} loss {:.4f} lr {:.2e} {:.0f} tok/s", std::string(filled, '#'),
                       std::string(width - filled, '.'), step + 1, s.steps, smoothed, lr, tps);
            if (eval_now) fmt::print(stderr, "  val {:.4f}\n", val_loss);
            if (step + 1 == s.steps) fmt::print(stderr, "\n");
        } else if (eval_now || (step + 1) % s.eval_interval == 0 || step == 0 || step + 1 == s.steps) {
            fmt::print(stderr, "step {}/{} loss {:.4f}{} lr {:.2e} {:.0f} tok/s\n", step + 1, s.steps, lv,
                       eval_now ? fmt::format(" val {:.4f}", val_loss) : "", lr, tps);
        }
    }
    st.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    int64_t done = st.interrupted_at >= 0 ? st.interrupted_at : s.steps;
    st.tokens_per_second = (double)(tokens_per_step * done) / st.seconds;
    if (log.is_open() && !log.flush())  // a full disk: reported, after the model is saved, by the caller
        st.log_error = fmt::format("writing the log file {} failed", s.log_path);
    return st;
}

}  // namespace aprender::cli
