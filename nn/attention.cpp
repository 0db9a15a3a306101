// attention.cpp — see attention.h for the idea; shapes in the comments use
// B = batch, T = query positions, Tk = key positions, C = n_embd, nh = heads, hs = C/nh.
#include "nn/attention.h"

#include <cmath>

namespace aprender::nn {

MultiHeadAttention::MultiHeadAttention(int64_t n_embd, int64_t n_head, bool bias, double p, bool causal,
                                       std::shared_ptr<Generator> gen)
    : n_embd(n_embd), n_head(n_head), causal(causal) {
    if (n_head <= 0 || n_embd % n_head != 0)
        throw std::invalid_argument(fmt::format("attention: n_embd {} is not divisible by n_head {}", n_embd, n_head));
    register_module("q_proj", q_proj = std::make_shared<Linear>(n_embd, n_embd, bias, *gen));
    register_module("k_proj", k_proj = std::make_shared<Linear>(n_embd, n_embd, bias, *gen));
    register_module("v_proj", v_proj = std::make_shared<Linear>(n_embd, n_embd, bias, *gen));
    register_module("o_proj", o_proj = std::make_shared<Linear>(n_embd, n_embd, bias, *gen));
    register_module("attn_drop", attn_drop = std::make_shared<Dropout>(p, gen));
    register_module("resid_drop", resid_drop = std::make_shared<Dropout>(p, gen));
}

Tensor MultiHeadAttention::forward(const Tensor& x, const Tensor& key_padding_mask, Tensor* weights_out,
                                   KVCache* cache, size_t layer) {
    if (x.dim() != 3 || x.shape()[2] != n_embd)
        throw TensorError(fmt::format("attention: expects input (B, T, {}), got {}", n_embd, shape_str(x.shape())));
    int64_t B = x.shape()[0], T = x.shape()[1], hs = n_embd / n_head;
    auto heads = [&](const Tensor& t) {  // (B, T, C) -> (B, nh, T, hs)
        return t.view({B, T, n_head, hs}).transpose(1, 2);
    };
    // Scaling q (B·T·C numbers) is cheaper than scaling the scores (B·nh·T·Tk).
    Tensor q = heads(q_proj->forward(x) * (1.0 / std::sqrt((double)hs)));  // (B, nh, T, hs)
    Tensor k = heads(k_proj->forward(x));                                    // (B, nh, T, hs)
    Tensor v = heads(v_proj->forward(x));                                    // (B, nh, T, hs)
    int64_t past = 0;
    if (cache) {
        if (cache->k.size() <= layer) {
            cache->k.resize(layer + 1);
            cache->v.resize(layer + 1);
        }
        if (cache->k[layer].defined()) {
            past = cache->k[layer].shape()[2];
            k = concat({cache->k[layer], k}, 2);  // (B, nh, past + T, hs)
            v = concat({cache->v[layer], v}, 2);
        }
        cache->k[layer] = k.detach();
        cache->v[layer] = v.detach();
    }
    int64_t Tk = k.shape()[2];
    Tensor scores = matmul(q, k.transpose(-2, -1));  // (B, nh, T, Tk)
    Tensor att;
    if (causal && past == 0 && !key_padding_mask.defined()) {
        att = causal_softmax(scores);  // fused: query i sees keys 0..i
    } else {
        Tensor blocked;  // 1 where a query must not look
        if (causal && T > 1) {
            // query i sits at absolute position past + i and sees keys j <= past + i
            std::vector<float> m(T * Tk);
            for (int64_t i = 0; i < T; ++i)
                for (int64_t j = 0; j < Tk; ++j) m[i * Tk + j] = j > past + i ? 1.f : 0.f;
            blocked = Tensor::from(m, {T, Tk}).to(x.device());
        }
        if (key_padding_mask.defined()) {
            if (key_padding_mask.shape() != Shape{B, Tk})
                throw TensorError(fmt::format("attention: key_padding_mask must be (B, Tk) = [{},{}], got {}", B, Tk,
                                              shape_str(key_padding_mask.shape())));
            Tensor pad = eq(key_padding_mask.to(DType::f32), Tensor::scalar(0.0, DType::f32, key_padding_mask.device()))
                             .view({B, 1, 1, Tk});
            blocked = blocked.defined() ? maximum(blocked, pad) : pad;
        }
        if (blocked.defined()) scores = masked_fill(scores, blocked.to(scores.dtype()), -INFINITY);
        att = softmax(scores);
    }
    if (weights_out) *weights_out = att.detach();
    att = attn_drop->forward(att);
    Tensor y = matmul(att, v);                                 // (B, nh, T, hs)
    y = y.transpose(1, 2).reshape({B, T, n_embd});             // (B, T, C): heads side by side
    return resid_drop->forward(o_proj->forward(y));
}

}  // namespace aprender::nn
