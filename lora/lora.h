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

#include <map>
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

// A wrapped Linear can hold several *named* adapters (PEFT's model: one base, many
// domains — "juridico", "financeiro", ...). Exactly one is active: the public A, B and
// scale below are that adapter's tensors (shared, not copied), so the optimizer, the
// state dict ("lora_A.weight", "lora_B.weight") and forward() all see the active one.
// A layer that lacks the active adapter (another adapter targeted other layers) binds
// empty A [0, in], B [out, 0]: ΔW = 0, exactly the base layer.
class Linear : public nn::Module {
public:
    struct Adapter {
        Tensor A, B;  // [r, in], [out, r]
        double scale;
        Config config;
    };

    Linear(std::shared_ptr<nn::Linear> base, const Config& config, Generator& gen, const std::string& name = "default");
    ~Linear() override;  // a merged adapter stays in the base weight (as merge_and_unload leaves it)
    // h = base(x) + s·((dropout(x)·Aᵀ)·Bᵀ): two thin products, never forming B·A.
    Tensor forward(const Tensor& x) override;
    std::string type_name() const override { return "lora.Linear"; }

    // merge: W0 += s·B·A (active adapter): no extra work at inference. unmerge: W0 -= s·B·A.
    // Both are float arithmetic on W0, so unmerge gives W0 back to its last bits only when
    // ΔW is small next to it: (W0 + ΔW) - ΔW is W0 up to a rounding of |W0| + |ΔW| per
    // element (exact for B = 0, as at initialisation). Keep a copy to restore W0 exactly.
    // lora::apply wraps each base once; should two hand-built lora::Linear share one base,
    // at most one may hold its ΔW merged in there, and the other refuses to run meanwhile
    // (its "base" output would silently carry the first one's ΔW).
    void merge();
    void unmerge();
    bool merged() const { return merged_; }
    Tensor delta_weight() const;  // s·B·A  [out, in]
    int64_t trainable_count() const { return A.numel() + B.numel(); }  // r·(in + out)

    // Named adapters. add_adapter initialises A as `config.init` says and B = 0, and
    // does not change which one is active; the second form takes trained factors.
    void add_adapter(const std::string& name, const Config& config, Generator& gen);
    void add_adapter(const std::string& name, Tensor A, Tensor B, double scale, const Config& config);
    // Make `name` active (its A, B trainable, the others frozen); a name this layer does
    // not hold makes the layer act as its base. Not while merged.
    void set_adapter(const std::string& name);
    void delete_adapter(const std::string& name);  // the active one cannot be deleted while merged
    bool has_adapter(const std::string& name) const { return adapters_.count(name) > 0; }
    std::vector<std::string> adapter_names() const;
    const std::string& active_adapter() const { return active_; }
    const Adapter& adapter(const std::string& name) const;

    std::shared_ptr<nn::Linear> base;
    Tensor A, B;  // the active adapter's factors: A [r, in], B [out, r]
    double scale;
    bool enabled = true;  // false: compute the base layer only (a merged adapter is inside
                          // the base weight: disable_adapters refuses while merged)

private:
    // merge_and_unload puts the base back in the model with this ΔW merged for good: from
    // then on the base is an ordinary layer, which new wrappers may wrap and merge into.
    friend void merge_and_unload(nn::Module& model);
    void hand_over_base();
    void sync_active();  // write the slots back (Module::to() may have replaced them)
    std::shared_ptr<nn::Dropout> drop_;
    std::map<std::string, Adapter> adapters_;
    std::string active_;
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
// Does `config` (its targets and layers) select the Linear layer at `path`? Throws
// std::invalid_argument naming a "re:" target that is not a valid regular expression.
bool selects(const Config& config, const std::string& path);
// Throws std::invalid_argument for a "re:" target that is not a valid regular expression.
void check_targets(const std::vector<std::string>& targets);
// Wrap the matching Linear layers in place and freeze everything else (biases per
// config.bias). Same as add_adapter(model, "default", config).
Report apply(nn::Module& model, const Config& config);
// Add a named adapter on the layers `config` matches (wrapping plain Linear layers, or
// adding to already wrapped ones), freeze everything else, and make it the active
// adapter so that it can be trained at once. (PEFT's add_adapter leaves the active
// adapter unchanged; here adding is nearly always followed by training.)
Report add_adapter(nn::Module& model, const std::string& name, const Config& config);
// Activate `name` on every wrapped layer (layers without it act as their base).
void set_adapter(nn::Module& model, const std::string& name);
// Every adapter name in the model, sorted.
std::vector<std::string> adapter_names(const nn::Module& model);
// Make the biases that `mode` names trainable (none: nothing; lora_only: the wrapped
// layers' biases; all: every parameter whose name ends in "bias").
void apply_bias_mode(nn::Module& model, BiasMode mode);
// All lora::Linear layers of a model, with their paths.
std::vector<std::pair<std::string, std::shared_ptr<Linear>>> adapters(const nn::Module& model);
// "trainable params: 12,288 || all params: 1,234,567 || trainable%: 0.9953"
std::string trainable_summary(const nn::Module& model);

}  // namespace aprender::lora
