// encoder.h — a BERT-style bidirectional transformer encoder (Devlin et al., 2018).
//
//   ids (B, T) ─► tok_emb + pos_emb (+ seg_emb) ─► n_layer × Block (no causal mask,
//   padding masked) ─► ln_f ─► hidden (B, T, C)
//     ├─ MLM head (mlm_logits): mlm_dense C→C, GELU, mlm_ln, decoder tied to tok_emb
//     │                         (+ mlm_bias) → (B, T, V)
//     └─ classification head (classify): on the first token ([CLS]): pooler C→C, tanh,
//                                         classifier C→n_classes → (B, n_classes)
//
// Every position sees the whole sentence, left and right — which is why it can fill in
// "Roma é a [MASK] da Itália." but cannot write text left to right.
#pragma once

#include "nn/gpt.h"

namespace aprender::nn {

struct EncoderConfig {
    int64_t vocab_size = 1000;
    int64_t max_len = 128;
    int64_t n_layer = 2;
    int64_t n_head = 4;
    int64_t n_embd = 128;
    int64_t n_segments = 2;  // 0 = no segment embedding
    int64_t n_classes = 0;   // 0 = no classification head
    double dropout = 0.0;
    bool bias = true;
    std::map<std::string, std::string> to_metadata() const;
    static EncoderConfig from_metadata(const Metadata& meta);
    static EncoderConfig from_checkpoint(const Checkpoint& ck);  // and refuse one bigger than the file
    void validate() const;
};

class Encoder : public Module {
public:
    Encoder(const EncoderConfig& config, uint64_t seed = 1337);
    // ids (B, T); attention_mask (B, T): 1 real, 0 padding (undefined: all real);
    // segments (B, T) or undefined. Returns hidden states (B, T, C).
    Tensor encode(const Tensor& ids, const Tensor& attention_mask = Tensor(), const Tensor& segments = Tensor(),
                  std::vector<Tensor>* attention_maps = nullptr);
    Tensor forward(const Tensor& ids) override { return mlm_logits(ids); }
    // Vocabulary logits at every position (B, T, V), through the MLM head.
    Tensor mlm_logits(const Tensor& ids, const Tensor& attention_mask = Tensor(), const Tensor& segments = Tensor());
    // Masked-LM loss: labels (B, T) hold the original id at selected positions and -100
    // elsewhere (pretraining uses one segment, so it takes none).
    Tensor mlm_loss(const Tensor& ids, const Tensor& labels, const Tensor& attention_mask = Tensor());
    // Class logits (B, n_classes) from the [CLS] position: classifier(tanh(pooler(h[:, 0]))).
    // A model built with n_classes = 0 has no head: std::logic_error.
    Tensor classify(const Tensor& ids, const Tensor& attention_mask = Tensor(), const Tensor& segments = Tensor());
    std::string type_name() const override { return "Encoder"; }

    EncoderConfig config;
    std::shared_ptr<Generator> gen;
    std::shared_ptr<Embedding> tok_emb, pos_emb, seg_emb;
    std::shared_ptr<Dropout> drop;
    std::shared_ptr<ModuleList> h;
    std::shared_ptr<LayerNorm> ln_f;
    // MLM head
    std::shared_ptr<Linear> mlm_dense;
    std::shared_ptr<LayerNorm> mlm_ln;
    Tensor mlm_bias;  // (V); the decoder weight is tok_emb.weight
    // classification head
    std::shared_ptr<Linear> pooler, classifier;
};

// BERT's masking: each non-special position is selected with probability `rate`; a
// selected position becomes [MASK] 80% of the time, a random token 10%, unchanged 10%.
// labels hold the original id at selected positions and -100 (ignored) elsewhere. At
// least one position is selected whenever one is not special (a loss needs a target).
struct MaskedBatch {
    Tensor input_ids, labels;
    int64_t selected = 0, masked = 0, randomized = 0, unchanged = 0;  // counts, for the tutorial
};
MaskedBatch mask_tokens(const Tensor& ids, int32_t mask_id, int64_t vocab_size, const std::vector<int32_t>& special_ids,
                        Generator& gen, double rate = 0.15);

int64_t encoder_parameter_count(const EncoderConfig& c);

}  // namespace aprender::nn
