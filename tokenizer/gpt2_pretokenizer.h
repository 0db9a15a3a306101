// gpt2_pretokenizer.h — GPT-2's regular expression that cuts text into pre-tokens before BPE.
//
//   's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
//
// "Hello world's 2024!!" -> "Hello", " world", "'s", " 2024", "!!". Merges never cross a
// pre-token boundary, so a word keeps its leading space (" world") and letters never merge
// with digits or punctuation. `\p{L}` (any letter) needs a Unicode-property engine:
// std::regex has none, so this uses PCRE2 with UTF + UCP and its JIT compiler.
//
// Invalid UTF-8 is not an error: PCRE2_MATCH_INVALID_UTF lets the pattern match around it,
// and each run of bytes the pattern cannot match becomes a pre-token of its own. Byte-level
// BPE then encodes those bytes losslessly.
#pragma once

#include <string_view>
#include <vector>

namespace aprender::tokenizer {

class Gpt2Pretokenizer {
public:
    Gpt2Pretokenizer();  // compiles the pattern (and JIT-compiles it when the platform can)
    ~Gpt2Pretokenizer();
    Gpt2Pretokenizer(const Gpt2Pretokenizer&) = delete;
    Gpt2Pretokenizer& operator=(const Gpt2Pretokenizer&) = delete;

    // Appends the pre-tokens of `text` to `out`, as views into `text`. Together they cover
    // every byte of `text` exactly once, in order. Safe to call from several threads.
    void split(std::string_view text, std::vector<std::string_view>& out) const;

    static const char* pattern();

private:
    void* code_;  // pcre2_code_8*, kept opaque so this header does not need pcre2.h
};

// One shared, lazily built instance (the pattern is the same for every BPE tokenizer).
const Gpt2Pretokenizer& gpt2_pretokenizer();

}  // namespace aprender::tokenizer
