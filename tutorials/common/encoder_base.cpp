// encoder_base.cpp — see encoder_base.h.
#include "tutorials/common/encoder_base.h"

#include <stdexcept>

#include <fmt/format.h>

namespace aprender::tutorial {

std::filesystem::path default_encoder_base_path() {
    return std::filesystem::path("out") / "06_bert" / "encoder.safetensors";
}

std::filesystem::path encoder_tokenizer_dir(const std::filesystem::path& weights) {
    return weights.parent_path() / "tokenizer";
}

void save_encoder_base(const std::filesystem::path& weights, const nn::Encoder& model,
                       const tokenizer::WordPieceTokenizer& tok, nn::Metadata metadata) {
    auto cfg = model.config;
    cfg.n_classes = 0;
    for (auto& [k, v] : cfg.to_metadata()) metadata[k] = v;
    metadata["tokenizer"] = tok.type();
    nn::NamedTensors tensors;
    for (auto& [name, tensor] : model.state_dict())
        if (name.rfind("pooler.", 0) != 0 && name.rfind("classifier.", 0) != 0) tensors.emplace_back(name, tensor);
    std::filesystem::create_directories(weights.parent_path().empty() ? "." : weights.parent_path());
    nn::save_safetensors(weights.string(), tensors, metadata);
    tok.save(encoder_tokenizer_dir(weights).string());
}

EncoderBase load_encoder_base(const std::filesystem::path& weights, int64_t n_classes, uint64_t seed) {
    if (!std::filesystem::exists(weights))
        throw std::runtime_error(fmt::format("no pre-trained Encoder at {} (run build/tutorials/06_bert first)",
                                             weights.string()));
    EncoderBase b;
    auto ck = nn::load_safetensors(weights.string());
    b.metadata = ck.metadata;
    auto cfg = nn::EncoderConfig::from_checkpoint(ck);
    cfg.n_classes = n_classes;
    b.model = std::make_shared<nn::Encoder>(cfg, seed);
    if (n_classes == 0) {
        b.model->load_state_dict(ck.tensors);
    } else {
        // The file's tensors + the model's fresh head: a strict load of the union.
        nn::NamedTensors all = ck.tensors;
        for (auto& [name, tensor] : b.model->state_dict())
            if (name.rfind("pooler.", 0) == 0 || name.rfind("classifier.", 0) == 0) all.emplace_back(name, tensor.detach().clone());
        b.model->load_state_dict(all);
    }
    b.model->eval();
    b.tokenizer = std::make_unique<tokenizer::WordPieceTokenizer>(
        tokenizer::WordPieceTokenizer::load(encoder_tokenizer_dir(weights).string()));
    if (b.tokenizer->vocab_size() != cfg.vocab_size)
        throw std::runtime_error(fmt::format("{}: tokenizer has {} tokens but the Encoder expects {}", weights.string(),
                                             b.tokenizer->vocab_size(), cfg.vocab_size));
    return b;
}

}  // namespace aprender::tutorial
