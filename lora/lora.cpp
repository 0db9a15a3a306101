// lora.cpp — wrapping, merging and applying LoRA (see lora.h).
#include "lora/lora.h"

#include <cmath>
#include <regex>

namespace aprender::lora {

double Config::scaling() const { return rslora ? alpha / std::sqrt((double)r) : alpha / (double)r; }

Linear::Linear(std::shared_ptr<nn::Linear> b, const Config& c, Generator& gen) : base(std::move(b)), scale(c.scaling()) {
    if (c.r <= 0) throw std::invalid_argument(fmt::format("lora: rank r must be positive, got {}", c.r));
    int64_t in = base->in_features, out = base->out_features;
    Device dev = base->weight.device();
    if (c.init == Init::gaussian) {
        // PEFT's "gaussian": A ~ N(0, (1/r)²)
        A = Tensor::normal({c.r, in}, 0.0, 1.0 / (double)c.r, gen, base->weight.dtype(), dev);
    } else {
        // Kaiming-uniform with a = √5 (PyTorch's Linear default, loralib/PEFT): U(-1/√in, 1/√in)
        double bound = 1.0 / std::sqrt((double)in);
        A = Tensor::uniform({c.r, in}, -bound, bound, gen, base->weight.dtype(), dev);
    }
    B = Tensor::zeros({out, c.r}, base->weight.dtype(), dev);  // ΔW = B·A = 0 at the start
    register_module("base_layer", base);
    register_parameter("lora_A.weight", A);
    register_parameter("lora_B.weight", B);
    register_module("lora_dropout", drop_ = std::make_shared<nn::Dropout>(c.dropout, std::make_shared<Generator>(c.seed)));
}

Tensor Linear::forward(const Tensor& x) {
    if (merged_ && is_training() && grad_enabled() && A.requires_grad())
        throw std::logic_error("lora: cannot train a merged adapter (its ΔW is inside W0); call unmerge() first, or eval()");
    Tensor h = base->forward(x);  // W0·x + b  (already includes s·B·A when merged)
    if (!enabled || merged_) return h;
    Tensor xa = matmul(drop_->forward(x), A.t());  // (..., r): the thin bottleneck
    return h + matmul(xa, B.t()) * scale;           // (..., out)
}

Tensor Linear::delta_weight() const {
    NoGradGuard ng;
    return matmul(B, A) * scale;  // [out, in]
}

void Linear::merge() {
    if (merged_) throw std::logic_error("lora: adapter is already merged");
    NoGradGuard ng;
    base->weight.copy_from(base->weight + delta_weight());
    merged_ = true;
}

void Linear::unmerge() {
    if (!merged_) throw std::logic_error("lora: adapter is not merged");
    NoGradGuard ng;
    base->weight.copy_from(base->weight - delta_weight());
    merged_ = false;
}

std::vector<std::string> linear_paths(const nn::Module& model) {
    std::vector<std::string> out;
    for (auto& [path, m] : model.named_modules())
        if (dynamic_cast<nn::Linear*>(m.get()) && path.find("base_layer") == std::string::npos) out.push_back(path);
    return out;
}

static bool target_matches(const std::string& path, const std::string& target) {
    if (target.rfind("re:", 0) == 0) return std::regex_match(path, std::regex(target.substr(3)));
    return path == target || (path.size() > target.size() && path.compare(path.size() - target.size() - 1,
                                                                          target.size() + 1, "." + target) == 0);
}

static bool layer_selected(const std::string& path, const std::vector<int64_t>& layers) {
    if (layers.empty()) return true;
    for (int64_t l : layers)
        if (path.rfind("h." + std::to_string(l) + ".", 0) == 0) return true;
    return false;
}

std::vector<std::string> matching_paths(const nn::Module& model, const Config& c) {
    std::vector<std::string> all = linear_paths(model), out;
    for (const auto& p : all)
        for (const auto& t : c.targets)
            if (target_matches(p, t) && layer_selected(p, c.layers)) {
                out.push_back(p);
                break;
            }
    if (out.empty()) {
        std::string names, targets;
        for (const auto& p : all) names += "\n  " + p;
        for (const auto& t : c.targets) targets += (targets.empty() ? "" : ", ") + t;
        throw std::invalid_argument(fmt::format("lora: targets [{}] match no Linear layer. The model's Linear layers are:{}",
                                                targets, names));
    }
    return out;
}

Report apply(nn::Module& model, const Config& c) {
    std::vector<std::string> paths = matching_paths(model, c);
    model.requires_grad_(false);  // freeze the pre-trained model
    Generator gen(c.seed);
    Report r;
    for (const auto& path : paths) {
        auto base = std::dynamic_pointer_cast<nn::Linear>(model.submodule(path));
        auto wrapped = std::make_shared<Linear>(base, c, gen);
        model.replace_module(path, wrapped);
        if (c.bias == BiasMode::lora_only && base->bias.defined()) base->bias.requires_grad_(true);
        r.wrapped.push_back(path);
    }
    if (c.bias == BiasMode::all)
        for (auto& [name, t] : model.named_parameters())
            if (name.size() >= 4 && name.compare(name.size() - 4, 4, "bias") == 0) t.requires_grad_(true);
    r.trainable = model.num_parameters(true);
    r.total = model.num_parameters();
    return r;
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
