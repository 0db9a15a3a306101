// lora.h — Low-Rank Adaptation (Hu et al., 2021, arXiv:2106.09685).
//
// Fine-tuning changes a frozen weight W0 [d, k] by ΔW. LoRA bets that ΔW has low rank
// and trains it in factored form, ΔW = B·A with B [d, r], A [r, k], r ≪ min(d, k):
//
//     h = W0·x + b + s·B·(A·x),     s = alpha / r   (alpha / √r with rsLoRA)
//
// A starts random and B starts at zero, so at step 0 ΔW = 0 and the model is exactly
// the pre-trained one; only B receives a gradient on the first step (∂L/∂A = s·Bᵀ·... = 0).
// Trainable numbers per matrix: r·(d + k) instead of d·k.
//
// lora::Linear *wraps* an nn::Linear (which stays frozen and unchanged); lora::apply
// swaps the chosen Linear layers of a model for wrapped ones, in place.
#pragma once

#include "nn/layers.h"

#include <string>
#include <vector>

namespace aprender::lora {

enum class Init { gaussian, kaiming };
enum class BiasMode { none, all, lora_only };

struct Config {
    int64_t r = 8;
    double alpha = 16;
    double dropout = 0.0;
    // Which Linear layers to wrap: a module path matches when it equals a target, ends
    // with "." + target, or — for a target written "re:<regex>" — matches the regex.
    std::vector<std::string> targets = {"q_proj", "v_proj"};  // the paper's W_q and W_v
    std::vector<int64_t> layers;     // only blocks h.<i> with i in this list (empty = all)
    BiasMode bias = BiasMode::none;  // which biases stay trainable
    Init init = Init::gaussian;
    bool rslora = false;             // scale alpha/√r instead of alpha/r
    uint64_t seed = 1234;
    double scaling() const;
};

class Linear : public nn::Module {
public:
    Linear(std::shared_ptr<nn::Linear> base, const Config& config, Generator& gen);
    // h = base(x) + s·((dropout(x)·Aᵀ)·Bᵀ): two thin products, never forming B·A.
    Tensor forward(const Tensor& x) override;
    std::string type_name() const override { return "lora.Linear"; }

    void merge();    // W0 += s·B·A: no extra work at inference
    void unmerge();  // W0 -= s·B·A
    bool merged() const { return merged_; }
    Tensor delta_weight() const;  // s·B·A  [out, in]
    int64_t trainable_count() const { return A.numel() + B.numel(); }  // r·(in + out)

    std::shared_ptr<nn::Linear> base;
    Tensor A, B;  // A [r, in], B [out, r]
    double scale;
    bool enabled = true;  // false: behave exactly as the base layer

private:
    std::shared_ptr<nn::Dropout> drop_;
    bool merged_ = false;
};

// What apply() did.
struct Report {
    std::vector<std::string> wrapped;  // module paths, e.g. "h.0.attn.q_proj"
    int64_t trainable = 0, total = 0;
};

// Every Linear path of the model (what targets can name).
std::vector<std::string> linear_paths(const nn::Module& model);
// The paths `config` would wrap (a dry run); throws when nothing matches, listing the Linear layers.
std::vector<std::string> matching_paths(const nn::Module& model, const Config& config);
// Wrap the matching Linear layers in place and freeze everything else (biases per config.bias).
Report apply(nn::Module& model, const Config& config);
// All lora::Linear layers of a model, with their paths.
std::vector<std::pair<std::string, std::shared_ptr<Linear>>> adapters(const nn::Module& model);
// "trainable params: 12,288 || all params: 1,234,567 || trainable%: 0.9953"
std::string trainable_summary(const nn::Module& model);

}  // namespace aprender::lora
