// wordpiece.cpp — greedy longest-match-first WordPiece, vocab.txt files, and the trainer.
#include "tokenizer/wordpiece.h"

#include "tokenizer/bert_basic.h"
#include "tokenizer/json_file.h"
#include "tokenizer/merge_learner.h"
#include "tokenizer/unicode.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>
#include <sstream>

namespace aprender::tokenizer {

WordPieceTokenizer::WordPieceTokenizer(std::vector<std::string> tokens, bool lowercase, int64_t max_chars_per_word,
                                       std::optional<bool> strip_accents)
    : vocab_(std::move(tokens)),
      lowercase_(lowercase),
      strip_accents_(strip_accents.value_or(lowercase)),
      max_chars_per_word_(max_chars_per_word) {
    unk_id_ = require("[UNK]");
    for (const auto& t : vocab_.tokens()) longest_token_ = std::max(longest_token_, t.size());
    // Words are matched greedily, longest piece first; candidates longer than the longest
    // token are skipped, but a word still costs up to its length times the longest token's,
    // so the limit (BERT's is 100) must stay modest.
    if (max_chars_per_word_ < 1 || max_chars_per_word_ > 1000)
        throw TokenizerError(fmt::format("max_chars_per_word must be between 1 and 1000, got {}", max_chars_per_word_));
}

int32_t WordPieceTokenizer::require(const char* token) const {
    auto id = vocab_.find(token);
    if (!id) throw TokenizerError(fmt::format("the WordPiece vocabulary has no {} token", token));
    return *id;
}

void WordPieceTokenizer::wordpiece(const std::string& word, std::vector<int32_t>& out) const {
    // Byte offsets where each code point starts (cuts are only made there).
    std::vector<size_t> starts;
    for (size_t pos = 0; pos < word.size();) {
        starts.push_back(pos);
        char32_t cp = 0;
        pos += next_code_point(word, pos, &cp);
    }
    if (static_cast<int64_t>(starts.size()) > max_chars_per_word_) {
        out.push_back(unk_id_);
        return;
    }
    starts.push_back(word.size());
    std::vector<int32_t> pieces;
    size_t begin = 0;  // index into starts
    std::string candidate;
    while (begin + 1 < starts.size()) {
        std::optional<int32_t> found;
        size_t end = starts.size() - 1;
        // Skip the candidates no token is long enough to match: without this, a 1000-letter
        // word of 4-byte characters (max_chars_per_word allows it) built and looked up half
        // a million strings of up to 4 KB (cubic in the word's length).
        const size_t marker = begin > 0 ? 2 : 0;  // "##"
        while (end > begin && marker + starts[end] - starts[begin] > longest_token_) --end;
        for (; end > begin; --end) {  // longest first
            candidate = begin > 0 ? "##" : "";
            candidate.append(word, starts[begin], starts[end] - starts[begin]);
            if ((found = vocab_.find(candidate))) break;
        }
        if (!found) {  // some part matches nothing: the whole word is unknown
            out.push_back(unk_id_);
            return;
        }
        pieces.push_back(*found);
        begin = end;
    }
    out.insert(out.end(), pieces.begin(), pieces.end());
}

std::vector<int32_t> WordPieceTokenizer::encode(std::string_view text) const {
    std::vector<int32_t> ids;
    for (auto& word : bert_basic_tokenize(text, lowercase_, strip_accents_)) wordpiece(word, ids);
    return ids;
}

std::vector<std::string> WordPieceTokenizer::tokenize(std::string_view text) const {
    std::vector<std::string> out;
    for (int32_t id : encode(text)) out.push_back(vocab_.token(id));
    return out;
}

BertEncoding WordPieceTokenizer::encode_pair(std::string_view a, std::optional<std::string_view> b) const {
    const int32_t cls = require("[CLS]"), sep = require("[SEP]");
    BertEncoding e;
    e.ids.push_back(cls);
    auto first = encode(a);
    e.ids.insert(e.ids.end(), first.begin(), first.end());
    e.ids.push_back(sep);
    e.segment_ids.assign(e.ids.size(), 0);
    if (b) {
        auto second = encode(*b);
        e.ids.insert(e.ids.end(), second.begin(), second.end());
        e.ids.push_back(sep);
        e.segment_ids.resize(e.ids.size(), 1);
    }
    return e;
}

std::string WordPieceTokenizer::decode(const std::vector<int32_t>& ids) const {
    std::string out;
    for (int32_t id : ids) {
        const std::string& t = vocab_.token(id);  // throws on an unknown id
        if (t.rfind("##", 0) == 0 && t.size() > 2) {
            out += t.substr(2);
        } else {
            if (!out.empty()) out += ' ';
            out += t;
        }
    }
    return out;
}

std::vector<std::string> WordPieceTokenizer::special_tokens() const {
    std::vector<std::string> out;
    for (const char* t : {"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"})
        if (vocab_.contains(t)) out.push_back(t);
    return out;
}

WordPieceTokenizer WordPieceTokenizer::load_vocab_txt(const std::string& path, bool lowercase, std::optional<bool> strip_accents) {
    std::string text = read_text_file(path);
    std::istringstream lines(text);
    std::string line;
    std::vector<std::string> tokens;
    std::map<std::string, int> first_line;
    for (int line_no = 1; std::getline(lines, line); ++line_no) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        size_t bad = 0;
        if (!is_valid_utf8(line, &bad)) throw TokenizerError(fmt::format("{}:{}: invalid UTF-8 at byte {} of the line", path, line_no, bad));
        if (line.empty()) throw TokenizerError(fmt::format("{}:{}: empty line (one token per line, ids are line numbers - 1)", path, line_no));
        auto [it, inserted] = first_line.emplace(line, line_no);
        if (!inserted) throw TokenizerError(fmt::format("{}:{}: token '{}' already appeared on line {}", path, line_no, line, it->second));
        tokens.push_back(line);
    }
    try {
        return WordPieceTokenizer(std::move(tokens), lowercase, 100, strip_accents);
    } catch (const TokenizerError& e) {
        throw TokenizerError(fmt::format("{}: {}", path, e.what()));
    }
}

void WordPieceTokenizer::save(const std::string& dir) const {
    std::string text;
    for (auto& t : vocab_.tokens()) text += t + "\n";
    write_text_file(dir + "/vocab.txt", text);
    // "lowercase" and "strip_accents": the names of Hugging Face's BertNormalizer options.
    nlohmann::json j{{"type", "wordpiece"}, {"vocab", "vocab.txt"}, {"lowercase", lowercase_},
                     {"strip_accents", strip_accents_}, {"max_chars_per_word", max_chars_per_word_}};
    write_text_file(dir + "/tokenizer.json", j.dump(1) + "\n");
}

WordPieceTokenizer WordPieceTokenizer::load(const std::string& dir) {
    auto path = dir + "/tokenizer.json";
    auto j = read_json_file(path);
    try {
        if (j.at("type") != "wordpiece") throw TokenizerError(fmt::format("{} is not a WordPiece tokenizer", path));
        const bool lowercase = j.at("lowercase").get<bool>();
        std::optional<bool> strip_accents;  // absent (an older file) or null: follows lowercase
        if (j.contains("strip_accents") && !j["strip_accents"].is_null()) strip_accents = j["strip_accents"].get<bool>();
        int64_t max_chars_per_word = 100;
        if (j.contains("max_chars_per_word")) {
            // Checked on the JSON value before reading it as int64_t: that read is undefined
            // behaviour for 1e30, quietly gives 5 for 5.5, and wraps 2^64 - 1 round to -1.
            // (JSON reads a number without a sign or a fraction as "unsigned".)
            const auto& m = j["max_chars_per_word"];
            if (!m.is_number_unsigned() || m.get<uint64_t>() < 1 || m.get<uint64_t>() > 1000)
                throw TokenizerError(fmt::format("{}: \"max_chars_per_word\" must be an integer from 1 to 1000, got {}",
                                                 path, m.dump()));
            max_chars_per_word = m.get<int64_t>();
        }
        auto tok = load_vocab_txt(dir + "/vocab.txt", lowercase, strip_accents);
        return WordPieceTokenizer(tok.vocab_.tokens(), lowercase, max_chars_per_word, strip_accents);
    } catch (const nlohmann::json::exception& e) {
        throw TokenizerError(fmt::format("{}: {}", path, json_error_text(e)));
    }
}

WordPieceTokenizer WordPieceTokenizer::train(std::string_view corpus, int64_t vocab_size, const WordPieceTrainOptions& options) {
    if (corpus.empty()) throw TokenizerError("cannot train a WordPiece tokenizer on an empty corpus");
    if (std::find(options.special_tokens.begin(), options.special_tokens.end(), "[UNK]") == options.special_tokens.end())
        throw TokenizerError("WordPiece special tokens must include [UNK]");
    if (options.min_frequency < 1)  // as the word tokenizer: 1 keeps every word, less means nothing more
        throw TokenizerError(fmt::format("min_frequency must be >= 1, got {}", options.min_frequency));
    std::map<std::string, int64_t> word_counts;  // ordered: deterministic
    for (auto& w : bert_basic_tokenize(corpus, options.lowercase, options.strip_accents)) ++word_counts[w];
    if (word_counts.empty()) throw TokenizerError("the corpus has no words to train WordPiece on");

    // Each word as its characters: the first as itself, the others with "##".
    std::vector<std::vector<std::string>> spelled;
    std::vector<int64_t> counts;
    std::set<std::string> alphabet_set;
    for (auto& [word, count] : word_counts) {
        if (count < options.min_frequency) continue;
        std::vector<std::string> symbols;
        for (char32_t cp : decode_utf8(word)) symbols.push_back((symbols.empty() ? "" : "##") + encode_utf8(cp));
        alphabet_set.insert(symbols.begin(), symbols.end());
        spelled.push_back(std::move(symbols));
        counts.push_back(count);
    }
    std::vector<std::string> symbols(alphabet_set.begin(), alphabet_set.end());  // id = position
    const auto base = static_cast<int64_t>(options.special_tokens.size() + symbols.size());
    if (vocab_size < base)
        throw TokenizerError(fmt::format("vocab size {} is smaller than the base alphabet: {} special tokens + {} characters = {}",
                                         vocab_size, options.special_tokens.size(), symbols.size(), base));
    std::map<std::string, int32_t> symbol_id;
    for (size_t i = 0; i < symbols.size(); ++i) symbol_id[symbols[i]] = static_cast<int32_t>(i);
    std::vector<std::vector<int32_t>> words;
    for (auto& s : spelled) {
        words.emplace_back();
        for (auto& sym : s) words.back().push_back(symbol_id[sym]);
    }

    Vocab vocab(options.special_tokens);
    for (auto& s : symbols) vocab.add(s);
    for (auto& m : learn_merges(std::move(words), counts, static_cast<int32_t>(symbols.size()), vocab_size - base)) {
        // "con" + "##sti" -> "consti"; "##sti" + "##tu" -> "##stitu"
        const std::string& right = symbols[m.right];
        symbols.push_back(symbols[m.left] + (right.rfind("##", 0) == 0 ? right.substr(2) : right));
        vocab.add(symbols.back());  // the same text from two different merges gets one id
    }
    return WordPieceTokenizer(vocab.tokens(), options.lowercase, 100, options.strip_accents);
}

}  // namespace aprender::tokenizer
