// model_store.cpp — see model_store.h.
#include "tools/model_store.h"

#include "tokenizer/token_file.h"
#include "tokenizer/unicode.h"
#include "tools/cli.h"
#include "tools/outputs.h"

#include <fmt/format.h>

#include <filesystem>
#include <fstream>

namespace fs = std::filesystem;

namespace aprender::cli {

nn::Module& StoredModel::module() const {
    if (gpt) return *gpt;
    return *encoder;
}

int64_t StoredModel::context() const { return gpt ? gpt->config.block_size : encoder->config.max_len; }

void save_model(const std::string& path, const nn::Module& model, nn::Metadata meta, const tokenizer::Tokenizer* tok) {
    std::string dir = tokenizer_dir_for(path);
    bool dir_was_there = fs::exists(dir);
    try {
        if (tok) {
            tok->save(dir);
            meta["tokenizer"] = fs::path(dir).filename().string();  // relative to the checkpoint
        }
        nn::save_safetensors(path, model.state_dict(), meta);
    } catch (...) {
        // A failed save (a full disk) leaves nothing behind: a tokenizer folder without its
        // checkpoint would only make the next try ask for --force.
        std::error_code ec;
        if (tok && !dir_was_there) fs::remove_all(dir, ec);
        throw;
    }
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
        if (kind->second == "gpt") m.gpt = std::make_shared<nn::GPT>(nn::GPTConfig::from_checkpoint(ck));
        else if (kind->second == "encoder") m.encoder = std::make_shared<nn::Encoder>(nn::EncoderConfig::from_checkpoint(ck));
        else throw std::runtime_error("unknown model kind '" + kind->second + "'");
    } catch (const std::exception& e) {
        throw std::runtime_error(path + ": " + e.what());
    }
    try {
        m.module().load_state_dict(ck.tensors);
    } catch (const std::exception& e) {
        throw std::runtime_error(path + ": " + e.what());
    }
    if (auto bad = nn::non_finite_tensor(ck.tensors))
        throw std::runtime_error(fmt::format("{}: tensor '{}' holds NaN or infinite values (a corrupt file?)", path, *bad));
    if (auto t = ck.metadata.find("tokenizer"); t != ck.metadata.end()) {
        if (!tokenizer::is_plain_folder_name(t->second))  // save_model writes one
            throw std::runtime_error(fmt::format("{}: its metadata names the tokenizer folder '{}', which is not a folder "
                                                 "name beside the checkpoint", path, t->second));
        fs::path dir = fs::path(path).parent_path() / t->second;
        try {
            m.tokenizer = tokenizer::load(dir.string());
        } catch (const std::exception& e) {
            throw std::runtime_error(fmt::format("{}: cannot load its tokenizer from {}: {}", path, dir.string(), e.what()));
        }
        // A tokenizer may know fewer tokens than the model has rows, never more: an id
        // past the embedding table would only fail mid-generation.
        int64_t rows = m.gpt ? m.gpt->config.vocab_size : m.encoder->config.vocab_size;
        if (m.tokenizer->vocab_size() > rows)
            throw std::runtime_error(fmt::format("{}: its tokenizer {} has {} tokens but the model only {} rows: they do "
                                                 "not belong together",
                                                 path, dir.string(), m.tokenizer->vocab_size(), rows));
    }
    return m;
}

void require_utf8(const std::string& text, const std::string& source) {
    size_t at = 0;
    if (!tokenizer::is_valid_utf8(text, &at))
        throw UsageError(fmt::format("{} is not valid UTF-8: byte {} (0x{:02X}) starts no character", source, at,
                                     static_cast<unsigned char>(text[at])));
}

std::vector<int32_t> encode_strict(const tokenizer::Tokenizer& tok, const std::string& text, const std::string& source) {
    require_utf8(text, source);
    std::vector<int32_t> ids = tok.encode(text);
    // Word-level vocabularies map rare words to <unk> by design (the OOV problem BPE solves);
    // a character vocabulary without one of the text's characters is a mismatch.
    if (tok.type() == "word" || tok.type() == "wordpiece") return ids;
    auto unk = tok.token_to_id("<unk>");
    if (!unk) unk = tok.token_to_id("[UNK]");
    if (unk && std::find(ids.begin(), ids.end(), *unk) != ids.end()) {
        // find the characters responsible, to name them
        std::string bad;
        for (char32_t cp : tokenizer::decode_utf8(text)) {
            std::string ch = tokenizer::encode_utf8(cp), shown = fmt::format("'{}'", escaped(ch));
            auto one = tok.encode(ch);
            if (std::find(one.begin(), one.end(), *unk) != one.end() && bad.find(shown) == std::string::npos)
                bad += (bad.empty() ? "" : " ") + shown;
        }
        throw UsageError(fmt::format("{} has characters the vocabulary ({} tokenizer, {} tokens) does not contain, which "
                                     "would all read as {}: {}",
                                     source, tok.type(), tok.vocab_size(), tok.id_to_token(*unk),
                                     bad.empty() ? std::string("(unknown)") : bad));
    }
    return ids;
}

bool is_token_file(const std::string& path) { return path.size() > 4 && path.compare(path.size() - 4, 4, ".bin") == 0; }

std::string read_text_file(const std::string& path) {
    if (!fs::is_regular_file(path))
        throw std::runtime_error(path + (fs::is_directory(path) ? " is a folder, not a file"
                                         : fs::exists(path)     ? " is not a regular file"
                                                                : " does not exist"));
    std::ifstream in(path, std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (!in && !in.eof()) throw std::runtime_error("cannot read " + path);
    return bytes;
}

void check_token_ids(const std::vector<int32_t>& ids, int64_t vocab, const std::string& path) {
    for (size_t i = 0; i < ids.size(); ++i)
        if (ids[i] < 0 || ids[i] >= vocab)
            throw std::runtime_error(
                fmt::format("{} holds token id {} (position {}), outside the vocabulary of {}", path, ids[i], i, vocab));
}

std::vector<int32_t> read_tokens_for(const StoredModel& m, const std::string& path) {
    std::vector<int32_t> ids;
    if (is_token_file(path)) {
        ids = tokenizer::read_token_file(path);
    } else {
        if (!m.tokenizer) throw UsageError(m.path + " has no tokenizer (it was trained on token ids): give a token file (.bin)");
        ids = encode_strict(*m.tokenizer, read_text_file(path), path);
    }
    check_token_ids(ids, m.gpt ? m.gpt->config.vocab_size : m.encoder->config.vocab_size, path);
    return ids;
}

}  // namespace aprender::cli
