// unicode.cpp — thin, checked wrappers around utf8proc.
#include "tokenizer/unicode.h"

#include "tokenizer/error.h"

#include <fmt/format.h>
#include <utf8proc.h>

#include <cstdlib>
#include <memory>

namespace aprender::tokenizer {

size_t next_code_point(std::string_view text, size_t pos, char32_t* cp) {
    utf8proc_int32_t c = 0;
    auto n = utf8proc_iterate(reinterpret_cast<const utf8proc_uint8_t*>(text.data() + pos),
                              static_cast<utf8proc_ssize_t>(text.size() - pos), &c);
    if (n <= 0) return 0;
    *cp = static_cast<char32_t>(c);
    return static_cast<size_t>(n);
}

bool is_valid_utf8(std::string_view text, size_t* bad_offset) {
    size_t pos = 0;
    while (pos < text.size()) {
        // ASCII fast path: most text is mostly ASCII.
        if (static_cast<unsigned char>(text[pos]) < 0x80) {
            ++pos;
            continue;
        }
        char32_t cp;
        size_t n = next_code_point(text, pos, &cp);
        if (n == 0) {
            if (bad_offset) *bad_offset = pos;
            return false;
        }
        pos += n;
    }
    return true;
}

void require_valid_utf8(std::string_view text, std::string_view what) {
    size_t bad = 0;
    if (!is_valid_utf8(text, &bad))
        throw TokenizerError(fmt::format("invalid UTF-8 in {} at byte {} (0x{:02X})", what, bad,
                                         static_cast<unsigned char>(text[bad])));
}

namespace {

// Unicode's stream-safe text format (UAX #15): after 30 combining marks in a row, a
// U+034F COMBINING GRAPHEME JOINER (which displays as nothing). Normalizing sorts each
// run of marks, and utf8proc's sort is quadratic in the run's length: one letter under
// 100 000 accents would take minutes. No real text has runs that long, so it is unchanged.
// Marks are counted as normalizing will see them, in each character's canonical
// decomposition: U+0344 is two marks (U+0308 U+0301). Counting it as one let 30 of them
// through as a run of 60, which the next nfc() then cut: nfc(nfc(x)) != nfc(x).
std::string stream_safe(std::string_view text) {
    constexpr int kMaxMarks = 30;
    auto is_mark = [](utf8proc_int32_t c) { return utf8proc_get_property(c)->combining_class != 0; };
    std::string out;
    size_t copied = 0, pos = 0;  // text[copied..pos) still to be appended to out
    int run = 0;                 // marks since the last starter
    while (pos < text.size()) {
        char32_t cp = static_cast<unsigned char>(text[pos]);
        if (cp < 0x80) {  // ASCII: a starter, its own decomposition
            run = 0;
            ++pos;
            continue;
        }
        size_t n = next_code_point(text, pos, &cp);
        utf8proc_int32_t d[8];
        int boundclass = 0;
        auto k = utf8proc_decompose_char(static_cast<utf8proc_int32_t>(cp), d, 8, UTF8PROC_DECOMPOSE, &boundclass);
        if (k < 1 || k > 8) d[0] = static_cast<utf8proc_int32_t>(cp), k = 1;
        int leading = 0, trailing = 0;  // marks at the start and at the end of the decomposition
        while (leading < k && is_mark(d[leading])) ++leading;
        while (trailing < k && is_mark(d[k - 1 - trailing])) ++trailing;
        if (leading > 0 && run + leading > kMaxMarks) {
            out.append(text, copied, pos - copied);
            out += "\u034F";
            copied = pos;
            run = 0;
        }
        run = leading == k ? run + leading : trailing;
        pos += n;
    }
    if (copied == 0) return std::string(text);
    out.append(text, copied, std::string_view::npos);
    return out;
}

// utf8proc_map allocates with malloc; this owns the result.
std::string run_utf8proc_map(std::string_view input, int options) {
    require_valid_utf8(input);
    std::string text = stream_safe(input);
    utf8proc_uint8_t* out = nullptr;
    auto n = utf8proc_map(reinterpret_cast<const utf8proc_uint8_t*>(text.data()),
                          static_cast<utf8proc_ssize_t>(text.size()), &out,
                          static_cast<utf8proc_option_t>(options));
    std::unique_ptr<utf8proc_uint8_t, decltype(&std::free)> owner(out, &std::free);
    if (n < 0) throw TokenizerError(fmt::format("utf8proc: {}", utf8proc_errmsg(n)));
    return std::string(reinterpret_cast<const char*>(out), static_cast<size_t>(n));
}

utf8proc_category_t category(char32_t cp) { return utf8proc_category(static_cast<utf8proc_int32_t>(cp)); }

}  // namespace

std::string nfc(std::string_view text) {
    // Plain ASCII is already NFC: skip the allocation and the table look-ups.
    bool ascii = true;
    for (char c : text) ascii &= static_cast<unsigned char>(c) < 0x80;
    if (ascii) return std::string(text);
    return run_utf8proc_map(text, UTF8PROC_STABLE | UTF8PROC_COMPOSE);
}

std::string lower(std::string_view text) {
    require_valid_utf8(text);
    std::string out;
    out.reserve(text.size());
    size_t pos = 0;
    while (pos < text.size()) {
        char32_t cp = 0;
        pos += next_code_point(text, pos, &cp);
        out += encode_utf8(static_cast<char32_t>(utf8proc_tolower(static_cast<utf8proc_int32_t>(cp))));
    }
    return out;
}

std::string strip_accents(std::string_view text) {
    // COMPOSE decomposes first, STRIPMARK drops the marks, then what is left is recomposed.
    return run_utf8proc_map(text, UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_STRIPMARK);
}

std::vector<char32_t> decode_utf8(std::string_view text) {
    require_valid_utf8(text);
    std::vector<char32_t> out;
    out.reserve(text.size());
    size_t pos = 0;
    while (pos < text.size()) {
        char32_t cp = 0;
        pos += next_code_point(text, pos, &cp);
        out.push_back(cp);
    }
    return out;
}

std::string encode_utf8(char32_t cp) {
    utf8proc_uint8_t buf[4];
    if (!utf8proc_codepoint_valid(static_cast<utf8proc_int32_t>(cp)))
        throw TokenizerError(fmt::format("U+{:04X} is not a Unicode scalar value", static_cast<uint32_t>(cp)));
    auto n = utf8proc_encode_char(static_cast<utf8proc_int32_t>(cp), buf);
    return std::string(reinterpret_cast<const char*>(buf), static_cast<size_t>(n));
}

std::string encode_utf8(const std::vector<char32_t>& cps) {
    std::string out;
    for (char32_t cp : cps) out += encode_utf8(cp);
    return out;
}

bool is_letter(char32_t cp) {
    auto c = category(cp);
    return c >= UTF8PROC_CATEGORY_LU && c <= UTF8PROC_CATEGORY_LO;
}
bool is_mark(char32_t cp) {
    auto c = category(cp);
    return c >= UTF8PROC_CATEGORY_MN && c <= UTF8PROC_CATEGORY_ME;
}
bool is_number(char32_t cp) {
    auto c = category(cp);
    return c >= UTF8PROC_CATEGORY_ND && c <= UTF8PROC_CATEGORY_NO;
}
bool is_punctuation(char32_t cp) {
    auto c = category(cp);
    return (c >= UTF8PROC_CATEGORY_PC && c <= UTF8PROC_CATEGORY_PO) ||
           (c >= UTF8PROC_CATEGORY_SM && c <= UTF8PROC_CATEGORY_SO);
}
bool is_whitespace(char32_t cp) {
    if (cp == U' ' || cp == U'\t' || cp == U'\n' || cp == U'\r' || cp == U'\v' || cp == U'\f') return true;
    auto c = category(cp);
    return c == UTF8PROC_CATEGORY_ZS || c == UTF8PROC_CATEGORY_ZL || c == UTF8PROC_CATEGORY_ZP;
}
bool is_control(char32_t cp) {
    if (is_whitespace(cp)) return false;
    auto c = category(cp);
    return c == UTF8PROC_CATEGORY_CC || c == UTF8PROC_CATEGORY_CF;
}

}  // namespace aprender::tokenizer
