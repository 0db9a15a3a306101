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
// decode() joins pieces ("con ##sti ##tu" -> "constitu") with spaces between words: it is
// not an exact inverse (case, accents and spacing are gone after lower-casing).
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
    int64_t min_frequency = 1;  // words seen fewer times are ignored
    std::vector<std::string> special_tokens{"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"};
};

class WordPieceTokenizer : public Tokenizer {
public:
    // `tokens` in id order; must contain "[UNK]".
    WordPieceTokenizer(std::vector<std::string> tokens, bool lowercase, int64_t max_chars_per_word = 100);

    // A standard vocab.txt: one token per line, the line number minus one is the id.
    static WordPieceTokenizer load_vocab_txt(const std::string& path, bool lowercase = true);
    static WordPieceTokenizer load(const std::string& dir);  // tokenizer.json + vocab.txt
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

private:
    void wordpiece(const std::string& word, std::vector<int32_t>& out) const;
    int32_t require(const char* token) const;

    Vocab vocab_;
    bool lowercase_;
    int64_t max_chars_per_word_;
    int32_t unk_id_;
};

}  // namespace aprender::tokenizer
