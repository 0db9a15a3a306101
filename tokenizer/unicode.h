// unicode.h — the few Unicode operations the tokenizers need, done by utf8proc.
//
// Text is UTF-8 in std::string everywhere. Code points are char32_t. Portuguese needs
// real Unicode: "É" lower-cases to "é", and "é" may arrive as one code point (U+00E9)
// or as "e" + combining acute (U+0065 U+0301); NFC turns the second into the first, so
// the two spellings become the same token.
//
// Invalid UTF-8 is never silently repaired here: the functions that need valid text
// throw TokenizerError naming the byte offset of the first bad byte.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace aprender::tokenizer {

// True when `text` is well-formed UTF-8 (no overlongs, no surrogates, nothing above
// U+10FFFF). On false, *bad_offset (when given) is the offset of the first bad byte.
bool is_valid_utf8(std::string_view text, size_t* bad_offset = nullptr);

// Throws TokenizerError("invalid UTF-8 at byte N (0xXX)") unless `text` is valid.
// `what` names the input in the message, e.g. "corpus".
void require_valid_utf8(std::string_view text, std::string_view what = "text");

// Canonical composition (NFC). Throws on invalid UTF-8.
std::string nfc(std::string_view text);

// Lower-casing over all of Unicode, code point by code point ("ÉÇÃ" -> "éçã"): the simple
// case mapping (utf8proc_tolower), one code point to one, so "İ" gives "i" where Python's
// str.lower() (full case mapping) gives "i" + U+0307. Throws on invalid UTF-8.
std::string lower(std::string_view text);

// Code points <-> UTF-8.
std::vector<char32_t> decode_utf8(std::string_view text);  // throws on invalid UTF-8
std::string encode_utf8(char32_t cp);                       // throws on a non-scalar value
std::string encode_utf8(const std::vector<char32_t>& cps);

// Decodes one code point starting at text[pos]; returns its length in bytes, or 0 if the
// bytes there are not valid UTF-8 (then *cp is untouched).
size_t next_code_point(std::string_view text, size_t pos, char32_t* cp);

// Character classes used by the word splitter and BERT's basic tokenizer.
bool is_letter(char32_t cp);       // general category L*
bool is_mark(char32_t cp);         // M* (combining accents)
bool is_number(char32_t cp);       // N*
bool is_punctuation(char32_t cp);  // P* and S* (symbols count as punctuation here)
bool is_whitespace(char32_t cp);   // Zs/Zl/Zp and \t \n \r \v \f
bool is_control(char32_t cp);      // Cc/Cf other than whitespace

// Removes combining marks (Mn, Mc, Me) after NFD and recomposes: "ação" -> "acao". Not
// BERT's rule: its basic tokenizer (bert_basic.cpp) drops only Mn marks and does not recompose.
std::string strip_accents(std::string_view text);

}  // namespace aprender::tokenizer
