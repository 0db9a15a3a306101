// word.cpp — Unicode word splitting and the word-level vocabulary.
#include "tokenizer/word.h"

#include "tokenizer/json_file.h"
#include "tokenizer/unicode.h"

#include <fmt/format.h>

#include <algorithm>
#include <unordered_map>

namespace aprender::tokenizer {

std::vector<std::string> split_words(std::string_view text, bool lowercase) {
    std::string normal = nfc(text);  // throws on invalid UTF-8, naming the offset
    if (lowercase) normal = lower(normal);
    std::vector<std::string> words;
    std::string current;  // the word being built
    auto flush = [&] {
        if (!current.empty()) words.push_back(std::move(current));
        current.clear();
    };
    size_t pos = 0;
    while (pos < normal.size()) {
        char32_t cp = 0;
        size_t n = next_code_point(normal, pos, &cp);
        std::string_view bytes(normal.data() + pos, n);
        pos += n;
        if (is_letter(cp) || is_number(cp) || (is_mark(cp) && !current.empty())) {
            current += bytes;
        } else if (is_whitespace(cp) || is_control(cp)) {
            flush();
        } else {  // punctuation, symbols, anything else visible: a token of its own
            flush();
            words.emplace_back(bytes);
        }
    }
    flush();
    return words;
}

WordTokenizer::WordTokenizer(std::vector<std::string> tokens, bool lowercase)
    : vocab_(std::move(tokens)), lowercase_(lowercase) {
    if (vocab_.size() == 0 || vocab_.token(0) != kUnk)
        throw TokenizerError("word vocabulary must start with <unk> (id 0)");
}

WordTokenizer WordTokenizer::train(std::string_view corpus, const WordTrainOptions& options) {
    if (options.min_count < 1) throw TokenizerError(fmt::format("min_count must be >= 1, got {}", options.min_count));
    if (options.max_vocab < 0 || options.max_vocab == 1)
        throw TokenizerError(fmt::format("max_vocab must be 0 (no limit) or >= 2, got {}", options.max_vocab));
    std::unordered_map<std::string, int64_t> counts;
    for (auto& w : split_words(corpus, options.lowercase)) ++counts[w];
    if (counts.empty()) throw TokenizerError("cannot train a word tokenizer on an empty corpus");
    std::vector<std::pair<std::string, int64_t>> sorted(counts.begin(), counts.end());
    // Most frequent first; equal counts in byte order, so the ids never depend on hashing.
    std::sort(sorted.begin(), sorted.end(),
              [](const auto& a, const auto& b) { return a.second != b.second ? a.second > b.second : a.first < b.first; });
    std::vector<std::string> tokens{kUnk};
    for (auto& [word, count] : sorted) {
        if (count < options.min_count) break;
        if (options.max_vocab > 0 && static_cast<int64_t>(tokens.size()) >= options.max_vocab) break;
        if (word != kUnk) tokens.push_back(word);
    }
    return WordTokenizer(std::move(tokens), options.lowercase);
}

std::vector<int32_t> WordTokenizer::encode(std::string_view text) const {
    std::vector<int32_t> ids;
    for (auto& w : split_words(text, lowercase_)) ids.push_back(vocab_.find(w).value_or(unk_id()));
    return ids;
}

namespace {
bool closes(const std::string& t) {
    static const char* kClosing[] = {".", ",", ";", ":", "!", "?", ")", "]", "}", "»", "%", "…", "”"};
    return std::find(std::begin(kClosing), std::end(kClosing), t) != std::end(kClosing);
}
bool opens(const std::string& t) {
    static const char* kOpening[] = {"(", "[", "{", "«", "“"};
    return std::find(std::begin(kOpening), std::end(kOpening), t) != std::end(kOpening);
}
}  // namespace

std::string WordTokenizer::decode(const std::vector<int32_t>& ids) const {
    std::string out;
    bool after_opening = true;  // no space at the very start
    for (int32_t id : ids) {
        const std::string& t = vocab_.token(id);  // throws on an unknown id
        if (!after_opening && !closes(t)) out += ' ';
        out += t;
        after_opening = opens(t);
    }
    return out;
}

void WordTokenizer::save(const std::string& dir) const {
    nlohmann::json j{{"type", "word"}, {"lowercase", lowercase_}, {"tokens", vocab_.tokens()}};
    write_text_file(dir + "/tokenizer.json", j.dump(1) + "\n");
}

WordTokenizer WordTokenizer::load(const std::string& dir) {
    auto path = dir + "/tokenizer.json";
    auto j = read_json_file(path);
    try {
        if (j.at("type") != "word") throw TokenizerError(fmt::format("{} is not a word tokenizer", path));
        return WordTokenizer(j.at("tokens").get<std::vector<std::string>>(), j.at("lowercase").get<bool>());
    } catch (const nlohmann::json::exception& e) {
        throw TokenizerError(fmt::format("{}: {}", path, json_error_text(e)));
    }
}

}  // namespace aprender::tokenizer
