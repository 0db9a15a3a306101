// adapters.cpp — switching, deleting, combining and unloading adapters (see adapters.h).
#include "lora/adapters.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace aprender::lora {

void disable_adapters(nn::Module& model) {
    // A merged adapter lives inside the base weight: switching it off would change nothing.
    for (auto& [path, l] : adapters(model))
        if (l->merged())
            throw std::logic_error(fmt::format("lora: cannot disable adapters while '{}' is merged into {}; unmerge() first",
                                               l->active_adapter(), path));
    for (auto& [path, l] : adapters(model)) l->enabled = false;
}

void enable_adapters(nn::Module& model) {
    for (auto& [path, l] : adapters(model)) l->enabled = true;
}

void delete_adapter(nn::Module& model, const std::string& name) {
    bool found = false;
    for (auto& [path, l] : adapters(model))
        if (l->has_adapter(name)) {
            l->delete_adapter(name);
            found = true;
        }
    if (!found) throw std::invalid_argument("lora: cannot delete adapter '" + name + "': no layer has it");
}

void add_weighted_adapter(nn::Module& model, const std::vector<std::string>& names, const std::vector<double>& weights,
                          const std::string& new_name, Combination how) {
    if (names.empty() || names.size() != weights.size())
        throw std::invalid_argument(fmt::format("lora: add_weighted_adapter needs one weight per adapter (got {} names, {} weights)",
                                                names.size(), weights.size()));
    std::vector<std::string> known = adapter_names(model);
    for (const auto& n : names)
        if (std::find(known.begin(), known.end(), n) == known.end())
            throw std::invalid_argument("lora: add_weighted_adapter: no adapter named '" + n + "'");
    if (std::find(known.begin(), known.end(), new_name) != known.end())
        throw std::invalid_argument("lora: add_weighted_adapter: an adapter named '" + new_name + "' already exists");
    if (how == Combination::linear)
        for (double w : weights)
            if (w < 0) throw std::invalid_argument(fmt::format("lora: 'linear' combination takes √weight, so weights must be >= 0 (got {}); use 'cat'", w));

    NoGradGuard ng;
    for (auto& [path, l] : adapters(model)) {
        std::vector<Tensor> As, Bs;
        Config cfg;
        bool first = true;
        for (size_t i = 0; i < names.size(); ++i) {
            if (!l->has_adapter(names[i])) continue;  // this adapter did not target this layer
            const Linear::Adapter& ad = l->adapter(names[i]);
            if (first) cfg = ad.config;
            if (how == Combination::linear) {
                if (!first && ad.A.size(0) != As[0].size(0))
                    throw std::invalid_argument(fmt::format("lora: 'linear' combination needs equal ranks, but at {} '{}' has r = {} and '{}' has r = {}; use 'cat'",
                                                            path, names[0], As[0].size(0), names[i], ad.A.size(0)));
                As.push_back(ad.A * (std::sqrt(weights[i]) * ad.scale));
                Bs.push_back(ad.B * std::sqrt(weights[i]));
            } else {
                As.push_back(ad.A * (weights[i] * ad.scale));
                Bs.push_back(ad.B.clone());
            }
            first = false;
        }
        if (As.empty()) continue;
        Tensor A = As[0], B = Bs[0];
        for (size_t i = 1; i < As.size(); ++i) {
            if (how == Combination::linear) {
                A = A + As[i];
                B = B + Bs[i];
            }
        }
        if (how == Combination::cat) {
            A = concat(As, 0);  // [Σr, in]
            B = concat(Bs, 1);  // [out, Σr]
        }
        cfg.r = A.size(0);
        cfg.alpha = (double)cfg.r;  // scale 1: the weights and scales are inside A already
        cfg.rslora = false;
        l->add_adapter(new_name, A.contiguous().detach(), B.contiguous().detach(), 1.0, cfg);
    }
    set_adapter(model, new_name);
}

void merge_and_unload(nn::Module& model) {
    for (auto& [path, l] : adapters(model)) {
        if (l->enabled && !l->merged() && l->A.numel() > 0) l->merge();
        l->hand_over_base();
        model.replace_module(path, l->base);
    }
    model.requires_grad_(true);
}

}  // namespace aprender::lora
