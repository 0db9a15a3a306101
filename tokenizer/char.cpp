// char.cpp — one token per Unicode code point.
#include "tokenizer/char.h"

#include "tokenizer/json_file.h"
#include "tokenizer/unicode.h"

#include <fmt/format.h>

#include <set>

namespace aprender::tokenizer {

CharTokenizer::CharTokenizer(std::vector<std::string> tokens) : vocab_(std::move(tokens)) {
    if (vocab_.size() == 0 || vocab_.token(0) != kUnk)
        throw TokenizerError("character vocabulary must start with <unk> (id 0)");
    for (int32_t id = 1; id < vocab_.size(); ++id) {
        const std::string& t = vocab_.token(id);
        char32_t cp = 0;
        if (t.empty() || next_code_point(t, 0, &cp) != t.size())
            throw TokenizerError(fmt::format("character vocabulary entry {} ('{}') is not one code point", id, t));
    }
}

CharTokenizer CharTokenizer::train(std::string_view corpus) {
    if (corpus.empty()) throw TokenizerError("cannot train a character tokenizer on an empty corpus");
    std::set<char32_t> seen;
    for (char32_t cp : decode_utf8(nfc(corpus))) seen.insert(cp);
    std::vector<std::string> tokens{kUnk};
    for (char32_t cp : seen) tokens.push_back(encode_utf8(cp));
    return CharTokenizer(std::move(tokens));
}

std::vector<int32_t> CharTokenizer::encode(std::string_view text) const {
    std::string normal = nfc(text);  // throws on invalid UTF-8, naming the offset
    std::vector<int32_t> ids;
    ids.reserve(normal.size());
    size_t pos = 0;
    while (pos < normal.size()) {
        char32_t cp = 0;
        size_t n = next_code_point(normal, pos, &cp);
        ids.push_back(vocab_.find(std::string_view(normal.data() + pos, n)).value_or(unk_id()));
        pos += n;
    }
    return ids;
}

std::string CharTokenizer::decode(const std::vector<int32_t>& ids) const {
    std::string out;
    for (int32_t id : ids) out += id == unk_id() ? std::string("\xEF\xBF\xBD") : vocab_.token(id);
    return out;
}

void CharTokenizer::save(const std::string& dir) const {
    nlohmann::json j{{"type", "char"}, {"tokens", vocab_.tokens()}};
    write_text_file(dir + "/tokenizer.json", j.dump(1) + "\n");
}

CharTokenizer CharTokenizer::load(const std::string& dir) {
    auto path = dir + "/tokenizer.json";
    auto j = read_json_file(path);
    try {
        if (j.at("type") != "char") throw TokenizerError(fmt::format("{} is not a character tokenizer", path));
        return CharTokenizer(j.at("tokens").get<std::vector<std::string>>());
    } catch (const nlohmann::json::exception& e) {
        throw TokenizerError(fmt::format("{}: {}", path, json_error_text(e)));
    }
}

}  // namespace aprender::tokenizer
