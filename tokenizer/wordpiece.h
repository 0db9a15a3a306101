// wordpiece.h — WordPiece, BERT style: bert_basic_tokenize, then greedy longest match.
//
//     auto bert = WordPieceTokenizer::load_vocab_txt("vocab.txt");   // bert-base-uncased
//     bert.encode("Hello, my dog is cute");   // {7592, 1010, 2026, 3899, 2003, 10140}
//     bert.encode("unaffable");               // "una" "##ffa" "##ble"
//
// Each word is cut left to right: take the longest prefix that is in the vocabulary, then
// the longest "##"-prefixed continuation, and so on. If some part of the word matches
// nothing, or the word is longer than max_chars_per_word (100) code points, the whole word
// becomes [UNK]. Special tokens ([CLS], [SEP], ...) in the text are plain text here; use
// encode_pair() to frame inputs the way BERT expects.
//
// The normaliser has Hugging Face's BertNormalizer options: `lowercase` (default true) and
// `strip_accents` (unset: the same as lowercase). The defaults are bert-base-uncased's, which
// turns "é" into "e"; a Portuguese vocabulary wants {.lowercase = true, .strip_accents = false}.
//
// decode() joins pieces ("con ##sti ##tu" -> "constitu") with spaces between words: it is
// not an exact inverse (spacing is gone; case and accents too when the normaliser drops them).
#pragma once

#include "tokenizer/tokenizer.h"
#include "tokenizer/vocab.h"

namespace aprender::tokenizer {

// BERT's input for one or two segments: [CLS] a [SEP] (b [SEP]), with segment ids 0 for
// [CLS], a and its [SEP], and 1 for b and the final [SEP].
struct BertEncoding {
    std::vector<int32_t> ids;
    std::vector<int32_t> segment_ids;
};

struct WordPieceTrainOptions {
    bool lowercase = true;
    std::optional<bool> strip_accents = std::nullopt;  // unset: the same as lowercase (Hugging Face's default)
    int64_t min_frequency = 1;  // words seen fewer times are ignored
    std::vector<std::string> special_tokens{"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"};
};

class WordPieceTokenizer : public Tokenizer {
public:
    // `tokens` in id order; must contain "[UNK]". strip_accents unset: the same as lowercase
    // (last, so that an older call's third argument still means max_chars_per_word).
    WordPieceTokenizer(std::vector<std::string> tokens, bool lowercase, int64_t max_chars_per_word = 100,
                       std::optional<bool> strip_accents = std::nullopt);

    // A standard vocab.txt: one token per line, the line number minus one is the id.
    static WordPieceTokenizer load_vocab_txt(const std::string& path, bool lowercase = true,
                                             std::optional<bool> strip_accents = std::nullopt);
    // tokenizer.json + vocab.txt. A tokenizer.json without "strip_accents" (written before the
    // option existed) strips accents exactly when it lower-cases, as it did then.
    static WordPieceTokenizer load(const std::string& dir);
    void save(const std::string& dir) const override;

    // Trains a vocabulary the way Hugging Face's WordPiece trainer does: BPE merges over the
    // words of bert_basic_tokenize, where pieces inside a word carry "##". The vocabulary is
    // the special tokens, then every character seen (initial and "##" forms), then the merged
    // pieces in order. Throws on an empty corpus or a size below the alphabet.
    static WordPieceTokenizer train(std::string_view corpus, int64_t vocab_size, const WordPieceTrainOptions& options = {});

    std::string type() const override { return "wordpiece"; }
    std::vector<int32_t> encode(std::string_view text) const override;
    std::vector<std::string> tokenize(std::string_view text) const;  // the pieces, as text
    BertEncoding encode_pair(std::string_view a, std::optional<std::string_view> b = std::nullopt) const;
    std::string decode(const std::vector<int32_t>& ids) const override;
    int64_t vocab_size() const override { return vocab_.size(); }
    std::string id_to_token(int32_t id) const override { return vocab_.token(id); }
    std::optional<int32_t> token_to_id(std::string_view token) const override { return vocab_.find(token); }
    std::vector<std::string> special_tokens() const override;
    bool lowercase() const { return lowercase_; }
    bool strip_accents() const { return strip_accents_; }

private:
    void wordpiece(const std::string& word, std::vector<int32_t>& out) const;
    int32_t require(const char* token) const;

    Vocab vocab_;
    bool lowercase_;
    bool strip_accents_;  // resolved: never "unset" once built
    int64_t max_chars_per_word_;
    int32_t unk_id_;
    size_t longest_token_ = 0;  // in bytes: no longer candidate can match
};

}  // namespace aprender::tokenizer
