// Exercise 6 — BERT's 80/10/10 masking. Statement: README.md in this folder.
#pragma once

#include <cstdint>
#include <random>
#include <vector>

namespace aprender::exercises {

struct Masked {
    std::vector<int32_t> input_ids;  // what the model reads
    std::vector<int32_t> labels;     // the original id where selected, −100 elsewhere
};

// Each position whose id is not in special_ids is selected with probability `rate`. A
// selected position becomes mask_id with probability 0.8, a random id in [0, vocab_size)
// with probability 0.1, and stays unchanged with probability 0.1. Draw every random
// number from `rng` (std::uniform_real_distribution / uniform_int_distribution).
Masked bert_mask(const std::vector<int32_t>& ids, int32_t mask_id, int32_t vocab_size,
                 const std::vector<int32_t>& special_ids, std::mt19937_64& rng, double rate = 0.15);

}  // namespace aprender::exercises
