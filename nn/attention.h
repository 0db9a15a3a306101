// attention.h — multi-head scaled dot-product attention (Vaswani et al., 2017).
//
// Each position asks a question (query), offers a label (key) and a content (value):
//     att = softmax(q·kᵀ / √head_dim)   one row per query: how much it looks at each key
//     y   = att · v                       a weighted average of the values
// n_head heads do this in parallel on slices of the embedding, each free to look
// somewhere else; o_proj mixes their answers.
//
// The four projections are separate Linear layers named q_proj, k_proj, v_proj,
// o_proj, so "adapt W_q and W_v" (the LoRA paper) names real modules.
#pragma once

#include "nn/layers.h"

namespace aprender::nn {

// Keys and values of the positions seen so far, one entry per layer. Generation feeds
// one new token at a time and appends its k, v here instead of recomputing the prefix.
struct KVCache {
    std::vector<Tensor> k, v;  // per layer: (B, nh, T_so_far, hs)
    int64_t length() const { return k.empty() || !k[0].defined() ? 0 : k[0].shape()[2]; }
    void clear() { k.clear(); v.clear(); }
};

class MultiHeadAttention : public Module {
public:
    MultiHeadAttention(int64_t n_embd, int64_t n_head, bool bias, double dropout, bool causal,
                       std::shared_ptr<Generator> gen);
    Tensor forward(const Tensor& x) override { return forward(x, Tensor()); }
    // x: (B, T, C). key_padding_mask: (B, Tk) with 1 for real tokens and 0 for padding, where
    // Tk = cached + new positions (= T without a cache)
    // (undefined: no padding). A sequence whose keys are all padding has nothing to attend
    // to: its rows come out NaN, as in PyTorch (Encoder::encode refuses such a batch by
    // name). weights_out, if given, receives the attention weights
    // (B, nh, T, T_keys). cache/layer: append this call's keys and values to the cache.
    Tensor forward(const Tensor& x, const Tensor& key_padding_mask, Tensor* weights_out = nullptr,
                   KVCache* cache = nullptr, size_t layer = 0);
    std::string type_name() const override { return "MultiHeadAttention"; }

    int64_t n_embd, n_head;
    bool causal;
    std::shared_ptr<Module> q_proj, k_proj, v_proj, o_proj;
    std::shared_ptr<Dropout> attn_drop, resid_drop;
};

}  // namespace aprender::nn
