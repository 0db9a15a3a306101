// baselines.cpp — full fine-tuning, BitFit, and the memory each method needs (see baselines.h).
#include "lora/baselines.h"

#include <fmt/format.h>

namespace aprender::lora {

Method parse_method(const std::string& s) {
    if (s == "lora") return Method::lora;
    if (s == "bitfit") return Method::bitfit;
    if (s == "full") return Method::full;
    throw std::invalid_argument("unknown fine-tuning method '" + s + "' (expected lora, bitfit or full)");
}

const char* method_name(Method m) { return m == Method::lora ? "lora" : m == Method::bitfit ? "bitfit" : "full"; }

Report prepare_full(nn::Module& model) {
    model.requires_grad_(true);
    Report r;
    r.trainable = r.total = model.num_parameters();
    return r;
}

Report prepare_bitfit(nn::Module& model) {
    model.requires_grad_(false);
    bool any = false;
    for (auto& [name, t] : model.named_parameters())
        if (name.size() >= 4 && name.compare(name.size() - 4, 4, "bias") == 0) {
            t.requires_grad_(true);
            any = true;
        }
    if (!any) throw std::invalid_argument("bitfit: the model has no bias parameters (was it built with bias = false?)");
    Report r;
    r.trainable = model.num_parameters(true);
    r.total = model.num_parameters();
    return r;
}

int64_t gpt_activation_bytes(const nn::GPT& model, int64_t batch, int64_t T) {
    const nn::GPTConfig& c = model.config;
    int64_t N = batch * T, C = c.n_embd;
    int64_t elems = c.n_layer * (16 * N * C + 2 * batch * c.n_head * T * T) + 3 * N * C + 2 * N * c.vocab_size;
    for (auto& [path, l] : adapters(model)) {
        if (!l->enabled || l->merged() || l->A.numel() == 0) continue;
        elems += N * l->A.size(0);
        if (l->adapter(l->active_adapter()).config.dropout > 0) elems += N * l->base->in_features;
    }
    return elems * 4;
}

MemoryReport memory_report(const nn::GPT& model, int64_t batch, int64_t T) {
    MemoryReport m;
    for (auto& [name, t] : model.named_parameters()) {
        int64_t b = t.numel() * (int64_t)dtype_size(t.dtype());
        if (t.requires_grad()) {
            m.trainable_bytes += b;
            m.gradient_bytes += b;
            m.optimizer_bytes += 2 * t.numel() * 4 + 8;  // AdamW's m and v (float32) + its f64 step count
        } else {
            m.frozen_bytes += b;
        }
    }
    m.activation_bytes = gpt_activation_bytes(model, batch, T);
    return m;
}

std::string human_bytes(int64_t b) {
    if (b < 1024) return fmt::format("{} B", b);
    if (b < 1024 * 1024) return fmt::format("{:.1f} KiB", b / 1024.0);
    if (b < 1024LL * 1024 * 1024) return fmt::format("{:.1f} MiB", b / (1024.0 * 1024));
    return fmt::format("{:.2f} GiB", b / (1024.0 * 1024 * 1024));
}

std::string memory_table(const std::vector<std::pair<std::string, MemoryReport>>& cols) {
    std::string s = fmt::format("{:<24}", "");
    for (auto& [name, m] : cols) s += fmt::format("{:>14}", name);
    s += "\n";
    auto row = [&](const char* label, auto get) {
        s += fmt::format("{:<24}", label);
        for (auto& [name, m] : cols) s += fmt::format("{:>14}", human_bytes(get(m)));
        s += "\n";
    };
    row("frozen weights", [](const MemoryReport& m) { return m.frozen_bytes; });
    row("trainable weights", [](const MemoryReport& m) { return m.trainable_bytes; });
    row("gradients", [](const MemoryReport& m) { return m.gradient_bytes; });
    row("AdamW state (m, v)", [](const MemoryReport& m) { return m.optimizer_bytes; });
    row("activations (estimate)", [](const MemoryReport& m) { return m.activation_bytes; });
    row("total", [](const MemoryReport& m) { return m.total(); });
    return s;
}

}  // namespace aprender::lora
