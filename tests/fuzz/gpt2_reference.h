// gpt2_reference.h — GPT-2's bpe() from its encoder.py, on ids, for the tokenizer fuzz
// targets to compare BpeTokenizer::merge_bytes with: find the adjacent pair with the lowest
// merge rank, merge every occurrence of it left to right, repeat. Quadratic, but obviously
// right.
#pragma once

#include "tokenizer/bpe.h"

#include <climits>
#include <map>
#include <string_view>
#include <utility>
#include <vector>

namespace fuzz {

using MergeRanks = std::map<std::pair<int32_t, int32_t>, int32_t>;

inline MergeRanks merge_ranks(const aprender::tokenizer::BpeTokenizer& tok) {
    MergeRanks ranks;
    for (size_t r = 0; r < tok.merges().size(); ++r) ranks.emplace(tok.merges()[r], static_cast<int32_t>(r));
    return ranks;
}

inline std::vector<int32_t> gpt2_reference(const aprender::tokenizer::BpeTokenizer& tok, const MergeRanks& ranks,
                                           std::string_view piece) {
    std::vector<int32_t> word;
    for (unsigned char c : piece) word.push_back(tok.byte_token(c));
    while (word.size() > 1) {
        std::pair<int32_t, int32_t> best{-1, -1};
        int32_t best_rank = INT32_MAX;
        for (size_t i = 0; i + 1 < word.size(); ++i)
            if (auto it = ranks.find({word[i], word[i + 1]}); it != ranks.end() && it->second < best_rank)
                best_rank = it->second, best = it->first;
        if (best_rank == INT32_MAX) break;
        const int32_t merged = *tok.token_to_id(tok.id_to_token(best.first) + tok.id_to_token(best.second));
        std::vector<int32_t> next;
        for (size_t i = 0; i < word.size(); ++i) {
            if (i + 1 < word.size() && word[i] == best.first && word[i + 1] == best.second) {
                next.push_back(merged);
                ++i;
            } else {
                next.push_back(word[i]);
            }
        }
        word = std::move(next);
    }
    return word;
}

}  // namespace fuzz
