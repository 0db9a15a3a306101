// model_store.cpp — see model_store.h.
#include "tools/model_store.h"

#include "tokenizer/token_file.h"
#include "tokenizer/unicode.h"
#include "tools/cli.h"

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

static std::string tokenizer_dir_for(const std::string& path) {
    fs::path p(path);
    return (p.parent_path() / (p.stem().string() + ".tokenizer")).string();
}

void check_writable(const std::string& path, bool overwrite) {
    if (path.empty() || path.back() == '/' || fs::is_directory(path))
        throw UsageError(fmt::format("{} is a folder; a checkpoint needs a file name such as {}", path,
                                     (fs::path(path) / "model.safetensors").lexically_normal().string()));
    if (!overwrite && fs::exists(path)) throw UsageError(path + " exists; pass --force to replace it");
    // The tokenizer folder beside it may belong to another checkpoint (m.st and
    // m.safetensors share m.tokenizer/): replacing it would quietly break that one.
    std::string tok_dir = tokenizer_dir_for(path);
    if (!overwrite && fs::exists(tok_dir))
        throw UsageError(fmt::format("{} exists (the tokenizer folder {} would use; another checkpoint's?); pass "
                                     "--force to replace it",
                                     tok_dir, path));
    fs::path parent = fs::path(path).parent_path();
    if (!parent.empty()) fs::create_directories(parent);
}

void check_distinct(const std::string& a, const std::string& b, const std::string& what) {
    if (!a.empty() && !b.empty() && fs::weakly_canonical(a) == fs::weakly_canonical(b))
        throw UsageError(fmt::format("{} name the same place ({}): the second save would replace the first", what, a));
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

std::vector<int32_t> encode_strict(const tokenizer::Tokenizer& tok, const std::string& text) {
    if (!tokenizer::is_valid_utf8(text)) throw UsageError("the text is not valid UTF-8");
    std::vector<int32_t> ids = tok.encode(text);
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
        throw UsageError("the text has characters this model's vocabulary does not contain: " +
                         (bad.empty() ? std::string("(unknown)") : bad));
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
        ids = encode_strict(*m.tokenizer, read_text_file(path));
    }
    check_token_ids(ids, m.gpt ? m.gpt->config.vocab_size : m.encoder->config.vocab_size, path);
    return ids;
}

}  // namespace aprender::cli
