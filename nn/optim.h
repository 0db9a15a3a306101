// optim.h — optimizers (SGD, Adam, AdamW), gradient clipping, learning-rate schedules.
//
// An optimizer holds the model's parameters (by name) and, after every backward pass,
// moves each one a little against its gradient:
//
//     AdamW opt(model->named_parameters(), {.lr = 6e-4, .weight_decay = 0.1});
//     for (int64_t step = 0; step < steps; ++step) {
//         opt.set_lr(schedule.lr_at(step));
//         Tensor loss = cross_entropy(model->forward(x), y);
//         opt.zero_grad();
//         loss.backward();
//         clip_grad_norm(model->parameters(), 1.0);
//         opt.step();
//     }
//
// The optimizer keeps handles to the parameter tensors: build it after model->to(device)
// (which swaps every parameter for a tensor on the new device), not before.
//
// Memory: optimizer state (momentum, Adam's two moments) is created lazily, the first
// time a parameter is actually updated, and only for parameters that require grad and
// have a gradient. A frozen model with LoRA adapters therefore pays optimizer memory
// for the adapters only — for AdamW that is 2 extra floats per *trainable* parameter.
//
// State save/load: state_dict() gives NamedTensors that can go into a safetensors file
// next to the model, so training can resume exactly where it stopped:
//     optim.step                     f64 scalar, completed step() calls
//     optim.<param>.step             f64 scalar, Adam/AdamW: this parameter's own t
//     optim.<param>.exp_avg          Adam/AdamW: m, the parameter's shape and dtype
//     optim.<param>.exp_avg_sq       Adam/AdamW: v
//     optim.<param>.momentum_buffer  SGD with momentum
#pragma once

#include "autograd/backend.h"

#include "nn/module.h"

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace aprender::nn {

// A set of parameters that share hyper-parameters (here: the weight decay).
struct ParamGroup {
    std::vector<std::string> names;
    double weight_decay = 0;
};

namespace detail {
// The Adam updates of one step, queued by update() and done together by finish_step():
// the tensors stay referenced until then (a gradient may be a temporary copy).
struct AdamQueue {
    struct Update {
        Tensor p, g, m, v;
        Backend::AdamW h;
    };
    std::vector<Update> updates;
    void run();
};
}  // namespace detail

class Optimizer {
public:
    // A tensor listed twice under two names (tied weights) is kept once, under its first
    // name; an empty list, a repeated name or an integer tensor is std::invalid_argument.
    Optimizer(NamedTensors params, double lr);
    virtual ~Optimizer() = default;
    Optimizer(const Optimizer&) = delete;
    Optimizer& operator=(const Optimizer&) = delete;

    // One update of every parameter that requires grad and has a gradient; the others
    // (frozen, or not reached by this backward) are skipped and get no state.
    void step();
    // Drop every parameter's .grad (the next backward starts afresh).
    void zero_grad();

    double lr() const { return lr_; }
    void set_lr(double lr);
    int64_t steps() const { return step_; }  // completed step() calls
    const std::vector<ParamGroup>& param_groups() const { return groups_; }

    // "optim.step" (f64 scalar) and "optim.<param name>.<buffer>" for every buffer (see above).
    NamedTensors state_dict() const;
    // The inverse; every name must belong to this optimizer's parameters and buffers
    // and every shape must match (a clear error lists what does not).
    void load_state_dict(const NamedTensors& state);
    // Elements held in optimizer state (what LoRA's memory budget cares about).
    int64_t state_numel() const;

protected:
    // Update one parameter. `buffers` holds this parameter's state (empty the first
    // time: fill it with buffer_names().size() tensors).
    virtual void update(const Tensor& p, const Tensor& g, double weight_decay, std::vector<Tensor>& buffers) = 0;
    // Called once after every update of a step: where updates queued by update() are done.
    virtual void finish_step() {}
    virtual std::vector<std::string> buffer_names() const = 0;
    void set_groups(std::vector<ParamGroup> groups);

    NamedTensors params_;
    std::map<std::string, std::vector<Tensor>> state_;  // param name → its buffers
    std::vector<ParamGroup> groups_;
    double lr_;
    int64_t step_ = 0;
};

// SGD with momentum, as PyTorch's torch.optim.SGD (dampening 0):
//     g ← g + wd·p                  (L2 weight decay, folded into the gradient)
//     b ← μ·b + g                   (b = g on the first step)
//     p ← p − lr·b                  (or p − lr·(g + μ·b) with nesterov)
struct SGDOptions {
    double lr = 0.01, momentum = 0, weight_decay = 0;
    bool nesterov = false;
};
class SGD : public Optimizer {
public:
    SGD(NamedTensors params, SGDOptions opt = {});
    SGDOptions options;

protected:
    void update(const Tensor& p, const Tensor& g, double wd, std::vector<Tensor>& buffers) override;
    std::vector<std::string> buffer_names() const override;
};

// Adam (Kingma & Ba). At step t, per element:
//     g ← g + wd·p                        (Adam's own, *coupled* L2 decay; default off)
//     m ← β1·m + (1−β1)·g                 v ← β2·v + (1−β2)·g²
//     m̂ = m / (1−β1^t)                    v̂ = v / (1−β2^t)     (bias correction)
//     p ← p − lr · m̂ / (√v̂ + ε)
struct AdamOptions {
    double lr = 1e-3, beta1 = 0.9, beta2 = 0.999, eps = 1e-8, weight_decay = 0;
};
class Adam : public Optimizer {
public:
    Adam(NamedTensors params, AdamOptions opt = {});
    AdamOptions options;

protected:
    void update(const Tensor& p, const Tensor& g, double wd, std::vector<Tensor>& buffers) override;
    void finish_step() override;
    detail::AdamQueue queue_;
    std::vector<std::string> buffer_names() const override { return {"step", "exp_avg", "exp_avg_sq"}; }
};

// AdamW (Loshchilov & Hutter): Adam, with the decay *decoupled* from the gradient:
//     p ← p − lr · (wd·p + m̂ / (√v̂ + ε))
// With coupled L2 the decay is divided by √v̂ like the gradient, so weights with large
// gradients are barely decayed; decoupling shrinks every weight by the same factor.
// Runs as one fused kernel over all the parameters of a step (backend(device).adamw_many:
// on a GPU a few launches, not one per tensor).
//
// Parameter groups, as nanoGPT: tensors with dim ≥ 2 (matmul weights, embeddings) are
// decayed; biases and LayerNorm gains (dim < 2) are not. `decay` overrides the rule.
struct AdamWOptions {
    double lr = 1e-3, beta1 = 0.9, beta2 = 0.999, eps = 1e-8, weight_decay = 0.01;
    std::function<bool(const std::string& name, const Tensor& p)> decay = {};  // empty: p.dim() >= 2
};
class AdamW : public Optimizer {
public:
    AdamW(NamedTensors params, AdamWOptions opt = {});
    AdamWOptions options;

protected:
    void update(const Tensor& p, const Tensor& g, double wd, std::vector<Tensor>& buffers) override;
    void finish_step() override;
    detail::AdamQueue queue_;
    std::vector<std::string> buffer_names() const override { return {"step", "exp_avg", "exp_avg_sq"}; }
};

// Scale all gradients together so that their global L2 norm
// ‖g‖ = sqrt(Σ_params Σ_i g_i²) is at most max_norm (factor max_norm / (‖g‖ + 1e-6),
// as PyTorch). Returns ‖g‖ before clipping. Parameters without a gradient are ignored.
// A non-finite norm (a nan/inf gradient) is returned as is and nothing is scaled:
// check the return value to skip such a step.
double clip_grad_norm(const std::vector<Tensor>& params, double max_norm);

// Learning rate as a function of the step (0-based).
//   constant:       lr_at(s) = max_lr
//   warmup_cosine:  s < warmup:            max_lr · (s + 1) / warmup      (linear ramp)
//                   warmup ≤ s ≤ total:    min_lr + ½(1 + cos(π·r))·(max_lr − min_lr),
//                                          r = (s − warmup) / (total − warmup)
//                   s > total:             min_lr
// so lr_at(warmup) = max_lr and lr_at(total) = min_lr (nanoGPT's get_lr, with the ramp
// shifted by one so that step 0 does not have lr 0).
class LrSchedule {
public:
    static LrSchedule constant(double lr);
    static LrSchedule warmup_cosine(double max_lr, int64_t warmup_steps, int64_t total_steps, double min_lr);
    double lr_at(int64_t step) const;
    double operator()(int64_t step) const { return lr_at(step); }

private:
    bool cosine_ = false;
    double max_lr_ = 0, min_lr_ = 0;
    int64_t warmup_ = 0, total_ = 0;
};

}  // namespace aprender::nn
