// bert_basic.h — BERT's "basic tokenizer": the step before WordPiece.
//
// Following Google's tokenization.py (and Hugging Face's BasicTokenizer):
//   1. clean: drop NUL, U+FFFD and control characters; every whitespace becomes a space;
//   2. put spaces around CJK ideographs, so each one is a word of its own;
//   3. split on whitespace;
//   4. if lowercase: lower-case, one code point to one (lower() in unicode.h; Python's
//      str.lower() turns a rare few, such as "İ", into two, which shows only when accents
//      are kept); if strip_accents: strip accents (NFD, drop nonspacing marks,
//      category Mn: "Constituição" -> "constituicao"). Unset, strip_accents follows lowercase,
//      as in Hugging Face's BertNormalizer: bert-base-uncased was trained with both. For
//      Portuguese, strip_accents = false keeps "é" (is) apart from "e" (and), as BERTimbau does;
//   5. split off every punctuation character (ASCII symbols such as $ + < count too).
// The text is NFC-normalised first. Invalid UTF-8 throws TokenizerError naming the offset.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace aprender::tokenizer {

std::vector<std::string> bert_basic_tokenize(std::string_view text, bool lowercase,
                                             std::optional<bool> strip_accents = std::nullopt);

}  // namespace aprender::tokenizer
