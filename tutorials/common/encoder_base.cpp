// encoder_base.cpp — see encoder_base.h.
#include "tutorials/common/encoder_base.h"

#include <stdexcept>

#include <fmt/format.h>

#include "tutorials/common/checkpoint.h"

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
    // As `aprender` writes it: the tokenizer's folder, relative to the checkpoint (so the
    // command line loads this file too); its kind beside it, for people reading the metadata.
    metadata["tokenizer"] = encoder_tokenizer_dir(weights).filename().string();
    metadata["tokenizer_type"] = tok.type();
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
    static const CheckpointWanted wanted{"encoder", "wordpiece",
                                         "10_lora's classification table fine-tunes a pre-trained Encoder",
                                         "such as 06's out/06_bert/encoder.safetensors"};
    auto c = read_checkpoint(weights, wanted);
    EncoderBase b;
    b.metadata = c.checkpoint.metadata;
    auto cfg = nn::EncoderConfig::from_checkpoint(c.checkpoint);
    cfg.n_classes = n_classes;
    b.model = std::make_shared<nn::Encoder>(cfg, seed);
    try {
        if (n_classes == 0) {
            b.model->load_state_dict(c.checkpoint.tensors);
        } else {
            // The file's tensors + the model's fresh head: a strict load of the union.
            nn::NamedTensors all = c.checkpoint.tensors;
            for (auto& [name, tensor] : b.model->state_dict())
                if (name.rfind("pooler.", 0) == 0 || name.rfind("classifier.", 0) == 0)
                    all.emplace_back(name, tensor.detach().clone());
            b.model->load_state_dict(all);
        }
    } catch (const std::exception& e) {
        throw std::runtime_error(fmt::format("{}: {}", weights.string(), e.what()));
    }
    b.model->eval();
    if (auto* wordpiece = dynamic_cast<tokenizer::WordPieceTokenizer*>(c.tokenizer.get())) {
        c.tokenizer.release();
        b.tokenizer.reset(wordpiece);
    } else {
        b.tokenizer = std::make_unique<tokenizer::WordPieceTokenizer>(
            tokenizer::WordPieceTokenizer::load(c.tokenizer_dir.string()));
    }
    // Fewer tokens than the Encoder has rows is fine (`aprender train` adds a [MASK] row), more is not.
    if (b.tokenizer->vocab_size() > cfg.vocab_size)
        throw std::runtime_error(fmt::format("{}: its tokenizer ({}) has {} tokens but the Encoder only {} rows: they do "
                                             "not belong together",
                                             weights.string(), c.tokenizer_dir.string(), b.tokenizer->vocab_size(),
                                             cfg.vocab_size));
    for (const char* special : {"[PAD]", "[CLS]", "[SEP]", "[MASK]"})
        if (!b.tokenizer->token_to_id(special))
            throw std::runtime_error(fmt::format("{}: its tokenizer ({}) lacks {}, which the classification needs",
                                                 weights.string(), c.tokenizer_dir.string(), special));
    return b;
}

}  // namespace aprender::tutorial
