// checkpoint.cpp — see checkpoint.h.
#include "tutorials/common/checkpoint.h"

#include <stdexcept>

#include <fmt/format.h>

#include "nn/encoder.h"
#include "nn/gpt.h"

namespace aprender::tutorial {

namespace {

std::string model_words(const std::string& kind) {
    if (kind == "gpt") return "a GPT checkpoint (a language model, like 07_gpt's base.safetensors)";
    if (kind == "encoder") return "an Encoder checkpoint (a BERT-like model, like 06_bert's encoder.safetensors)";
    return fmt::format("a checkpoint of an unknown model kind '{}'", kind);
}

bool is_tokenizer_kind(const std::string& value) {
    return value == "char" || value == "word" || value == "bpe" || value == "wordpiece";
}

}  // namespace

std::filesystem::path checkpoint_tokenizer_dir(const std::filesystem::path& weights, const nn::Metadata& metadata) {
    auto it = metadata.find("tokenizer");
    if (it == metadata.end() || it->second.empty() || is_tokenizer_kind(it->second))
        return weights.parent_path() / "tokenizer";
    if (!tokenizer::is_plain_folder_name(it->second))  // the tutorials write one
        throw std::runtime_error(fmt::format("{}: its metadata names the tokenizer folder '{}', which is not a folder name "
                                             "beside the weights", weights.string(), it->second));
    return weights.parent_path() / it->second;
}

CheckedCheckpoint read_checkpoint(const std::filesystem::path& weights, const CheckpointWanted& wanted) {
    const std::string path = weights.string();
    std::error_code ec;
    if (std::filesystem::is_directory(weights, ec))
        throw std::runtime_error(fmt::format("{} is a folder; give the checkpoint file inside it (.safetensors)", path));
    CheckedCheckpoint c;
    c.checkpoint = nn::load_safetensors(path);  // its errors name the file and what is wrong with it
    const auto& meta = c.checkpoint.metadata;
    auto kind = meta.find("model");
    if (kind == meta.end())
        throw std::runtime_error(fmt::format("{} has no model kind in its metadata (not a checkpoint saved by aprender?); "
                                             "{}, {}",
                                             path, wanted.role, wanted.example));
    if (kind->second != wanted.model)
        throw std::runtime_error(
            fmt::format("{} is {}; {}, {}", path, model_words(kind->second), wanted.role, wanted.example));
    try {
        if (wanted.model == "gpt") nn::GPTConfig::from_checkpoint(c.checkpoint);
        else nn::EncoderConfig::from_checkpoint(c.checkpoint);
    } catch (const std::exception& e) {
        throw std::runtime_error(fmt::format("{}: {}", path, e.what()));
    }
    if (auto bad = nn::non_finite_tensor(c.checkpoint.tensors))
        throw std::runtime_error(fmt::format("{}: tensor '{}' holds NaN or infinite values (a corrupt file?)", path, *bad));
    c.tokenizer_dir = checkpoint_tokenizer_dir(weights, meta);
    const std::string dir = c.tokenizer_dir.string();
    if (!std::filesystem::is_directory(c.tokenizer_dir, ec))
        throw std::runtime_error(fmt::format("{}: its tokenizer folder {} is missing (a checkpoint's tokenizer folder "
                                             "travels with it: copy both)",
                                             path, dir));
    try {
        c.tokenizer = tokenizer::load(dir);
    } catch (const std::exception& e) {
        throw std::runtime_error(fmt::format("{}: cannot load its tokenizer from {}: {}", path, dir, e.what()));
    }
    if (c.tokenizer->type() != wanted.tokenizer)
        throw std::runtime_error(fmt::format("{} has a {} tokenizer ({}); {} with a {} tokenizer, {}", path,
                                             c.tokenizer->type(), dir, wanted.role, wanted.tokenizer, wanted.example));
    return c;
}

}  // namespace aprender::tutorial
