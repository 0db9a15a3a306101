// bert_basic.cpp — whitespace, punctuation, CJK and accent handling before WordPiece.
#include "tokenizer/bert_basic.h"

#include "tokenizer/unicode.h"

#include <utf8proc.h>

namespace aprender::tokenizer {

namespace {

// BERT's _is_punctuation: all ASCII non-letters/digits, plus Unicode category P*.
bool is_bert_punctuation(char32_t cp) {
    if ((cp >= 33 && cp <= 47) || (cp >= 58 && cp <= 64) || (cp >= 91 && cp <= 96) || (cp >= 123 && cp <= 126))
        return true;
    auto c = utf8proc_category(static_cast<utf8proc_int32_t>(cp));
    return c >= UTF8PROC_CATEGORY_PC && c <= UTF8PROC_CATEGORY_PO;
}

// BERT's _is_chinese_char: the CJK Unified Ideographs blocks (not Japanese kana or Hangul).
bool is_cjk(char32_t cp) {
    return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF) || (cp >= 0x20000 && cp <= 0x2A6DF) ||
           (cp >= 0x2A700 && cp <= 0x2B73F) || (cp >= 0x2B740 && cp <= 0x2B81F) || (cp >= 0x2B820 && cp <= 0x2CEAF) ||
           (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0x2F800 && cp <= 0x2FA1F);
}

// NFD, then drop nonspacing marks. Not recomposed, exactly like BERT (so Hangul
// syllables come out as jamo, which is what bert-base-uncased's vocabulary contains).
std::vector<char32_t> strip_accents_nfd(const std::vector<char32_t>& word) {
    std::vector<char32_t> out;
    for (char32_t cp : word) {
        utf8proc_int32_t buf[8];
        int last = 0;
        auto n = utf8proc_decompose_char(static_cast<utf8proc_int32_t>(cp), buf, 8, UTF8PROC_DECOMPOSE, &last);
        if (n < 0 || n > 8) {
            out.push_back(cp);
            continue;
        }
        for (int i = 0; i < n; ++i)
            if (utf8proc_category(buf[i]) != UTF8PROC_CATEGORY_MN) out.push_back(static_cast<char32_t>(buf[i]));
    }
    return out;
}

}  // namespace

std::vector<std::string> bert_basic_tokenize(std::string_view text, bool lowercase, std::optional<bool> strip_accents) {
    const bool strip = strip_accents.value_or(lowercase);
    // Steps 1-3: clean, space out CJK, split on whitespace, as code points.
    std::vector<std::vector<char32_t>> words(1);
    for (char32_t cp : decode_utf8(nfc(text))) {
        if (cp == 0 || cp == 0xFFFD || is_control(cp)) continue;
        if (is_whitespace(cp) || is_cjk(cp)) {
            if (!words.back().empty()) words.emplace_back();
            if (is_cjk(cp)) {
                words.back().push_back(cp);
                words.emplace_back();
            }
            continue;
        }
        words.back().push_back(cp);
    }
    std::vector<std::string> out;
    for (auto& word : words) {
        if (word.empty()) continue;
        if (lowercase)  // step 4
            for (auto& cp : word) cp = static_cast<char32_t>(utf8proc_tolower(static_cast<utf8proc_int32_t>(cp)));
        if (strip) word = strip_accents_nfd(word);
        std::string current;  // step 5
        for (char32_t cp : word) {
            if (is_bert_punctuation(cp)) {
                if (!current.empty()) out.push_back(std::move(current));
                current.clear();
                out.push_back(encode_utf8(cp));
            } else {
                current += encode_utf8(cp);
            }
        }
        if (!current.empty()) out.push_back(std::move(current));
    }
    return out;
}

}  // namespace aprender::tokenizer
