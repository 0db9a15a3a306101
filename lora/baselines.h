// baselines.h — what LoRA is compared with (the paper's tables), and what each costs.
//
//   full fine-tuning: every parameter trains (the "FT" rows: 125M trainable for RoBERTa-base)
//   BitFit (Ben Zaken et al., 2021): only the bias vectors train (0.1M for RoBERTa-base)
//   LoRA: only A and B train (0.3M at r = 8 on W_q, W_v)
//
// Memory while training with AdamW, float32, per parameter p:
//   frozen p:     4 bytes (the weight)                          — no gradient, no state
//   trainable p:  4 (weight) + 4 (gradient) + 8 (AdamW's m and v) = 16 bytes
// plus the activations kept for backward, which LoRA does NOT shrink: the gradient must
// still flow back through every frozen layer to reach the adapters below it.
#pragma once

#include "lora/lora.h"
#include "nn/gpt.h"

namespace aprender::lora {

enum class Method { lora, bitfit, full };
Method parse_method(const std::string& name);  // "lora" | "bitfit" | "full"; else a clear error
const char* method_name(Method m);

// Unfreeze everything (full fine-tuning). Report.wrapped is empty.
Report prepare_full(nn::Module& model);
// Freeze everything but the biases (parameters whose name ends in "bias"); an error if
// the model has none (a GPTConfig with bias = false).
Report prepare_bitfit(nn::Module& model);

struct MemoryReport {
    int64_t frozen_bytes = 0;      // weights that do not train
    int64_t trainable_bytes = 0;   // weights that train
    int64_t gradient_bytes = 0;    // one gradient per trainable weight
    int64_t optimizer_bytes = 0;   // AdamW: m and v, 2 floats per trainable parameter (+ 8 bytes of step count per tensor)
    int64_t activation_bytes = 0;  // estimate, see gpt_activation_bytes
    int64_t total() const { return frozen_bytes + trainable_bytes + gradient_bytes + optimizer_bytes + activation_bytes; }
};

// The tensors a GPT training step keeps for backward, in float32, for a batch of
// `batch` sequences of `T` tokens (N = batch·T tokens, C = n_embd, H = n_head):
//   per block: 16·N·C  (ln_1 in/out, q, k, v, attention out, ln_2 in/out, 4C fc out,
//                       4C GELU out) + 2·batch·H·T²  (scores and softmax)
//   once:      3·N·C (embeddings, ln_f in/out) + 2·N·V (logits and their softmax)
//   per LoRA layer: N·r (x·Aᵀ, needed for ∂L/∂B) + N·in when lora_dropout > 0
// An estimate of the engine's bookkeeping, not a measurement: compare it with peak RSS.
int64_t gpt_activation_bytes(const nn::GPT& model, int64_t batch, int64_t T);

// Weights, gradients and AdamW state from the model's current trainable flags, plus the
// activation estimate.
MemoryReport memory_report(const nn::GPT& model, int64_t batch, int64_t T);

// A table, one column per method:
//                        full FT      LoRA
//   frozen weights       0 B          3.2 MiB ...
std::string memory_table(const std::vector<std::pair<std::string, MemoryReport>>& columns);
std::string human_bytes(int64_t bytes);  // "1.5 MiB"

}  // namespace aprender::lora
