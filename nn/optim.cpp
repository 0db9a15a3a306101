// optim.cpp — SGD, Adam, AdamW, gradient clipping and learning-rate schedules (optim.h).
#include "nn/optim.h"

#include "autograd/backend.h"

#include <fmt/format.h>

#include <cmath>
#include <set>
#include <stdexcept>

namespace aprender::nn {

static void check_hparam(bool ok, const std::string& what) {
    if (!ok) throw std::invalid_argument("optimizer: " + what);
}

// ---- the base: bookkeeping shared by every optimizer ------------------------------------

Optimizer::Optimizer(NamedTensors params, double lr) {
    std::set<std::string> names;
    std::set<TensorImpl*> seen;
    for (auto& [name, p] : params) {
        if (!p.defined()) throw std::invalid_argument(fmt::format("optimizer: parameter '{}' is undefined", name));
        if (!is_floating(p.dtype()))
            throw std::invalid_argument(fmt::format("optimizer: parameter '{}' is {}, not floating", name, dtype_name(p.dtype())));
        if (!names.insert(name).second)
            throw std::invalid_argument(fmt::format("optimizer: parameter name '{}' appears twice", name));
        // A tied tensor listed twice would be updated twice per step: keep the first name.
        if (seen.insert(&p.impl()).second) params_.emplace_back(name, p);
    }
    // PyTorch says the same: an optimizer over nothing is always a mistake (a model whose
    // parameters were all frozen, or a list filtered by the wrong name).
    if (params_.empty()) throw std::invalid_argument("optimizer: got no parameters to optimize");
    ParamGroup all;
    for (auto& [name, p] : params_) all.names.push_back(name);
    groups_ = {all};
    set_lr(lr);
}

void Optimizer::set_lr(double lr) {
    check_hparam(std::isfinite(lr) && lr >= 0, fmt::format("learning rate must be a finite number >= 0, got {}", lr));
    lr_ = lr;
}

void Optimizer::set_groups(std::vector<ParamGroup> groups) { groups_ = std::move(groups); }

void Optimizer::step() {
    NoGradGuard no_grad;  // updates are not part of any graph
    std::map<std::string, const Tensor*> by_name;
    for (auto& [name, p] : params_) by_name[name] = &p;
    try {
        for (const ParamGroup& group : groups_)
            for (const std::string& name : group.names) {
                const Tensor& p = *by_name.at(name);
                if (!p.requires_grad()) continue;  // frozen: no update, no state
                Tensor g = p.grad();
                if (!g.defined()) continue;        // not reached by this backward pass
                if (g.shape() != p.shape() || g.dtype() != p.dtype() || !(g.device() == p.device()))
                    throw std::runtime_error(fmt::format("optimizer: the gradient of '{}' ({} {}) does not match the parameter ({} {})",
                                                         name, shape_str(g.shape()), dtype_name(g.dtype()),
                                                         shape_str(p.shape()), dtype_name(p.dtype())));
                if (!p.is_contiguous())
                    throw std::runtime_error(fmt::format("optimizer: parameter '{}' is not contiguous", name));
                update(p, g.contiguous(), group.weight_decay, state_[name]);
                p.bump_version();  // its numbers change: a graph that saved them can no longer run backward
            }
    } catch (...) {
        finish_step();  // the updates queued before a refused parameter are done, as if each ran at once
        throw;
    }
    finish_step();
    ++step_;
}

void Optimizer::zero_grad() {
    for (auto& [name, p] : params_) p.zero_grad();
}

NamedTensors Optimizer::state_dict() const {
    NamedTensors out;
    out.emplace_back("optim.step", Tensor::scalar((double)step_, DType::f64));
    std::vector<std::string> bufs = buffer_names();
    for (auto& [name, p] : params_) {  // parameter order, so files are stable
        auto it = state_.find(name);
        if (it == state_.end()) continue;
        for (size_t i = 0; i < it->second.size(); ++i) out.emplace_back("optim." + name + "." + bufs[i], it->second[i]);
    }
    return out;
}

void Optimizer::load_state_dict(const NamedTensors& state) {
    std::map<std::string, const Tensor*> given;
    for (auto& [name, t] : state) given[name] = &t;
    std::vector<std::string> bufs = buffer_names();
    std::set<std::string> used;
    auto fail = [](const std::string& what) { return std::runtime_error("optimizer load_state_dict: " + what); };

    auto step_it = given.find("optim.step");
    if (step_it == given.end()) throw fail("no 'optim.step' in the state");
    if (step_it->second->numel() != 1) throw fail("'optim.step' must hold one number");
    used.insert("optim.step");

    std::map<std::string, std::vector<Tensor>> loaded;
    for (auto& [name, p] : params_) {
        std::vector<Tensor> buffers;
        std::vector<std::string> missing;
        for (const std::string& b : bufs) {
            std::string key = "optim." + name + "." + b;
            auto it = given.find(key);
            if (it == given.end()) {
                missing.push_back(key);
                continue;
            }
            used.insert(key);
            const Tensor& t = *it->second;
            bool is_step = b == "step";  // the per-parameter step count: a CPU f64 scalar
            Shape want = is_step ? Shape{} : p.shape();
            if (t.shape() != want)
                throw fail(fmt::format("'{}' has shape {}, the parameter needs {}", key, shape_str(t.shape()), shape_str(want)));
            Tensor copy = is_step ? Tensor::scalar(t.item(), DType::f64)
                                  : Tensor::zeros(p.shape(), p.dtype(), p.device());
            if (!is_step) copy.copy_from(t);  // converts dtype and device
            buffers.push_back(copy);
        }
        if (!missing.empty() && missing.size() != bufs.size())
            throw fail(fmt::format("'{}' has only part of its state (missing {})", name, missing[0]));
        if (missing.empty() && !bufs.empty()) loaded[name] = std::move(buffers);
    }
    for (auto& [name, t] : state)
        if (!used.count(name))
            throw fail(fmt::format("'{}' belongs to no parameter of this optimizer (a different model or optimizer?)", name));
    double steps = step_it->second->item();
    if (!(steps >= 0 && steps < 9.0e15 && steps == std::floor(steps)))  // a whole number an int64 holds exactly
        throw fail(fmt::format("the step count {} is not a whole number >= 0", steps));
    state_ = std::move(loaded);
    step_ = (int64_t)steps;
}

int64_t Optimizer::state_numel() const {
    int64_t n = 0;
    for (auto& [name, bufs] : state_)
        for (auto& t : bufs) n += t.numel();
    return n;
}

// ---- SGD -----------------------------------------------------------------------------

SGD::SGD(NamedTensors params, SGDOptions opt) : Optimizer(std::move(params), opt.lr), options(opt) {
    check_hparam(opt.momentum >= 0 && opt.momentum < 1, fmt::format("SGD momentum must be in [0, 1), got {}", opt.momentum));
    check_hparam(opt.weight_decay >= 0 && std::isfinite(opt.weight_decay),
                 fmt::format("weight decay must be a finite number >= 0, got {}", opt.weight_decay));
    check_hparam(!opt.nesterov || opt.momentum > 0, "SGD nesterov needs a momentum > 0");
    groups_[0].weight_decay = opt.weight_decay;
}

std::vector<std::string> SGD::buffer_names() const {
    if (options.momentum == 0) return {};
    return {"momentum_buffer"};
}

void SGD::update(const Tensor& p, const Tensor& g, double wd, std::vector<Tensor>& buffers) {
    const double mu = options.momentum;
    Tensor d = wd != 0 ? g + wd * p : g;  // L2 decay folded into the gradient
    if (mu != 0) {
        if (buffers.empty()) {
            buffers.push_back(mul(d, 1.0));  // b = g on the first step (a copy, not an alias)
        } else {
            buffers[0].copy_from(mu * buffers[0] + d);  // b ← μ·b + g
        }
        d = options.nesterov ? d + mu * buffers[0] : buffers[0];
    }
    p.copy_from(p - lr_ * d);
}

// ---- Adam and AdamW: updates queued, then one adamw_many call per device and dtype --------

// Buffers: step (CPU f64 scalar, counted per parameter as PyTorch does, so a parameter
// that skipped steps still gets the right bias correction), m, v.
// Queues one Adam(W) update of p (its step count t, hence the bias corrections, is the
// parameter's own); AdamQueue::run does the step's updates in one backend call per device
// and dtype (almost always one).
static void adam_update(const Tensor& p, const Tensor& g, double lr, double b1, double b2, double eps, double decoupled_wd,
                        std::vector<Tensor>& buffers, detail::AdamQueue& queue) {
    if (buffers.empty())
        buffers = {Tensor::scalar(0, DType::f64), Tensor::zeros(p.shape(), p.dtype(), p.device()),
                   Tensor::zeros(p.shape(), p.dtype(), p.device())};
    double t = ++buffers[0].data<double>()[0];
    Backend::AdamW h{lr, b1, b2, eps, decoupled_wd, 1 - std::pow(b1, t), 1 - std::pow(b2, t)};
    queue.updates.push_back({p, g, buffers[1], buffers[2], h});
}

// One backend call per (device, dtype) of the queued parameters. The queue is emptied
// first, so that a failing call is never repeated by the next step.
void detail::AdamQueue::run() {
    std::vector<Update> todo;
    todo.swap(updates);
    std::vector<bool> done(todo.size(), false);
    for (size_t k = 0; k < todo.size(); ++k) {
        if (done[k]) continue;
        const Tensor& first = todo[k].p;
        std::vector<Backend::AdamWTensor> same;
        for (size_t j = k; j < todo.size(); ++j) {
            const Update& u = todo[j];
            if (done[j] || !(u.p.device() == first.device()) || u.p.dtype() != first.dtype()) continue;
            same.push_back({u.p.raw_data(), u.g.raw_data(), u.m.raw_data(), u.v.raw_data(), u.p.numel(), u.h});
            done[j] = true;
        }
        backend(first.device()).adamw_many(same, first.dtype());
    }
}

static void check_adam(double lr, double b1, double b2, double eps, double wd) {
    check_hparam(b1 >= 0 && b1 < 1 && b2 >= 0 && b2 < 1, fmt::format("betas must be in [0, 1), got ({}, {})", b1, b2));
    check_hparam(eps > 0 && std::isfinite(eps), fmt::format("eps must be a finite number > 0, got {}", eps));
    check_hparam(wd >= 0 && std::isfinite(wd), fmt::format("weight decay must be a finite number >= 0, got {}", wd));
}

Adam::Adam(NamedTensors params, AdamOptions opt) : Optimizer(std::move(params), opt.lr), options(opt) {
    check_adam(opt.lr, opt.beta1, opt.beta2, opt.eps, opt.weight_decay);
    groups_[0].weight_decay = opt.weight_decay;
}

void Adam::update(const Tensor& p, const Tensor& g, double wd, std::vector<Tensor>& buffers) {
    Tensor gg = wd != 0 ? (g + wd * p).contiguous() : g;  // coupled L2: decay goes through m and v
    adam_update(p, gg, lr_, options.beta1, options.beta2, options.eps, 0.0, buffers, queue_);
}
void Adam::finish_step() { queue_.run(); }

AdamW::AdamW(NamedTensors params, AdamWOptions opt) : Optimizer(std::move(params), opt.lr), options(opt) {
    check_adam(opt.lr, opt.beta1, opt.beta2, opt.eps, opt.weight_decay);
    ParamGroup decay{{}, opt.weight_decay}, no_decay{{}, 0.0};
    for (auto& [name, p] : params_) {
        bool d = options.decay ? options.decay(name, p) : p.dim() >= 2;
        (d ? decay : no_decay).names.push_back(name);
    }
    set_groups({decay, no_decay});
}

void AdamW::update(const Tensor& p, const Tensor& g, double wd, std::vector<Tensor>& buffers) {
    adam_update(p, g, lr_, options.beta1, options.beta2, options.eps, wd, buffers, queue_);
}
void AdamW::finish_step() { queue_.run(); }

// ---- gradient clipping ---------------------------------------------------------------------

double clip_grad_norm(const std::vector<Tensor>& params, double max_norm) {
    if (!(max_norm > 0)) throw std::invalid_argument(fmt::format("clip_grad_norm: max_norm must be > 0, got {}", max_norm));
    NoGradGuard no_grad;
    double sq = 0;
    for (const Tensor& p : params) {
        Tensor g = p.grad();
        if (g.defined()) sq += sum(g * g).item();
    }
    double norm = std::sqrt(sq);
    if (!std::isfinite(norm)) return norm;  // leave the nan/inf visible to the caller
    double coef = max_norm / (norm + 1e-6);
    if (coef < 1)
        for (const Tensor& p : params)
            if (Tensor g = p.grad(); g.defined()) p.set_grad(g * coef);
    return norm;
}

// ---- schedules -------------------------------------------------------------------------------

LrSchedule LrSchedule::constant(double lr) {
    check_hparam(std::isfinite(lr) && lr >= 0, fmt::format("learning rate must be >= 0, got {}", lr));
    LrSchedule s;
    s.max_lr_ = s.min_lr_ = lr;
    return s;
}

LrSchedule LrSchedule::warmup_cosine(double max_lr, int64_t warmup, int64_t total, double min_lr) {
    check_hparam(std::isfinite(max_lr) && max_lr >= 0 && min_lr >= 0 && min_lr <= max_lr,
                 fmt::format("cosine schedule needs 0 <= min_lr <= max_lr, got min_lr {} max_lr {}", min_lr, max_lr));
    check_hparam(warmup >= 0 && total > warmup,
                 fmt::format("cosine schedule needs 0 <= warmup < total steps, got warmup {} total {}", warmup, total));
    LrSchedule s;
    s.cosine_ = true;
    s.max_lr_ = max_lr;
    s.min_lr_ = min_lr;
    s.warmup_ = warmup;
    s.total_ = total;
    return s;
}

double LrSchedule::lr_at(int64_t step) const {
    if (!cosine_) return max_lr_;
    if (step < warmup_) return max_lr_ * (double)(step + 1) / (double)warmup_;
    if (step > total_) return min_lr_;
    double r = (double)(step - warmup_) / (double)(total_ - warmup_);  // 0 → 1
    return min_lr_ + 0.5 * (1.0 + std::cos(M_PI * r)) * (max_lr_ - min_lr_);
}

}  // namespace aprender::nn
