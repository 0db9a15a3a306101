// gpt2_pretokenizer.cpp — PCRE2 glue for GPT-2's pre-tokenizing regex.
#define PCRE2_CODE_UNIT_WIDTH 8
#include "tokenizer/gpt2_pretokenizer.h"

#include "tokenizer/error.h"

#include <fmt/format.h>
#include <pcre2.h>

#include <memory>

namespace aprender::tokenizer {

const char* Gpt2Pretokenizer::pattern() {
    return R"('s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+)";
}

Gpt2Pretokenizer::Gpt2Pretokenizer() {
    int err = 0;
    PCRE2_SIZE err_offset = 0;
    // UTF: work on code points, not bytes. UCP: \s, \p{..} follow Unicode properties.
    // MATCH_INVALID_UTF: invalid bytes are simply unmatchable instead of an error.
    auto* code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern()), PCRE2_ZERO_TERMINATED,
                               PCRE2_UTF | PCRE2_UCP | PCRE2_MATCH_INVALID_UTF, &err, &err_offset, nullptr);
    if (!code) {
        PCRE2_UCHAR msg[256];
        pcre2_get_error_message(err, msg, sizeof msg);
        throw TokenizerError(fmt::format("PCRE2 cannot compile GPT-2's pattern at {}: {}", err_offset,
                                         reinterpret_cast<const char*>(msg)));
    }
    // The JIT makes matching several times faster; where it is unavailable the interpreter
    // gives the same matches, so a failure here is not an error.
    pcre2_jit_compile(code, PCRE2_JIT_COMPLETE);
    code_ = code;
}

Gpt2Pretokenizer::~Gpt2Pretokenizer() { pcre2_code_free(static_cast<pcre2_code*>(code_)); }

void Gpt2Pretokenizer::split(std::string_view text, std::vector<std::string_view>& out) const {
    auto* code = static_cast<pcre2_code*>(code_);
    // Match data holds the result offsets: one per thread, reused across calls.
    struct MatchData {
        pcre2_match_data* md = pcre2_match_data_create(1, nullptr);
        ~MatchData() { pcre2_match_data_free(md); }
    };
    thread_local MatchData data;
    auto subject = reinterpret_cast<PCRE2_SPTR>(text.data());
    size_t pos = 0;
    while (pos < text.size()) {
        int rc = pcre2_match(code, subject, text.size(), pos, 0, data.md, nullptr);
        if (rc == PCRE2_ERROR_NOMATCH) {  // only invalid bytes are left
            out.push_back(text.substr(pos));
            return;
        }
        if (rc < 0) {
            PCRE2_UCHAR msg[256];
            pcre2_get_error_message(rc, msg, sizeof msg);
            throw TokenizerError(fmt::format("PCRE2 match failed at byte {}: {}", pos, reinterpret_cast<const char*>(msg)));
        }
        PCRE2_SIZE* ov = pcre2_get_ovector_pointer(data.md);
        if (ov[0] > pos) out.push_back(text.substr(pos, ov[0] - pos));  // invalid bytes the pattern skipped
        out.push_back(text.substr(ov[0], ov[1] - ov[0]));
        pos = ov[1];  // no alternative of the pattern can match the empty string, so this advances
    }
}

const Gpt2Pretokenizer& gpt2_pretokenizer() {
    static const Gpt2Pretokenizer instance;
    return instance;
}

}  // namespace aprender::tokenizer
