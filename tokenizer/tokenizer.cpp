// tokenizer.cpp — load(): read tokenizer.json's "type" and build that kind.
#include "tokenizer/tokenizer.h"

#include "tokenizer/bpe.h"
#include "tokenizer/char.h"
#include "tokenizer/json_file.h"
#include "tokenizer/word.h"
#include "tokenizer/wordpiece.h"

#include <fmt/format.h>

namespace aprender::tokenizer {

const std::vector<std::string>& folder_files() {
    static const std::vector<std::string> files{"tokenizer.json", "vocab.json", "merges.txt", "vocab.txt"};
    return files;
}

bool is_plain_folder_name(const std::string& name) {
    return !name.empty() && name.find('/') == std::string::npos && name != "." && name != "..";
}

std::unique_ptr<Tokenizer> load(const std::string& dir) {
    auto path = dir + "/tokenizer.json";
    auto j = read_json_file(path);
    if (!j.is_object() || !j.contains("type") || !j["type"].is_string())
        throw TokenizerError(fmt::format("{} has no \"type\" string", path));
    auto type = j["type"].get<std::string>();
    try {
        if (type == "char") return std::make_unique<CharTokenizer>(CharTokenizer::load(dir));
        if (type == "bpe") return std::make_unique<BpeTokenizer>(BpeTokenizer::load(dir));
        if (type == "wordpiece") return std::make_unique<WordPieceTokenizer>(WordPieceTokenizer::load(dir));
        if (type == "word") return std::make_unique<WordTokenizer>(WordTokenizer::load(dir));
    } catch (const TokenizerError& e) {  // a check deep in a constructor may not know which folder it reads
        if (std::string_view(e.what()).find(dir) != std::string_view::npos) throw;
        throw TokenizerError(fmt::format("tokenizer {}: {}", dir, e.what()));
    }
    throw TokenizerError(fmt::format("{}: unknown tokenizer type '{}' (expected char, word, bpe or wordpiece)", path, type));
}

}  // namespace aprender::tokenizer
