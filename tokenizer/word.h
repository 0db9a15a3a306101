// word.h — word-level tokenization: the unit of the n-gram and word2vec tutorials.
//
// split_words("Olá, Mundo! TP558 é legal.")  ->  {"Olá", ",", "Mundo", "!", "TP558", "é", "legal", "."}
//
// Rules (Unicode-aware, via utf8proc):
//   * the text is NFC-normalised first, so "e" + U+0301 and "é" are the same word;
//   * a word is a maximal run of letters, combining marks and digits ("TP558", "constituição");
//   * every other visible character (punctuation, symbols) is a token of its own;
//   * whitespace and control characters only separate tokens and are dropped;
//   * lowercase = true lower-cases every code point with Unicode's simple case mapping
//     ("É" -> "é"; see lower() in unicode.h).
// Invalid UTF-8 throws TokenizerError naming the byte offset (it is not silently replaced).
#pragma once

#include "tokenizer/tokenizer.h"
#include "tokenizer/vocab.h"

#include <string>
#include <string_view>
#include <vector>

namespace aprender::tokenizer {

std::vector<std::string> split_words(std::string_view text, bool lowercase = false);

struct WordTrainOptions {
    bool lowercase = false;
    int64_t min_count = 1;   // words seen fewer times become <unk>
    int64_t max_vocab = 0;   // keep at most this many tokens including <unk>; 0 = no limit
};

// Vocabulary: id 0 is "<unk>", then words by decreasing count, ties broken by byte order
// (so training is deterministic). decode() joins words with spaces, with no space before
// closing punctuation (".", ",", "!", ")" ...) or after opening punctuation ("(", "«" ...):
// readable, but not an exact inverse (the original spacing is gone).
class WordTokenizer : public Tokenizer {
public:
    static constexpr const char* kUnk = "<unk>";

    // `tokens` must start with "<unk>".
    WordTokenizer(std::vector<std::string> tokens, bool lowercase);
    static WordTokenizer train(std::string_view corpus, const WordTrainOptions& options = {});

    std::string type() const override { return "word"; }
    std::vector<int32_t> encode(std::string_view text) const override;
    std::string decode(const std::vector<int32_t>& ids) const override;
    int64_t vocab_size() const override { return vocab_.size(); }
    std::string id_to_token(int32_t id) const override { return vocab_.token(id); }
    std::optional<int32_t> token_to_id(std::string_view token) const override { return vocab_.find(token); }
    std::vector<std::string> special_tokens() const override { return {kUnk}; }
    void save(const std::string& dir) const override;
    static WordTokenizer load(const std::string& dir);

    bool lowercase() const { return lowercase_; }
    int32_t unk_id() const { return 0; }

private:
    Vocab vocab_;
    bool lowercase_;
};

}  // namespace aprender::tokenizer
