// train_loop.h — the training loop every `aprender` training command shares
// (`aprender train`, `aprender lora train`): flags, schedule, clipping, evaluation,
// CSV log, progress bar.
#pragma once

#include "nn/data.h"
#include "nn/module.h"
#include "tools/cli.h"

#include <functional>
#include <string>

namespace aprender::cli {

struct TrainSettings {
    int64_t steps = 1000, batch = 12, warmup = 100, eval_interval = 100, eval_batches = 20;
    double lr = 1e-3, min_lr = 1e-4, weight_decay = 0.1, grad_clip = 1.0, beta1 = 0.9, beta2 = 0.95;
    std::string schedule = "cosine";  // or "constant"
    nn::SamplerMode sampler = nn::SamplerMode::random;
    uint64_t seed = 1337;
    std::string log_path;  // CSV: step,loss,val_loss,lr,ms
    bool quiet = false;
};

// Declare the shared flags on a parser, and read them back after parse().
void add_training_flags(Parser& p);
TrainSettings training_settings(const Parser& p);

// Refuse, before building it, a model whose training state cannot fit this machine's
// memory: weights, gradients and AdamW's two moments are 4 float32 copies, 16 bytes a
// parameter (activations come on top). `what` names the flags that set the size.
void check_fits_memory(int64_t parameters, const std::string& what);

struct TrainStats {
    double first_loss = 0, last_loss = 0, last_val_loss = -1;  // -1: no validation data
    double seconds = 0, tokens_per_second = 0;
    int64_t interrupted_at = -1;  // steps done when Ctrl-C stopped the run; -1: it ran to the end
    std::string log_error;        // non-empty: the CSV log could not be written completely
    int64_t steps_done(const TrainSettings& s) const { return interrupted_at >= 0 ? interrupted_at : s.steps; }
};

// loss(x, y) -> scalar. Trains every parameter of `model` that requires grad with AdamW.
// `val` may be null. Progress goes to stderr: a bar on a terminal, plain lines otherwise.
// Ctrl-C stops after the current step (TrainStats::interrupted_at), so the caller can
// save the model trained so far; a second Ctrl-C ends the program.
TrainStats train_language_model(nn::Module& model, const std::function<Tensor(const Tensor&, const Tensor&)>& loss,
                                nn::BatchSampler& train, nn::BatchSampler* val, const TrainSettings& s);

// After the model is saved at `saved`: 0 when the run ended normally; otherwise says what
// happened and returns the exit code (130 after Ctrl-C, as a shell expects) or throws
// when the log could not be written.
int report_early_end(const TrainStats& st, const TrainSettings& s, const std::string& saved);

// Mean loss over `batches` batches drawn from `sampler` (model in eval mode, no graph).
double evaluate_loss(nn::Module& model, const std::function<Tensor(const Tensor&, const Tensor&)>& loss,
                     nn::BatchSampler& sampler, int64_t batches);

}  // namespace aprender::cli
