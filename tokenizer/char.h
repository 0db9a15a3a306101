// char.h — character-level tokenization over Unicode code points.
//
// Not bytes: "ç", "ã", "é" are one token each (UTF-8 spends two bytes on them). Text is
// NFC-normalised before encoding, so a decomposed "a" + U+0303 also becomes the single
// token "ã"; decode(encode(x)) == nfc(x) for valid UTF-8 made only of known characters.
// Invalid UTF-8 throws TokenizerError naming the byte offset.
#pragma once

#include "tokenizer/tokenizer.h"
#include "tokenizer/vocab.h"

namespace aprender::tokenizer {

// Vocabulary: id 0 is "<unk>" (any character not seen in training), then every character
// of the corpus in code-point order (deterministic, like nanoGPT's sorted(set(text))).
// decode() writes <unk> as U+FFFD "�" (the Unicode replacement character).
class CharTokenizer : public Tokenizer {
public:
    static constexpr const char* kUnk = "<unk>";

    explicit CharTokenizer(std::vector<std::string> tokens);  // tokens[0] must be "<unk>"
    static CharTokenizer train(std::string_view corpus);

    std::string type() const override { return "char"; }
    std::vector<int32_t> encode(std::string_view text) const override;
    std::string decode(const std::vector<int32_t>& ids) const override;
    int64_t vocab_size() const override { return vocab_.size(); }
    std::string id_to_token(int32_t id) const override { return vocab_.token(id); }
    std::optional<int32_t> token_to_id(std::string_view token) const override { return vocab_.find(token); }
    std::vector<std::string> special_tokens() const override { return {kUnk}; }
    void save(const std::string& dir) const override;
    static CharTokenizer load(const std::string& dir);

    int32_t unk_id() const { return 0; }

private:
    Vocab vocab_;
};

}  // namespace aprender::tokenizer
