// gpt.h — a decoder-only transformer language model, in the shape of GPT-2/nanoGPT.
//
//   ids (B, T) ─► wte(ids) + wpe(0..T-1) ─► n_layer × Block ─► ln_f ─► lm_head ─► logits (B, T, V)
//   Block:  x = x + attn(ln_1(x))    (causal: position t sees positions ≤ t)
//           x = x + mlp(ln_2(x))
//
// Trained to predict token t+1 from tokens ≤ t; generation feeds its own predictions back.
#pragma once

#include "nn/attention.h"
#include "nn/safetensors.h"

#include <map>
#include <optional>

namespace aprender::nn {

struct GPTConfig {
    int64_t vocab_size = 65;
    int64_t block_size = 64;  // longest context
    int64_t n_layer = 4;
    int64_t n_head = 4;
    int64_t n_embd = 128;
    double dropout = 0.0;
    bool bias = true;          // biases in Linear and LayerNorm layers (lm_head never has one)
    bool tie_weights = false;  // lm_head.weight is wte.weight
    // as strings, for a checkpoint's metadata, and back
    std::map<std::string, std::string> to_metadata() const;
    static GPTConfig from_metadata(const Metadata& meta);
    // from_metadata, then refuse a config that asks for more parameters than the file holds
    static GPTConfig from_checkpoint(const Checkpoint& ck);
    void validate() const;  // throws std::invalid_argument naming the bad field
};

// No config may describe more parameters than this (4 TiB of float32): a bigger one comes
// from a corrupt file or a typo, and must be refused before anything is allocated.
constexpr double kMaxParameters = 1099511627776.0;  // 2^40

// The checks every transformer config shares (GPT's and the encoder's): each named size
// positive, n_head dividing n_embd, dropout in [0, 1), at most kMaxParameters (counted in
// double by the caller, so that no size can overflow). Errors start with `model`.
void validate_transformer_config(const std::string& model, const std::vector<std::pair<const char*, int64_t>>& sizes,
                                 int64_t n_embd, int64_t n_head, double dropout, double parameters);

// Throws SafetensorsError when a config of `parameters` cannot come from `ck`'s tensors.
void check_fits_checkpoint(int64_t parameters, const Checkpoint& ck);

// Pre-LayerNorm transformer block. `causal` false gives the bidirectional (BERT) block.
class Block : public Module {
public:
    Block(int64_t n_embd, int64_t n_head, bool bias, double dropout, bool causal, std::shared_ptr<Generator> gen);
    Tensor forward(const Tensor& x) override { return forward(x, Tensor()); }
    // x + attn(ln_1(x)), then + mlp(ln_2(·)); (B, T, C) in and out. The mask, weights and
    // cache arguments are passed to the attention (see MultiHeadAttention::forward).
    Tensor forward(const Tensor& x, const Tensor& key_padding_mask, Tensor* att_weights = nullptr,
                   KVCache* cache = nullptr, size_t layer = 0);
    std::string type_name() const override { return "Block"; }
    std::shared_ptr<LayerNorm> ln_1, ln_2;
    std::shared_ptr<MultiHeadAttention> attn;
    std::shared_ptr<MLP> mlp;
};

struct GenerateOptions {
    int64_t max_new_tokens = 100;
    double temperature = 1.0;  // 0 = greedy (always the most likely token)
    int64_t top_k = 0;         // keep only the k most likely tokens (0 = off)
    double top_p = 1.0;        // keep the smallest set whose probability ≥ top_p (1 = off)
    uint64_t seed = 1337;
    std::optional<int32_t> stop_token;  // end generation when this token is produced
};

class GPT : public Module {
public:
    GPT(const GPTConfig& config, uint64_t seed = 1337);
    // ids (B, T) int32 -> logits (B, T, vocab)
    Tensor forward(const Tensor& ids) override;
    // Cross-entropy of the next-token predictions against targets (B, T).
    Tensor loss(const Tensor& ids, const Tensor& targets);
    // Logits for ids appended after what the cache already holds (positions continue).
    Tensor forward_cached(const Tensor& ids, KVCache& cache);
    // Attention weights of every layer for ids (1, T): one (1, nh, T, T) per layer.
    std::vector<Tensor> attention_maps(const Tensor& ids);
    // Continue `prompt` (token ids); each new token costs one cached forward of length 1.
    std::vector<int32_t> generate(const std::vector<int32_t>& prompt, const GenerateOptions& options);
    std::string type_name() const override { return "GPT"; }

    GPTConfig config;
    std::shared_ptr<Generator> gen;  // dropout masks
    std::shared_ptr<Embedding> wte, wpe;
    std::shared_ptr<Dropout> drop;
    std::shared_ptr<ModuleList> h;
    std::shared_ptr<LayerNorm> ln_f;
    std::shared_ptr<Linear> lm_head;

private:
    Tensor embed(const Tensor& ids, int64_t start);
};

// Pick the next token from logits (V) with temperature, top-k and top-p; `u` is a
// uniform number in [0, 1) (from the caller's generator).
int32_t sample_token(const std::vector<float>& logits, const GenerateOptions& options, double u);

// Closed-form parameter count, for tests and for the tutorials' cost tables.
int64_t gpt_parameter_count(const GPTConfig& c);

}  // namespace aprender::nn
