// merge_learner.cpp — incremental pair counting for BPE-style training.
//
// Pair counts live in a hash map, a max-heap finds the best pair, and an index from each
// pair to the words containing it means a merge only touches the words where the pair
// actually occurs. Their old pairs are subtracted, the pair is merged, their new pairs are
// added, and only pairs whose count changed are pushed to the heap again (outdated heap
// entries are recognised and skipped when popped). Cost per merge: proportional to the
// words that contain the pair, not to the whole corpus.
#include "tokenizer/merge_learner.h"

#include <queue>
#include <unordered_map>

namespace aprender::tokenizer {

namespace {

uint64_t pair_key(int32_t a, int32_t b) { return (static_cast<uint64_t>(static_cast<uint32_t>(a)) << 32) | static_cast<uint32_t>(b); }
int32_t left_of(uint64_t k) { return static_cast<int32_t>(k >> 32); }
int32_t right_of(uint64_t k) { return static_cast<int32_t>(k & 0xFFFFFFFFu); }

struct Candidate {
    int64_t count;
    uint64_t pair;
    // "less than" for std::priority_queue (a max-heap): higher count first, then smaller ids
    // (the key orders by left id, then right id).
    bool operator<(const Candidate& o) const { return count != o.count ? count < o.count : pair > o.pair; }
};

}  // namespace

std::vector<LearnedMerge> learn_merges(std::vector<std::vector<int32_t>> words, const std::vector<int64_t>& counts,
                                       int32_t first_new_id, int64_t max_merges) {
    std::unordered_map<uint64_t, int64_t> pair_count;
    std::unordered_map<uint64_t, std::vector<int32_t>> words_with;  // may hold stale or repeated entries
    for (size_t w = 0; w < words.size(); ++w)
        for (size_t i = 0; i + 1 < words[w].size(); ++i) {
            uint64_t k = pair_key(words[w][i], words[w][i + 1]);
            pair_count[k] += counts[w];
            words_with[k].push_back(static_cast<int32_t>(w));
        }
    std::priority_queue<Candidate> heap;
    for (auto& [k, c] : pair_count) heap.push({c, k});

    std::vector<LearnedMerge> merges;
    std::vector<int64_t> last_touched(words.size(), -1);  // skips repeated entries of words_with
    std::unordered_map<uint64_t, int64_t> delta;
    std::vector<size_t> merged_at;  // positions of the new token in the word being updated
    while (static_cast<int64_t>(merges.size()) < max_merges) {
        Candidate best{0, 0};
        while (!heap.empty()) {
            best = heap.top();
            heap.pop();
            auto it = pair_count.find(best.pair);
            if (it != pair_count.end() && it->second == best.count) break;  // up to date
            best.count = 0;
        }
        if (best.count <= 0) break;  // no pair left
        const int32_t a = left_of(best.pair), b = right_of(best.pair);
        const auto merged = static_cast<int32_t>(first_new_id + static_cast<int64_t>(merges.size()));
        merges.push_back({a, b, best.count});
        const auto step = static_cast<int64_t>(merges.size());

        delta.clear();
        std::vector<int32_t> touched = std::move(words_with[best.pair]);
        words_with.erase(best.pair);
        for (int32_t w : touched) {
            if (last_touched[w] == step) continue;
            last_touched[w] = step;
            auto& word = words[w];
            // Only the pairs next to a merge change: subtract the old pairs that touch a
            // merged (a, b), merge left to right in place, add the new pairs that touch the
            // merged token. (Recounting the whole word instead would make one long word —
            // a megabyte without spaces — cost its full length in hash-map updates per merge.)
            size_t last_pair_out = SIZE_MAX;  // the last old pair subtracted, so none twice
            auto subtract = [&](size_t j) {    // old pair (word[j], word[j + 1])
                if (j + 1 >= word.size() || (last_pair_out != SIZE_MAX && j <= last_pair_out)) return;
                delta[pair_key(word[j], word[j + 1])] -= counts[w];
                last_pair_out = j;
            };
            merged_at.clear();
            size_t out = 0;
            for (size_t i = 0; i < word.size(); ++i) {
                if (i + 1 < word.size() && word[i] == a && word[i + 1] == b) {
                    if (i > 0) subtract(i - 1);
                    subtract(i);
                    subtract(i + 1);
                    merged_at.push_back(out);
                    word[out++] = merged;
                    ++i;
                } else {
                    word[out++] = word[i];
                }
            }
            word.resize(out);
            size_t last_pair_in = SIZE_MAX;
            auto add = [&](size_t j) {  // new pair (word[j], word[j + 1])
                if (j + 1 >= word.size() || (last_pair_in != SIZE_MAX && j <= last_pair_in)) return;
                uint64_t k = pair_key(word[j], word[j + 1]);
                delta[k] += counts[w];
                words_with[k].push_back(w);  // it holds the merged token: a future merge may need this word
                last_pair_in = j;
            };
            for (size_t p : merged_at) {
                if (p > 0) add(p - 1);
                add(p);
            }
        }
        for (auto& [k, d] : delta) {
            if (d == 0) continue;
            int64_t c = (pair_count[k] += d);
            if (c <= 0) pair_count.erase(k);
            else heap.push({c, k});
        }
    }
    return merges;
}

}  // namespace aprender::tokenizer
