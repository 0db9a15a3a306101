// Fuzz target: the Unicode helpers every tokenizer stands on (unicode.h, byte_unicode.h,
// word.h's split_words, bert_basic.h).
//
// Feeds in: the input as text, and its bytes read four at a time as code points.
//
// Checks, for any bytes:
//   - is_valid_utf8 agrees with next_code_point, decode_utf8 and require_valid_utf8, and
//     its bad offset is where the first undecodable byte is (the bytes before it are valid);
//   - valid text round-trips: encode_utf8(decode_utf8(x)) == x;
//   - nfc, lower and strip_accents throw a TokenizerError on invalid UTF-8 and give valid
//     UTF-8 otherwise; nfc is idempotent (text that is already NFC stays as it is);
//     strip_accents leaves no combining mark;
//   - encode_utf8(cp) throws exactly for non-scalar values, and decodes back to cp;
//   - GPT-2's byte <-> visible character map round-trips every byte string, and
//     bytes_from_visible accepts exactly the strings visible_from_bytes can make;
//   - split_words and bert_basic_tokenize give non-empty, valid words without whitespace.
#include "tests/fuzz/fuzz.h"

#include "tokenizer/bert_basic.h"
#include "tokenizer/byte_unicode.h"
#include "tokenizer/unicode.h"
#include "tokenizer/word.h"

#include <cstring>

using namespace aprender::tokenizer;

namespace {

bool is_scalar(uint32_t cp) { return cp < 0xD800 || (cp > 0xDFFF && cp <= 0x10FFFF); }

// Runs f on text that is valid exactly when `valid`: an error then, valid UTF-8 otherwise.
template <class F>
std::string checked(const char* name, bool valid, F&& f) {
    std::string out;
    bool ok = fuzz::expect_clean_error([&] { out = f(); });
    if (ok != valid) fuzz::fail(std::string(name) + (valid ? " refused valid UTF-8" : " accepted invalid UTF-8"));
    if (ok && !is_valid_utf8(out)) fuzz::fail(std::string(name) + " returned invalid UTF-8");
    return out;
}

void check_words(const char* name, const std::vector<std::string>& words) {
    for (const auto& w : words) {
        if (w.empty()) fuzz::fail(std::string(name) + " returned an empty word");
        for (char32_t cp : decode_utf8(w))  // throws (and so fails) on invalid UTF-8
            if (is_whitespace(cp)) fuzz::fail(std::string(name) + " returned a word with whitespace in it");
    }
}

}  // namespace

FUZZ_SEEDS(const std::string& dir) {
    fuzz::write_seed(dir, "pt", "Constituição, AÇÃO e\xCC\x81 \xC4\xB0stanbul \xE1\xBA\x9E \xEF\xAC\x81");
    fuzz::write_seed(dir, "marks", "a\xCC\x81\xCC\xA3\xCC\x81\xCC\xA3\xCC\x81\xCC\xA3 \xCD\x84\xCD\x84 \xE0\xA4\x95\xE0\xA5\x8D");
    fuzz::write_seed(dir, "cjk-emoji", "\xE4\xB8\xAD\xE6\x96\x87 \xF0\x9F\x91\x8D\xF0\x9F\x8F\xBD \xEA\xB0\x80 \xE3\x81\x82");
    fuzz::write_seed(dir, "invalid", "ok \xFF \xC3 \xED\xA0\x80 \xC0\xAF \xF4\x90\x80\x80 \xE2\x82");
    fuzz::write_seed(dir, "controls", std::string("a\0b\x01\x7F\xC2\x85\xE2\x80\x8B\xE2\x80\xA8\t\r\n\xC2\xA0z", 20));
}

FUZZ_TARGET(const std::string& text) {
    size_t bad = SIZE_MAX;
    const bool valid = is_valid_utf8(text, &bad);
    if (!valid) {
        if (bad >= text.size()) fuzz::fail("is_valid_utf8's bad offset is past the end");
        char32_t cp = 0;
        if (next_code_point(text, bad, &cp) != 0) fuzz::fail("is_valid_utf8's bad offset points at a valid code point");
        if (!is_valid_utf8(std::string_view(text).substr(0, bad))) fuzz::fail("the bytes before the bad offset are not valid");
    }
    bool required = fuzz::expect_clean_error([&] { require_valid_utf8(text, "fuzz"); });
    if (required != valid) fuzz::fail("require_valid_utf8 disagrees with is_valid_utf8");
    std::vector<char32_t> cps;
    if (fuzz::expect_clean_error([&] { cps = decode_utf8(text); }) != valid) fuzz::fail("decode_utf8 disagrees with is_valid_utf8");
    if (valid) {
        if (encode_utf8(cps) != text) fuzz::fail("encode_utf8(decode_utf8(x)) != x");
        size_t pos = 0, count = 0;
        for (char32_t cp = 0; pos < text.size(); ++count) {
            size_t n = next_code_point(text, pos, &cp);
            if (n == 0 || cp != cps[count]) fuzz::fail("next_code_point disagrees with decode_utf8");
            pos += n;
        }
        if (pos != text.size() || count != cps.size()) fuzz::fail("next_code_point does not stop at the end");
    }

    std::string normal = checked("nfc", valid, [&] { return nfc(text); });
    if (valid && nfc(normal) != normal) fuzz::fail("nfc(nfc(x)) != nfc(x)");
    checked("lower", valid, [&] { return lower(text); });
    std::string stripped = checked("strip_accents", valid, [&] { return strip_accents(text); });
    if (valid)
        for (char32_t cp : decode_utf8(stripped))
            if (is_mark(cp)) fuzz::fail("strip_accents left a combining mark");

    std::vector<std::string> words;
    if (fuzz::expect_clean_error([&] { words = split_words(text, text.size() % 2); }) != valid)
        fuzz::fail("split_words disagrees with is_valid_utf8");
    check_words("split_words", words);
    words.clear();
    if (fuzz::expect_clean_error([&] { words = bert_basic_tokenize(text, text.size() % 2, text.size() % 3 == 0); }) != valid)
        fuzz::fail("bert_basic_tokenize disagrees with is_valid_utf8");
    check_words("bert_basic_tokenize", words);

    std::string visible = visible_from_bytes(text), bytes;
    if (!is_valid_utf8(visible)) fuzz::fail("visible_from_bytes returned invalid UTF-8");
    if (!bytes_from_visible(visible, &bytes) || bytes != text) fuzz::fail("the GPT-2 byte map does not round-trip");
    bytes.clear();
    if (bytes_from_visible(text, &bytes) && visible_from_bytes(bytes) != text)
        fuzz::fail("bytes_from_visible accepted a string visible_from_bytes cannot make");

    for (size_t i = 0; i + 4 <= text.size() && i < 64; i += 4) {
        uint32_t cp;
        std::memcpy(&cp, text.data() + i, 4);
        cp %= 0x110800;  // mostly near the valid range, where the edges are
        std::string one;
        bool ok = fuzz::expect_clean_error([&] { one = encode_utf8(static_cast<char32_t>(cp)); });
        if (ok != is_scalar(cp)) fuzz::fail("encode_utf8 disagrees with the definition of a scalar value");
        if (ok && decode_utf8(one) != std::vector<char32_t>{cp}) fuzz::fail("encode_utf8 does not decode back");
    }
}
