// lora.cpp — wrapping, merging and applying LoRA (see lora.h).
#include "lora/lora.h"

#include <cmath>
#include <regex>
#include <set>

namespace aprender::lora {

double Config::scaling() const { return rslora ? alpha / std::sqrt((double)r) : alpha / (double)r; }

static Tensor init_A(const Config& c, const nn::Linear& base, Generator& gen) {
    int64_t in = base.in_features;
    if (c.init == Init::gaussian)  // PEFT's "gaussian": A ~ N(0, (1/r)²)
        return Tensor::normal({c.r, in}, 0.0, 1.0 / (double)c.r, gen, base.weight.dtype(), base.weight.device());
    // Kaiming-uniform with a = √5 (PyTorch's Linear default, loralib/PEFT): U(-1/√in, 1/√in)
    double bound = 1.0 / std::sqrt((double)in);
    return Tensor::uniform({c.r, in}, -bound, bound, gen, base.weight.dtype(), base.weight.device());
}

// Which wrapper's ΔW each base weight holds merged. Keyed by the base layer, because two
// wrappers may share one (see merge() in lora.h); an entry lives from merge() to unmerge()
// or to the end of the wrapper that made it.
static std::map<const nn::Linear*, const Linear*>& merged_into() {
    static std::map<const nn::Linear*, const Linear*> owners;
    return owners;
}

// The wrapper other than `self` whose ΔW is merged into `base`, or null.
static const Linear* other_merged(const nn::Linear* base, const Linear* self) {
    auto it = merged_into().find(base);
    return it != merged_into().end() && it->second != self ? it->second : nullptr;
}

static const char* shared_base_hint =
    "two lora::Linear wrap the same nn::Linear; unmerge() the other one first, or wrap each base layer once "
    "(lora::apply does; a second adapter goes in the same wrapper with add_adapter)";

Linear::Linear(std::shared_ptr<nn::Linear> b, const Config& c, Generator& gen, const std::string& name)
    : base(std::move(b)), scale(c.scaling()) {
    if (!base) throw std::invalid_argument("lora: a LoRA layer needs a base nn::Linear to wrap, got none");
    add_adapter(name, c, gen);
    A = adapters_[name].A;
    B = adapters_[name].B;
    active_ = name;
    register_module("base_layer", base);
    register_parameter("lora_A.weight", A);
    register_parameter("lora_B.weight", B);
    register_module("lora_dropout", drop_ = std::make_shared<nn::Dropout>(c.dropout, std::make_shared<Generator>(c.seed)));
}

Linear::~Linear() { hand_over_base(); }

// Ends this wrapper's claim on its base, and only its own: after merge_and_unload another
// wrapper may have merged into the same base since.
void Linear::hand_over_base() {
    auto it = merged_into().find(base.get());
    if (it != merged_into().end() && it->second == this) merged_into().erase(it);
}

void Linear::add_adapter(const std::string& name, const Config& c, Generator& gen) {
    if (c.r <= 0) throw std::invalid_argument(fmt::format("lora: rank r must be positive, got {}", c.r));
    // s = alpha / r multiplies every ΔW: NaN or inf would poison the output even while B = 0
    if (!std::isfinite(c.alpha)) throw std::invalid_argument(fmt::format("lora: alpha must be finite, got {}", c.alpha));
    if (!(c.dropout >= 0 && c.dropout < 1))
        throw std::invalid_argument(fmt::format("lora: dropout must be in [0, 1), got {}", c.dropout));
    // ΔW = B·A is (out × in): its rank is at most min(in, out), so a bigger r only adds
    // parameters (and a huge one from a typo would try to allocate them).
    if (c.r > std::min(base->in_features, base->out_features))
        throw std::invalid_argument(fmt::format("lora: rank r = {} is more than this layer ({} -> {}) can use: ΔW = B·A has "
                                                "rank at most min(in, out) = {}",
                                                c.r, base->in_features, base->out_features,
                                                std::min(base->in_features, base->out_features)));
    Tensor a = init_A(c, *base, gen);
    Tensor b = Tensor::zeros({base->out_features, c.r}, base->weight.dtype(), base->weight.device());  // ΔW = B·A = 0
    add_adapter(name, a, b, c.scaling(), c);
}

void Linear::add_adapter(const std::string& name, Tensor a, Tensor b, double s, const Config& c) {
    if (name.empty()) throw std::invalid_argument("lora: an adapter needs a non-empty name");
    if (adapters_.count(name)) throw std::invalid_argument("lora: this layer already has an adapter named '" + name + "'");
    int64_t in = base->in_features, out = base->out_features;
    if (a.dim() != 2 || b.dim() != 2 || a.size(1) != in || b.size(0) != out || a.size(0) != b.size(1))
        throw std::invalid_argument(fmt::format("lora: adapter '{}' has A {} and B {}; a layer {} -> {} needs A [r, {}] and B [{}, r]",
                                                name, shape_str(a.shape()), shape_str(b.shape()), in, out, in, out));
    a.requires_grad_(false);
    b.requires_grad_(false);
    adapters_[name] = Adapter{a, b, s, c};
}

void Linear::sync_active() {
    auto it = adapters_.find(active_);
    if (it != adapters_.end()) {
        it->second.A = A;
        it->second.B = B;
    }
}

void Linear::set_adapter(const std::string& name) {
    if (merged_) throw std::logic_error("lora: cannot switch adapters while '" + active_ + "' is merged; unmerge() first");
    sync_active();
    if (auto old = adapters_.find(active_); old != adapters_.end()) {
        old->second.A.requires_grad_(false);
        old->second.B.requires_grad_(false);
    }
    active_ = name;
    auto it = adapters_.find(name);
    if (it == adapters_.end()) {  // not here: the layer acts as its base (empty factors)
        A = Tensor::zeros({0, base->in_features}, base->weight.dtype(), base->weight.device());
        B = Tensor::zeros({base->out_features, 0}, base->weight.dtype(), base->weight.device());
        scale = 0;
        drop_->p = 0;  // no factors, nothing to drop (forward skips the branch anyway)
        return;
    }
    A = it->second.A.requires_grad_(true);
    B = it->second.B.requires_grad_(true);
    scale = it->second.scale;
    drop_->p = it->second.config.dropout;
}

void Linear::delete_adapter(const std::string& name) {
    if (!adapters_.count(name)) throw std::invalid_argument("lora: this layer has no adapter named '" + name + "'");
    if (merged_ && name == active_) throw std::logic_error("lora: cannot delete '" + name + "' while it is merged; unmerge() first");
    adapters_.erase(name);
    if (name == active_) set_adapter(name);  // now absent: the layer acts as its base
}

std::vector<std::string> Linear::adapter_names() const {
    std::vector<std::string> out;
    for (auto& [n, a] : adapters_) out.push_back(n);
    return out;
}

const Linear::Adapter& Linear::adapter(const std::string& name) const {
    const_cast<Linear*>(this)->sync_active();
    auto it = adapters_.find(name);
    if (it == adapters_.end()) throw std::invalid_argument("lora: this layer has no adapter named '" + name + "'");
    return it->second;
}

Tensor Linear::forward(const Tensor& x) {
    if (merged_ && is_training() && grad_enabled() && A.requires_grad())
        throw std::logic_error("lora: cannot train a merged adapter (its ΔW is inside W0); call unmerge() first, or eval()");
    if (other_merged(base.get(), this))
        throw std::logic_error(std::string("lora: this layer's base weight holds another adapter's merged ΔW: ") +
                               shared_base_hint);
    Tensor h = base->forward(x);  // W0·x + b  (already includes s·B·A when merged)
    if (!enabled || merged_ || A.numel() == 0) return h;
    Tensor xa = linear(drop_->forward(x), A);  // x·Aᵀ (..., r): the thin bottleneck
    return h + linear(xa, B) * scale;           // (x·Aᵀ)·Bᵀ (..., out)
}

Tensor Linear::delta_weight() const {
    NoGradGuard ng;
    if (A.numel() == 0) return Tensor::zeros(base->weight.shape(), base->weight.dtype(), base->weight.device());
    return matmul(B, A) * scale;  // [out, in]
}

void Linear::merge() {
    if (merged_) throw std::logic_error("lora: adapter is already merged");
    if (other_merged(base.get(), this))
        throw std::logic_error(std::string("lora: cannot merge: the base weight already holds another adapter's ΔW: ") +
                               shared_base_hint);
    NoGradGuard ng;
    base->weight.copy_from(base->weight + delta_weight());
    merged_ = true;
    merged_into()[base.get()] = this;
}

void Linear::unmerge() {
    if (!merged_) throw std::logic_error("lora: adapter is not merged");
    NoGradGuard ng;
    base->weight.copy_from(base->weight - delta_weight());
    merged_ = false;
    hand_over_base();
}

std::vector<std::string> linear_paths(const nn::Module& model) {
    std::vector<std::string> out;
    for (auto& [path, m] : model.named_modules())
        if ((dynamic_cast<nn::Linear*>(m.get()) && path.find("base_layer") == std::string::npos) ||
            dynamic_cast<Linear*>(m.get()))  // an already wrapped layer can take another adapter
            out.push_back(path);
    return out;
}

// A "re:" target as a regex. std::regex matches by backtracking, which takes exponential
// time on patterns as short as "(.*){30}x" (an adapter file could hang the program); GNU's
// library has a polynomial-time matcher (the NFA simulated state set by state, as in
// Thompson's construction) for patterns without back-references, which module paths never
// need: it refuses a back-reference as an invalid pattern.
constexpr size_t kMaxTargetRegex = 1000;

static std::regex target_regex(const std::string& pattern) {
#ifdef __GLIBCXX__
    return std::regex(pattern, std::regex::ECMAScript | std::regex_constants::__polynomial);
#else
    return std::regex(pattern);
#endif
}

static bool layer_selected(const std::string& path, const std::vector<int64_t>& layers) {
    if (layers.empty()) return true;
    for (int64_t l : layers)
        if (path.rfind("h." + std::to_string(l) + ".", 0) == 0) return true;
    return false;
}

// The targets, each checked and its regex compiled once: a regex of many states (".{0,30000}")
// takes a while to compile, so not once per path.
struct CompiledTargets {
    std::vector<std::string> names;           // plain names and suffixes
    std::vector<std::regex> regexes;          // the "re:" ones
    bool match(const std::string& path) const {
        for (const auto& t : names)
            if (path == t || (path.size() > t.size() && path.compare(path.size() - t.size() - 1, t.size() + 1, "." + t) == 0))
                return true;
        for (const auto& re : regexes)
            if (std::regex_match(path, re)) return true;
        return false;
    }
};

static CompiledTargets compile_targets(const std::vector<std::string>& targets) {
    CompiledTargets out;
    for (const auto& t : targets) {
        if (t.rfind("re:", 0) != 0) {
            out.names.push_back(t);
            continue;
        }
        // std::regex compiles nested groups recursively: thousands of "(" overflow the stack.
        // A pattern for module paths (a few dozen characters) never comes close.
        if (t.size() > 3 + kMaxTargetRegex)
            throw std::invalid_argument(fmt::format("lora: target '{}...' is a regular expression of {} characters; "
                                                    "module paths need far fewer (at most {})",
                                                    t.substr(0, 40), t.size() - 3, kMaxTargetRegex));
        try {
            out.regexes.push_back(target_regex(t.substr(3)));
        } catch (const std::regex_error& e) {
            throw std::invalid_argument(fmt::format("lora: target '{}' is not a valid regular expression: {}", t, e.what()));
        }
    }
    return out;
}

void check_targets(const std::vector<std::string>& targets) { compile_targets(targets); }

bool selects(const Config& c, const std::string& path) {
    CompiledTargets targets = compile_targets(c.targets);
    return layer_selected(path, c.layers) && targets.match(path);
}

std::vector<std::string> matching_paths(const nn::Module& model, const Config& c) {
    CompiledTargets targets = compile_targets(c.targets);
    std::vector<std::string> all = linear_paths(model), out;
    for (int64_t l : c.layers)  // a block the model lacks is its own mistake, not the targets'
        if (std::none_of(all.begin(), all.end(), [&](const std::string& p) { return layer_selected(p, {l}); }))
            throw std::invalid_argument(fmt::format("lora: layers: the model has no block {} (its blocks are h.0, h.1, ...; "
                                                    "count them with `aprender info`)", l));
    for (const auto& p : all)
        if (targets.match(p) && layer_selected(p, c.layers)) out.push_back(p);
    if (out.empty()) {
        std::string names, list;
        for (const auto& p : all) names += "\n  " + p;
        for (const auto& t : c.targets) list += (list.empty() ? "" : ", ") + t;
        throw std::invalid_argument(fmt::format("lora: targets [{}] match no Linear layer. The model's Linear layers are:{}",
                                                list, names));
    }
    return out;
}

Report apply(nn::Module& model, const Config& c) { return add_adapter(model, "default", c); }

Report add_adapter(nn::Module& model, const std::string& name, const Config& c) {
    std::vector<std::string> paths = matching_paths(model, c);
    for (auto& [path, l] : adapters(model))
        if (l->has_adapter(name)) throw std::invalid_argument("lora: the model already has an adapter named '" + name + "'");
    model.requires_grad_(false);  // freeze the pre-trained model (and every other adapter)
    Generator gen(c.seed);
    Report r;
    for (const auto& path : paths) {
        auto m = model.submodule(path);
        if (auto wrapped = std::dynamic_pointer_cast<Linear>(m)) {
            wrapped->add_adapter(name, c, gen);
        } else {
            auto base = std::dynamic_pointer_cast<nn::Linear>(m);
            model.replace_module(path, std::make_shared<Linear>(base, c, gen, name));
        }
        r.wrapped.push_back(path);
    }
    set_adapter(model, name);
    apply_bias_mode(model, c.bias);
    r.trainable = model.num_parameters(true);
    r.total = model.num_parameters();
    return r;
}

void set_adapter(nn::Module& model, const std::string& name) {
    auto layers = adapters(model);
    bool found = false;
    for (auto& [path, l] : layers) found = found || l->has_adapter(name);
    if (!found) {
        std::string have;
        for (auto& n : adapter_names(model)) have += (have.empty() ? "" : ", ") + n;
        throw std::invalid_argument(fmt::format("lora: no adapter named '{}' (the model has: {})", name, have.empty() ? "none" : have));
    }
    for (auto& [path, l] : layers) l->set_adapter(name);
}

void apply_bias_mode(nn::Module& model, BiasMode mode) {
    if (mode == BiasMode::lora_only)
        for (auto& [path, l] : adapters(model))
            if (l->base->bias.defined()) l->base->bias.requires_grad_(true);
    if (mode == BiasMode::all)
        for (auto& [pname, t] : model.named_parameters())
            if (pname.size() >= 4 && pname.compare(pname.size() - 4, 4, "bias") == 0) t.requires_grad_(true);
}

std::vector<std::string> adapter_names(const nn::Module& model) {
    std::set<std::string> names;
    for (auto& [path, l] : adapters(model))
        for (auto& n : l->adapter_names()) names.insert(n);
    return {names.begin(), names.end()};
}

std::vector<std::pair<std::string, std::shared_ptr<Linear>>> adapters(const nn::Module& model) {
    std::vector<std::pair<std::string, std::shared_ptr<Linear>>> out;
    for (auto& [path, m] : model.named_modules())
        if (auto l = std::dynamic_pointer_cast<Linear>(m)) out.emplace_back(path, l);
    return out;
}

static std::string with_commas(int64_t n) {
    std::string s = std::to_string(n), out;
    for (size_t i = 0; i < s.size(); ++i) {
        if (i && (s.size() - i) % 3 == 0) out += ',';
        out += s[i];
    }
    return out;
}

std::string trainable_summary(const nn::Module& model) {
    int64_t t = model.num_parameters(true), a = model.num_parameters();
    return fmt::format("trainable params: {} || all params: {} || trainable%: {:.4f}", with_commas(t), with_commas(a),
                       a ? 100.0 * (double)t / (double)a : 0.0);
}

}  // namespace aprender::lora
