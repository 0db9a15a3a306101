// bpe_train.cpp — learning byte-level BPE merges from a corpus.
//
// The algorithm (Sennrich et al. 2016, on bytes as in GPT-2):
//   1. cut the corpus into pre-tokens with GPT-2's regex and count each distinct one
//      ("the" may occur 50,000 times but is stored once, with its count);
//   2. every pre-token starts as its bytes (ids 0..255 are the byte values);
//   3. repeat until the vocabulary is full: take the most frequent adjacent pair, add
//      their concatenation as a new token, and replace the pair in every word.
//
// Speed: step 3 does not recount everything. Pair counts live in a hash map, a max-heap
// finds the best pair, and an index from each pair to the words containing it means a
// merge only touches the words where the pair actually occurs. Their old pairs are
// subtracted and their new pairs added, and only the pairs whose count changed are pushed
// to the heap again (outdated heap entries are skipped when popped).
//
// Tie-breaking (so training is deterministic and does not depend on hashing): among pairs
// with the same count, the one with the smaller left id wins, then the smaller right id.
// Ids are given in creation order, so older tokens win, and among bytes the smaller value.
#include "tokenizer/bpe.h"

#include "tokenizer/gpt2_pretokenizer.h"

#include <fmt/format.h>

#include <algorithm>
#include <queue>

namespace aprender::tokenizer {

namespace {

uint64_t pair_key(int32_t a, int32_t b) { return (static_cast<uint64_t>(a) << 32) | static_cast<uint32_t>(b); }
int32_t left_of(uint64_t k) { return static_cast<int32_t>(k >> 32); }
int32_t right_of(uint64_t k) { return static_cast<int32_t>(k & 0xFFFFFFFFu); }

struct Candidate {
    int64_t count;
    uint64_t pair;
    // "less than" for std::priority_queue (a max-heap): higher count is better, then smaller ids.
    bool operator<(const Candidate& o) const { return count != o.count ? count < o.count : pair > o.pair; }
};

}  // namespace

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
    // Sorted, so the word order (and everything after) does not depend on the hash map.
    std::vector<std::pair<std::string_view, int64_t>> sorted(piece_counts.begin(), piece_counts.end());
    std::sort(sorted.begin(), sorted.end());

    // 2. Words as byte ids, and the initial pair counts.
    std::vector<std::vector<int32_t>> words;
    std::vector<int64_t> freq;
    for (auto& [piece, count] : sorted) {
        if (count < options.min_frequency || piece.size() < 2) continue;  // a single byte has no pairs
        words.emplace_back(piece.begin(), piece.end());
        for (auto& id : words.back()) id = static_cast<unsigned char>(id);
        freq.push_back(count);
    }
    std::unordered_map<uint64_t, int64_t> pair_count;
    std::unordered_map<uint64_t, std::vector<int32_t>> words_with;  // may hold stale or repeated entries
    for (size_t w = 0; w < words.size(); ++w)
        for (size_t i = 0; i + 1 < words[w].size(); ++i) {
            uint64_t k = pair_key(words[w][i], words[w][i + 1]);
            pair_count[k] += freq[w];
            words_with[k].push_back(static_cast<int32_t>(w));
        }
    std::priority_queue<Candidate> heap;
    for (auto& [k, c] : pair_count) heap.push({c, k});

    std::vector<std::string> tokens;
    for (int b = 0; b < 256; ++b) tokens.emplace_back(1, static_cast<char>(b));
    std::vector<std::pair<int32_t, int32_t>> merges;
    std::vector<int64_t> last_touched(words.size(), -1);  // skips repeated entries of words_with
    std::unordered_map<uint64_t, int64_t> delta;

    // 3. Merge until full (or until no pair is left: then the vocabulary is just smaller).
    while (static_cast<int64_t>(tokens.size()) + n_special < vocab_size) {
        Candidate best{0, 0};
        while (!heap.empty()) {
            best = heap.top();
            heap.pop();
            auto it = pair_count.find(best.pair);
            if (it != pair_count.end() && it->second == best.count && best.count > 0) break;  // up to date
            best.count = 0;
        }
        if (best.count == 0) break;
        const int32_t a = left_of(best.pair), b = right_of(best.pair);
        const auto merged = static_cast<int32_t>(tokens.size());
        tokens.push_back(tokens[a] + tokens[b]);
        merges.emplace_back(a, b);
        const auto step = static_cast<int64_t>(merges.size());

        delta.clear();
        std::vector<int32_t> touched = std::move(words_with[best.pair]);
        words_with.erase(best.pair);
        for (int32_t w : touched) {
            if (last_touched[w] == step) continue;
            last_touched[w] = step;
            auto& word = words[w];
            // Remove the word's pairs, merge, add its new pairs back.
            for (size_t i = 0; i + 1 < word.size(); ++i) delta[pair_key(word[i], word[i + 1])] -= freq[w];
            size_t out = 0;
            for (size_t i = 0; i < word.size(); ++i) {
                if (i + 1 < word.size() && word[i] == a && word[i + 1] == b) {
                    word[out++] = merged;
                    ++i;
                } else {
                    word[out++] = word[i];
                }
            }
            word.resize(out);
            for (size_t i = 0; i + 1 < word.size(); ++i) {
                uint64_t k = pair_key(word[i], word[i + 1]);
                delta[k] += freq[w];
                if (word[i] == merged || word[i + 1] == merged) words_with[k].push_back(w);
            }
        }
        for (auto& [k, d] : delta) {
            if (d == 0) continue;
            int64_t c = (pair_count[k] += d);
            if (c <= 0) pair_count.erase(k);
            else heap.push({c, k});
        }
        if (options.verbose && step % 1000 == 0)
            fmt::print(stderr, "bpe: {} merges, last '{}' (count {})\n", step, tokens.back(), best.count);
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
