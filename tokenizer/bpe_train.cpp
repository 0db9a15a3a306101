// bpe_train.cpp — learning byte-level BPE merges from a corpus.
//
// The algorithm (Sennrich et al. 2016, on bytes as in GPT-2):
//   1. cut the corpus into pre-tokens with GPT-2's regex and count each distinct one
//      ("the" may occur 50,000 times but is stored once, with its count);
//   2. every pre-token starts as its bytes (ids 0..255 are the byte values);
//   3. repeat until the vocabulary is full: take the most frequent adjacent pair, add
//      their concatenation as a new token, and replace the pair in every word
//      (merge_learner.h: incremental counts; ties go to the smaller left id, then the
//      smaller right id, so older tokens win, and among bytes the smaller value).
#include "tokenizer/bpe.h"

#include "tokenizer/gpt2_pretokenizer.h"
#include "tokenizer/merge_learner.h"

#include <fmt/format.h>

#include <algorithm>

namespace aprender::tokenizer {

BpeTokenizer BpeTokenizer::train(std::string_view corpus, int64_t vocab_size, const BpeTrainOptions& options) {
    const auto n_special = static_cast<int64_t>(options.special_tokens.size());
    if (vocab_size < 256 + n_special)
        throw TokenizerError(fmt::format(
            "vocab size {} is smaller than the base alphabet: 256 bytes + {} special token(s) = {}", vocab_size,
            n_special, 256 + n_special));
    if (corpus.empty()) throw TokenizerError("cannot train a BPE tokenizer on an empty corpus");
    if (options.min_frequency < 1) throw TokenizerError("min_frequency must be >= 1");

    // 1. Distinct pre-tokens and their counts.
    std::unordered_map<std::string_view, int64_t> piece_counts;
    {
        std::vector<std::string_view> pieces;
        gpt2_pretokenizer().split(corpus, pieces);
        for (auto p : pieces) ++piece_counts[p];
    }
    // Sorted, so nothing downstream depends on the hash map's order.
    std::vector<std::pair<std::string_view, int64_t>> sorted(piece_counts.begin(), piece_counts.end());
    std::sort(sorted.begin(), sorted.end());

    // 2. Words as byte ids.
    std::vector<std::vector<int32_t>> words;
    std::vector<int64_t> counts;
    for (auto& [piece, count] : sorted) {
        if (count < options.min_frequency || piece.size() < 2) continue;  // a single byte has no pairs
        std::vector<int32_t> word;
        for (unsigned char c : piece) word.push_back(c);
        words.push_back(std::move(word));
        counts.push_back(count);
    }

    // 3. Merges.
    std::vector<std::string> tokens;
    for (int b = 0; b < 256; ++b) tokens.emplace_back(1, static_cast<char>(b));
    std::vector<std::pair<int32_t, int32_t>> merges;
    for (auto& m : learn_merges(std::move(words), counts, 256, vocab_size - n_special - 256)) {
        tokens.push_back(tokens[m.left] + tokens[m.right]);
        merges.emplace_back(m.left, m.right);
        if (options.verbose && merges.size() % 1000 == 0)
            fmt::print(stderr, "bpe: {} merges, last '{}' (count {})\n", merges.size(), tokens.back(), m.count);
    }

    std::map<std::string, int32_t> specials;
    for (auto& s : options.special_tokens) {
        if (specials.count(s)) throw TokenizerError(fmt::format("special token '{}' given twice", s));
        specials[s] = static_cast<int32_t>(tokens.size());
        tokens.push_back(s);
    }
    return BpeTokenizer(std::move(tokens), std::move(merges), std::move(specials));
}

}  // namespace aprender::tokenizer
