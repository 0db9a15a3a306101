// byte_unicode.h — GPT-2's reversible map from the 256 byte values to printable characters.
//
// Byte-level BPE works on bytes, but GPT-2's files (encoder.json, vocab.bpe) are text, and a
// token such as the space byte or 0x0A would be invisible or break the line-based merges
// file. So every byte gets a visible stand-in: the 188 printable Latin-1 bytes ('!'..'~',
// '¡'..'¬', '®'..'ÿ') stand for themselves, and the other 68 (control bytes, space, 0x7F,
// 0x80..0xA0, 0xAD) are moved to U+0100 onwards in order. That is why GPT-2 shows " the" as
// "Ġthe": the space byte 0x20 is the 33rd moved byte, U+0120 'Ġ'.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace aprender::tokenizer {

// The stand-in character of each byte, as a code point.
const std::array<char32_t, 256>& byte_to_unicode();

// The byte a stand-in character represents, or -1 when `cp` is not one of the 256.
int unicode_to_byte(char32_t cp);

// Whole strings: raw bytes -> UTF-8 text of stand-ins, and back. bytes_from_visible
// returns false (leaving *out partial) when the text holds a character outside the map.
std::string visible_from_bytes(std::string_view bytes);
bool bytes_from_visible(std::string_view visible, std::string* out);

}  // namespace aprender::tokenizer
