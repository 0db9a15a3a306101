// gpt.cpp — the GPT model (see gpt.h). Shapes: B batch, T positions, C n_embd,
// V vocabulary, nh heads.
#include "nn/gpt.h"

#include "autograd/random.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace aprender::nn {

// ---- config ---------------------------------------------------------------------------------

// The closed-form parameter count, in any number type N: int64_t to report it, double to
// judge a config from an untrusted file (n_embd = 2^62 squares past int64 — in double it
// is just a huge number to refuse).
template <class N>
static N gpt_parameters(const GPTConfig& c) {
    N C = N(c.n_embd), b = c.bias ? N(1) : N(0), V = N(c.vocab_size);
    N ln = C + b * C;
    N attn = N(4) * (C * C + b * C);
    N mlp = C * N(4) * C + b * N(4) * C + N(4) * C * C + b * C;
    N block = N(2) * ln + attn + mlp;
    N head = c.tie_weights ? N(0) : V * C;
    return V * C + N(c.block_size) * C + N(c.n_layer) * block + ln + head;
}

int64_t gpt_parameter_count(const GPTConfig& c) { return gpt_parameters<int64_t>(c); }

void validate_transformer_config(const std::string& model, const std::vector<std::pair<const char*, int64_t>>& sizes,
                                 int64_t n_embd, int64_t n_head, double dropout, double parameters) {
    for (const auto& [name, v] : sizes)
        if (v <= 0) throw std::invalid_argument(fmt::format("{} config: {} must be positive, got {}", model, name, v));
    if (n_embd % n_head != 0)
        throw std::invalid_argument(fmt::format("{} config: n_embd {} is not divisible by n_head {}", model, n_embd, n_head));
    if (!(dropout >= 0 && dropout < 1))  // written so that NaN fails too
        throw std::invalid_argument(fmt::format("{} config: dropout must be in [0, 1), got {}", model, dropout));
    if (parameters > kMaxParameters)
        throw std::invalid_argument(
            fmt::format("{} config: {:.3g} parameters is beyond any machine (at most 2^40)", model, parameters));
}

void GPTConfig::validate() const {
    validate_transformer_config("GPT",
                                {{"vocab_size", vocab_size},
                                 {"block_size", block_size},
                                 {"n_layer", n_layer},
                                 {"n_head", n_head},
                                 {"n_embd", n_embd}},
                                n_embd, n_head, dropout, gpt_parameters<double>(*this));
}

void check_fits_checkpoint(int64_t parameters, const Checkpoint& ck) {
    if (parameters > ck.numel())
        throw SafetensorsError(fmt::format("the config in the metadata describes {} parameters but the file holds only "
                                           "{} numbers: the config and the tensors do not belong together",
                                           parameters, ck.numel()));
}

std::map<std::string, std::string> GPTConfig::to_metadata() const {
    return {{"model", "gpt"},
            {"vocab_size", std::to_string(vocab_size)},
            {"block_size", std::to_string(block_size)},
            {"n_layer", std::to_string(n_layer)},
            {"n_head", std::to_string(n_head)},
            {"n_embd", std::to_string(n_embd)},
            {"dropout", fmt::format("{}", dropout)},
            {"bias", bias ? "true" : "false"},
            {"tie_weights", tie_weights ? "true" : "false"}};
}

GPTConfig GPTConfig::from_metadata(const Metadata& meta) {
    GPTConfig c;
    c.vocab_size = metadata_int(meta, "vocab_size");
    c.block_size = metadata_int(meta, "block_size");
    c.n_layer = metadata_int(meta, "n_layer");
    c.n_head = metadata_int(meta, "n_head");
    c.n_embd = metadata_int(meta, "n_embd");
    c.dropout = metadata_double(meta, "dropout");
    c.bias = metadata_bool(meta, "bias");
    c.tie_weights = metadata_bool(meta, "tie_weights");
    c.validate();
    return c;
}

GPTConfig GPTConfig::from_checkpoint(const Checkpoint& ck) {
    GPTConfig c = from_metadata(ck.metadata);
    check_fits_checkpoint(gpt_parameter_count(c), ck);
    return c;
}

// ---- block ----------------------------------------------------------------------------------------

Block::Block(int64_t n_embd, int64_t n_head, bool bias, double dropout, bool causal, std::shared_ptr<Generator> gen) {
    register_module("ln_1", ln_1 = std::make_shared<LayerNorm>(n_embd, bias));
    register_module("attn", attn = std::make_shared<MultiHeadAttention>(n_embd, n_head, bias, dropout, causal, gen));
    register_module("ln_2", ln_2 = std::make_shared<LayerNorm>(n_embd, bias));
    register_module("mlp", mlp = std::make_shared<MLP>(n_embd, bias, dropout, gen));
}

Tensor Block::forward(const Tensor& x, const Tensor& mask, Tensor* att_weights, KVCache* cache, size_t layer) {
    Tensor h = x + attn->forward(ln_1->forward(x), mask, att_weights, cache, layer);  // (B, T, C)
    return h + mlp->forward(ln_2->forward(h));                                         // (B, T, C)
}

// ---- GPT ------------------------------------------------------------------------------------------

GPT::GPT(const GPTConfig& c, uint64_t seed) : config(c), gen(std::make_shared<Generator>(seed)) {
    c.validate();
    register_module("wte", wte = std::make_shared<Embedding>(c.vocab_size, c.n_embd, *gen));
    register_module("wpe", wpe = std::make_shared<Embedding>(c.block_size, c.n_embd, *gen));
    register_module("drop", drop = std::make_shared<Dropout>(c.dropout, gen));
    register_module("h", h = std::make_shared<ModuleList>());
    for (int64_t i = 0; i < c.n_layer; ++i)
        h->push_back(std::make_shared<Block>(c.n_embd, c.n_head, c.bias, c.dropout, /*causal=*/true, gen));
    register_module("ln_f", ln_f = std::make_shared<LayerNorm>(c.n_embd, c.bias));
    register_module("lm_head", lm_head = std::make_shared<Linear>(c.n_embd, c.vocab_size, false, *gen));

    // GPT-2's initialisation: weights N(0, 0.02), biases 0; the two projections that
    // write into the residual stream get std 0.02/√(2·n_layer), so the sum of 2·n_layer
    // contributions keeps the stream's variance from growing with depth.
    NoGradGuard no_grad;
    double residual_std = 0.02 / std::sqrt(2.0 * (double)c.n_layer);
    for (auto& [name, p] : named_parameters()) {
        bool is_bias = name.size() >= 4 && name.compare(name.size() - 4, 4, "bias") == 0;
        bool is_norm = name.find("ln_") != std::string::npos;
        if (is_norm) continue;  // LayerNorm keeps weight 1, bias 0
        if (is_bias) {
            p.copy_from(Tensor::zeros(p.shape()));
            continue;
        }
        bool residual = name.find("o_proj.weight") != std::string::npos || name.find("mlp.c_proj.weight") != std::string::npos;
        p.copy_from(Tensor::normal(p.shape(), 0.0, residual ? residual_std : 0.02, *gen));
    }
    if (c.tie_weights) {
        lm_head->weight = wte->weight;  // one tensor, two names: wte.weight and lm_head.weight
    }
}

Tensor GPT::embed(const Tensor& ids, int64_t start) {
    if (ids.dtype() != DType::i32 || ids.dim() != 2)
        throw TensorError(fmt::format("GPT: expects int32 token ids of shape (B, T), got {} {}", dtype_name(ids.dtype()),
                                      shape_str(ids.shape())));
    int64_t T = ids.shape()[1];
    if (T == 0) throw TensorError(fmt::format("GPT: ids {} hold no positions (T = 0)", shape_str(ids.shape())));
    if (start + T > config.block_size)
        throw TensorError(fmt::format("GPT: sequence of {} tokens exceeds block_size {}", start + T, config.block_size));
    std::vector<int32_t> positions(T);
    std::iota(positions.begin(), positions.end(), (int32_t)start);
    Tensor pos = Tensor::from(positions, {T}).to(ids.device());
    Tensor tok_emb = wte->forward(ids);  // (B, T, C)
    Tensor pos_emb = wpe->forward(pos);  // (T, C), broadcast over the batch
    return drop->forward(tok_emb + pos_emb);
}

Tensor GPT::forward(const Tensor& ids) {
    Tensor x = embed(ids, 0);                       // (B, T, C)
    for (size_t i = 0; i < h->size(); ++i) x = (*h)[i]->forward(x);
    return lm_head->forward(ln_f->forward(x));      // (B, T, V)
}

Tensor GPT::loss(const Tensor& ids, const Tensor& targets) {
    Tensor logits = forward(ids);  // (B, T, V)
    return cross_entropy(logits, targets);
}

Tensor GPT::forward_cached(const Tensor& ids, KVCache& cache) {
    Tensor x = embed(ids, cache.length());
    for (size_t i = 0; i < h->size(); ++i)
        x = std::static_pointer_cast<Block>((*h)[i])->forward(x, Tensor(), nullptr, &cache, i);
    return lm_head->forward(ln_f->forward(x));
}

std::vector<Tensor> GPT::attention_maps(const Tensor& ids) {
    NoGradGuard no_grad;
    std::vector<Tensor> maps(h->size());
    Tensor x = embed(ids, 0);
    for (size_t i = 0; i < h->size(); ++i) x = std::static_pointer_cast<Block>((*h)[i])->forward(x, Tensor(), &maps[i]);
    return maps;
}

int32_t sample_token(const std::vector<float>& logits, const GenerateOptions& o, double u) {
    int64_t V = (int64_t)logits.size();
    if (o.temperature <= 0) return (int32_t)(std::max_element(logits.begin(), logits.end()) - logits.begin());
    std::vector<int32_t> order(V);
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](int32_t a, int32_t b) { return logits[a] > logits[b]; });
    int64_t keep = o.top_k > 0 ? std::min<int64_t>(o.top_k, V) : V;
    std::vector<double> p(keep);
    double mx = logits[order[0]] / o.temperature, total = 0;
    for (int64_t i = 0; i < keep; ++i) total += p[i] = std::exp(logits[order[i]] / o.temperature - mx);
    if (o.top_p < 1.0) {  // nucleus: the most likely tokens until their mass reaches top_p
        double cum = 0;
        int64_t n = 0;
        while (n < keep && cum < o.top_p * total) cum += p[n++];
        keep = std::max<int64_t>(n, 1);
        total = 0;
        for (int64_t i = 0; i < keep; ++i) total += p[i];
    }
    double target = u * total, cum = 0;
    for (int64_t i = 0; i < keep; ++i) {
        cum += p[i];
        if (target < cum) return order[i];
    }
    return order[keep - 1];
}

std::vector<int32_t> GPT::generate(const std::vector<int32_t>& prompt, const GenerateOptions& o) {
    if (prompt.empty()) throw std::invalid_argument("generate: the prompt is empty (give at least one token)");
    for (int32_t id : prompt)
        if (id < 0 || id >= config.vocab_size)
            throw std::invalid_argument(fmt::format("generate: token id {} is outside the vocabulary (0..{})", id,
                                                    config.vocab_size - 1));
    NoGradGuard no_grad;
    bool was_training = is_training();
    eval();
    std::vector<int32_t> out = prompt;
    KVCache cache;
    // Start from the last block_size tokens of the prompt.
    size_t start = prompt.size() > (size_t)config.block_size ? prompt.size() - config.block_size : 0;
    std::vector<int32_t> feed(prompt.begin() + start, prompt.end());
    for (int64_t step = 0; step < o.max_new_tokens; ++step) {
        if (cache.length() + (int64_t)feed.size() > config.block_size) {
            // The context is full: keep the most recent half and recompute its cache once
            // (positions restart at 0), so most tokens still cost a single position.
            cache.clear();
            size_t keep = (size_t)std::max<int64_t>(config.block_size / 2, 1);
            feed.assign(out.end() - std::min(keep, out.size()), out.end());
        }
        Tensor logits = forward_cached(Tensor::from(feed, {1, (int64_t)feed.size()}).to(device()), cache);
        Tensor last = logits.select(1, logits.shape()[1] - 1).reshape({config.vocab_size});  // (V)
        int32_t next = sample_token(last.to_vector<float>(), o, philox::uniform((uint64_t)step, o.seed));
        out.push_back(next);
        feed = {next};
        if (o.stop_token && next == *o.stop_token) break;
    }
    train(was_training);
    return out;
}

}  // namespace aprender::nn
