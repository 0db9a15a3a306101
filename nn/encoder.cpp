// encoder.cpp — the BERT-style encoder and its masking (see encoder.h).
#include "nn/encoder.h"

#include "autograd/random.h"

#include <cmath>
#include <numeric>

namespace aprender::nn {

// The closed-form count in any number type (see gpt_parameters in gpt.cpp for why double too).
template <class N>
static N encoder_parameters(const EncoderConfig& c) {
    N C = N(c.n_embd), b = c.bias ? N(1) : N(0), V = N(c.vocab_size), ln = C + b * C;
    N block = N(2) * ln + N(4) * (C * C + b * C) + (N(8) * C * C + b * N(5) * C);
    N emb = V * C + N(c.max_len) * C + N(c.n_segments) * C;
    N mlm = C * C + b * C + ln + V;  // dense, LayerNorm, output bias (decoder tied)
    N K = N(c.n_classes);
    N cls = c.n_classes ? (C * C + C) + (C * K + K) : N(0);
    return emb + N(c.n_layer) * block + ln + mlm + cls;
}

int64_t encoder_parameter_count(const EncoderConfig& c) { return encoder_parameters<int64_t>(c); }

void EncoderConfig::validate() const {
    if (n_segments < 0 || n_classes < 0) throw std::invalid_argument("Encoder config: n_segments and n_classes must be ≥ 0");
    validate_transformer_config("Encoder",
                                {{"vocab_size", vocab_size},
                                 {"max_len", max_len},
                                 {"n_layer", n_layer},
                                 {"n_head", n_head},
                                 {"n_embd", n_embd}},
                                n_embd, n_head, dropout, encoder_parameters<double>(*this));
}

std::map<std::string, std::string> EncoderConfig::to_metadata() const {
    return {{"model", "encoder"},
            {"vocab_size", std::to_string(vocab_size)},
            {"max_len", std::to_string(max_len)},
            {"n_layer", std::to_string(n_layer)},
            {"n_head", std::to_string(n_head)},
            {"n_embd", std::to_string(n_embd)},
            {"n_segments", std::to_string(n_segments)},
            {"n_classes", std::to_string(n_classes)},
            {"dropout", fmt::format("{}", dropout)},
            {"bias", bias ? "true" : "false"}};
}

EncoderConfig EncoderConfig::from_metadata(const Metadata& meta) {
    EncoderConfig c;
    c.vocab_size = metadata_int(meta, "vocab_size");
    c.max_len = metadata_int(meta, "max_len");
    c.n_layer = metadata_int(meta, "n_layer");
    c.n_head = metadata_int(meta, "n_head");
    c.n_embd = metadata_int(meta, "n_embd");
    c.n_segments = metadata_int(meta, "n_segments");
    c.n_classes = metadata_int(meta, "n_classes");
    c.dropout = metadata_double(meta, "dropout");
    c.bias = metadata_bool(meta, "bias");
    c.validate();
    return c;
}

EncoderConfig EncoderConfig::from_checkpoint(const Checkpoint& ck) {
    EncoderConfig c = from_metadata(ck.metadata);
    check_fits_checkpoint(encoder_parameter_count(c), ck);
    return c;
}

Encoder::Encoder(const EncoderConfig& c, uint64_t seed) : config(c), gen(std::make_shared<Generator>(seed)) {
    c.validate();
    register_module("tok_emb", tok_emb = std::make_shared<Embedding>(c.vocab_size, c.n_embd, *gen));
    register_module("pos_emb", pos_emb = std::make_shared<Embedding>(c.max_len, c.n_embd, *gen));
    if (c.n_segments > 0) register_module("seg_emb", seg_emb = std::make_shared<Embedding>(c.n_segments, c.n_embd, *gen));
    register_module("drop", drop = std::make_shared<Dropout>(c.dropout, gen));
    register_module("h", h = std::make_shared<ModuleList>());
    for (int64_t i = 0; i < c.n_layer; ++i)
        h->push_back(std::make_shared<Block>(c.n_embd, c.n_head, c.bias, c.dropout, /*causal=*/false, gen));
    register_module("ln_f", ln_f = std::make_shared<LayerNorm>(c.n_embd, c.bias));
    register_module("mlm_dense", mlm_dense = std::make_shared<Linear>(c.n_embd, c.n_embd, c.bias, *gen));
    register_module("mlm_ln", mlm_ln = std::make_shared<LayerNorm>(c.n_embd, c.bias));
    mlm_bias = Tensor::zeros({c.vocab_size});
    register_parameter("mlm_bias", mlm_bias);
    if (c.n_classes > 0) {
        register_module("pooler", pooler = std::make_shared<Linear>(c.n_embd, c.n_embd, true, *gen));
        register_module("classifier", classifier = std::make_shared<Linear>(c.n_embd, c.n_classes, true, *gen));
    }
    // BERT's initialisation: weights N(0, 0.02), biases 0, LayerNorm 1/0.
    NoGradGuard no_grad;
    for (auto& [name, p] : named_parameters()) {
        if (name.find("ln") != std::string::npos) continue;
        bool is_bias = name.size() >= 4 && name.compare(name.size() - 4, 4, "bias") == 0;
        p.copy_from(is_bias ? Tensor::zeros(p.shape()) : Tensor::normal(p.shape(), 0.0, 0.02, *gen));
    }
}

Tensor Encoder::encode(const Tensor& ids, const Tensor& mask, const Tensor& segments, std::vector<Tensor>* maps) {
    if (ids.dtype() != DType::i32 || ids.dim() != 2)
        throw TensorError(fmt::format("Encoder: expects int32 token ids (B, T), got {} {}", dtype_name(ids.dtype()),
                                      shape_str(ids.shape())));
    int64_t T = ids.shape()[1];
    // As GPT::embed: no positions is the caller's mistake, named here rather than by the
    // softmax of an empty [T, T] score matrix three calls down.
    if (T == 0) throw TensorError(fmt::format("Encoder: ids {} hold no positions (T = 0)", shape_str(ids.shape())));
    if (T > config.max_len)
        throw TensorError(fmt::format("Encoder: input of {} tokens is longer than its {} positions (max_len); "
                                      "BERT-style models cannot read past their position table",
                                      T, config.max_len));
    // A sequence that is all padding has no key to attend to: its softmax rows would be
    // NaN (0/0), and so would every loss and gradient it touches. Refused by name instead.
    // (A mask of the wrong shape is left to attention, which names the shape it needs.)
    if (mask.defined() && mask.shape() == Shape{ids.shape()[0], T}) {
        std::vector<double> real = amax(mask.to(DType::f32), {1}).to_double_vector();  // (B): 0 = no real token
        for (size_t b = 0; b < real.size(); ++b)
            if (real[b] == 0)
                throw TensorError(fmt::format("Encoder: sequence {} of the batch is all padding (its attention_mask "
                                              "has no 1), so it has nothing to attend to",
                                              b));
    }
    std::vector<int32_t> positions(T);
    std::iota(positions.begin(), positions.end(), 0);
    Tensor x = tok_emb->forward(ids) + pos_emb->forward(Tensor::from(positions, {T}).to(ids.device()));  // (B, T, C)
    if (segments.defined()) {
        if (!seg_emb) throw TensorError("Encoder: segment ids given, but the model has no segment embedding");
        x = x + seg_emb->forward(segments);
    }
    x = drop->forward(x);
    if (maps) maps->assign(h->size(), Tensor());
    for (size_t i = 0; i < h->size(); ++i)
        x = std::static_pointer_cast<Block>((*h)[i])->forward(x, mask, maps ? &(*maps)[i] : nullptr);
    return ln_f->forward(x);  // (B, T, C)
}

Tensor Encoder::mlm_logits(const Tensor& ids, const Tensor& mask, const Tensor& segments) {
    Tensor x = encode(ids, mask, segments);
    Tensor t = mlm_ln->forward(gelu(mlm_dense->forward(x)));  // (B, T, C)
    return linear(t, tok_emb->weight, mlm_bias);               // (B, T, V): decoder tied to the embedding
}

Tensor Encoder::mlm_loss(const Tensor& ids, const Tensor& labels, const Tensor& mask) {
    return cross_entropy(mlm_logits(ids, mask), labels, -100);
}

Tensor Encoder::classify(const Tensor& ids, const Tensor& mask, const Tensor& segments) {
    if (!classifier) throw std::logic_error("Encoder::classify: the model was built with n_classes = 0");
    Tensor x = encode(ids, mask, segments);                 // (B, T, C)
    Tensor first = x.select(1, 0);                          // (B, C): the [CLS] position
    return classifier->forward(tanh(pooler->forward(first)));  // (B, n_classes)
}

MaskedBatch mask_tokens(const Tensor& ids, int32_t mask_id, int64_t vocab_size, const std::vector<int32_t>& special,
                        Generator& gen, double rate) {
    if (ids.dtype() != DType::i32) throw TensorError("mask_tokens: ids must be int32");
    std::vector<int32_t> in = ids.to_vector<int32_t>(), labels(in.size(), -100);
    MaskedBatch out;
    uint64_t base = gen.offset;
    gen.offset += in.size() * 4;  // three draws per position, rounded to whole Philox blocks
    // Position i is selected when its draw is below `rate`. A short batch can draw none,
    // and a loss with nothing to predict is undefined: then the position with the
    // smallest draw is selected (no extra draws, so the numbers stay reproducible).
    std::vector<bool> selected(in.size(), false);
    size_t fallback = in.size();
    double smallest = 2.0;
    bool any = false;
    for (size_t i = 0; i < in.size(); ++i) {
        if (std::find(special.begin(), special.end(), in[i]) != special.end()) continue;
        double pick = philox::uniform(base + 4 * i, gen.seed);
        selected[i] = pick < rate;
        any = any || selected[i];
        if (pick < smallest) smallest = pick, fallback = i;
    }
    if (!any && fallback < in.size()) selected[fallback] = true;
    for (size_t i = 0; i < in.size(); ++i) {
        if (!selected[i]) continue;
        labels[i] = in[i];
        out.selected++;
        double how = philox::uniform(base + 4 * i + 1, gen.seed);
        if (how < 0.8) {
            in[i] = mask_id;
            out.masked++;
        } else if (how < 0.9) {
            in[i] = (int32_t)std::min<double>(philox::uniform(base + 4 * i + 2, gen.seed) * vocab_size, vocab_size - 1);
            out.randomized++;
        } else {
            out.unchanged++;
        }
    }
    out.input_ids = Tensor::from(in, ids.shape());
    out.labels = Tensor::from(labels, ids.shape());
    return out;
}

}  // namespace aprender::nn
