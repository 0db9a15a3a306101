// byte_unicode.cpp — the table of byte_unicode.h, built once.
#include "tokenizer/byte_unicode.h"

#include "tokenizer/unicode.h"

#include <unordered_map>

namespace aprender::tokenizer {

namespace {

bool prints_as_itself(int b) { return (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF); }

struct Tables {
    std::array<char32_t, 256> to_unicode{};
    std::array<std::string, 256> to_utf8{};
    std::unordered_map<char32_t, int> to_byte;
    Tables() {
        char32_t next = 0x100;  // the moved bytes take U+0100, U+0101, ... in byte order
        for (int b = 0; b < 256; ++b) {
            to_unicode[b] = prints_as_itself(b) ? static_cast<char32_t>(b) : next++;
            to_utf8[b] = encode_utf8(to_unicode[b]);
            to_byte[to_unicode[b]] = b;
        }
    }
};

const Tables& tables() {
    static const Tables t;
    return t;
}

}  // namespace

const std::array<char32_t, 256>& byte_to_unicode() { return tables().to_unicode; }

int unicode_to_byte(char32_t cp) {
    auto it = tables().to_byte.find(cp);
    return it == tables().to_byte.end() ? -1 : it->second;
}

std::string visible_from_bytes(std::string_view bytes) {
    std::string out;
    for (unsigned char b : bytes) out += tables().to_utf8[b];
    return out;
}

bool bytes_from_visible(std::string_view visible, std::string* out) {
    size_t pos = 0;
    while (pos < visible.size()) {
        char32_t cp = 0;
        size_t n = next_code_point(visible, pos, &cp);
        if (n == 0) return false;
        int b = unicode_to_byte(cp);
        if (b < 0) return false;
        out->push_back(static_cast<char>(b));
        pos += n;
    }
    return true;
}

}  // namespace aprender::tokenizer
