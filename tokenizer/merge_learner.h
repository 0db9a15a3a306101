// merge_learner.h — the heart of BPE training, shared by byte-level BPE and WordPiece.
//
// Input: distinct words as sequences of symbol ids, each with its count. Output: the
// merges, best first. Merge number k creates the symbol id first_new_id + k.
//
// Each step merges the most frequent adjacent pair everywhere. Ties: the smaller left id
// wins, then the smaller right id (deterministic, independent of hashing). Pair counts are
// kept up to date incrementally (see merge_learner.cpp), not recounted after each merge.
#pragma once

#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

namespace aprender::tokenizer {

struct LearnedMerge {
    int32_t left, right;
    int64_t count;  // how often the pair occurred when it was chosen
};

// Stops after max_merges, or earlier when no adjacent pair is left.
std::vector<LearnedMerge> learn_merges(std::vector<std::vector<int32_t>> words, const std::vector<int64_t>& counts,
                                       int32_t first_new_id, int64_t max_merges);

}  // namespace aprender::tokenizer
