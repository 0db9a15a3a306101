// model_store.cpp — see model_store.h.
#include "tools/model_store.h"

#include "tokenizer/unicode.h"
#include "tools/cli.h"

#include <fmt/format.h>

#include <filesystem>

namespace fs = std::filesystem;

namespace aprender::cli {

nn::Module& StoredModel::module() const {
    if (gpt) return *gpt;
    return *encoder;
}

int64_t StoredModel::context() const { return gpt ? gpt->config.block_size : encoder->config.max_len; }

void check_writable(const std::string& path, bool overwrite) {
    if (!overwrite && fs::exists(path)) throw UsageError(path + " exists; pass --force to replace it");
    fs::path parent = fs::path(path).parent_path();
    if (!parent.empty()) fs::create_directories(parent);
}

static std::string tokenizer_dir_for(const std::string& path) {
    fs::path p(path);
    return (p.parent_path() / (p.stem().string() + ".tokenizer")).string();
}

void save_model(const std::string& path, const nn::Module& model, nn::Metadata meta, const tokenizer::Tokenizer* tok,
                bool overwrite) {
    check_writable(path, overwrite);
    if (tok) {
        std::string dir = tokenizer_dir_for(path);
        tok->save(dir);
        meta["tokenizer"] = fs::path(dir).filename().string();  // relative to the checkpoint
    }
    nn::save_safetensors(path, model.state_dict(), meta);
}

StoredModel load_model(const std::string& path) {
    if (!fs::exists(path)) throw std::runtime_error("checkpoint " + path + " does not exist");
    nn::Checkpoint ck = nn::load_safetensors(path);
    StoredModel m;
    m.path = path;
    m.metadata = ck.metadata;
    auto kind = ck.metadata.find("model");
    if (kind == ck.metadata.end())
        throw std::runtime_error(path + ": no model config in the metadata (was it saved by aprender?)");
    try {
        if (kind->second == "gpt") m.gpt = std::make_shared<nn::GPT>(nn::GPTConfig::from_metadata(ck.metadata));
        else if (kind->second == "encoder")
            m.encoder = std::make_shared<nn::Encoder>(nn::EncoderConfig::from_metadata(ck.metadata));
        else throw std::runtime_error("unknown model kind '" + kind->second + "'");
    } catch (const std::exception& e) {
        throw std::runtime_error(path + ": " + e.what());
    }
    try {
        m.module().load_state_dict(ck.tensors);
    } catch (const std::exception& e) {
        throw std::runtime_error(path + ": " + e.what());
    }
    if (auto t = ck.metadata.find("tokenizer"); t != ck.metadata.end()) {
        fs::path dir = fs::path(path).parent_path() / t->second;
        try {
            m.tokenizer = tokenizer::load(dir.string());
        } catch (const std::exception& e) {
            throw std::runtime_error(fmt::format("{}: cannot load its tokenizer from {}: {}", path, dir.string(), e.what()));
        }
    }
    return m;
}

std::vector<int32_t> encode_strict(const tokenizer::Tokenizer& tok, const std::string& text) {
    if (!tokenizer::is_valid_utf8(text)) throw UsageError("the text is not valid UTF-8");
    std::vector<int32_t> ids = tok.encode(text);
    auto unk = tok.token_to_id("<unk>");
    if (!unk) unk = tok.token_to_id("[UNK]");
    if (unk && std::find(ids.begin(), ids.end(), *unk) != ids.end()) {
        // find the characters responsible, to name them
        std::string bad;
        for (char32_t cp : tokenizer::decode_utf8(text)) {
            std::string ch = tokenizer::encode_utf8(cp);
            auto one = tok.encode(ch);
            if (std::find(one.begin(), one.end(), *unk) != one.end() && bad.find(ch) == std::string::npos)
                bad += (bad.empty() ? "'" : " '") + ch + "'";
        }
        throw UsageError("the text has characters this model's vocabulary does not contain: " +
                         (bad.empty() ? std::string("(unknown)") : bad));
    }
    return ids;
}

}  // namespace aprender::cli
