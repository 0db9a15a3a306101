// Exercise 6 — the BERT masker. / O mascaramento do BERT.
#include "exercises/06_bert_masking/masking.h"

#include "exercises/exercise.h"

namespace aprender::exercises {

Masked bert_mask(const std::vector<int32_t>& ids, int32_t mask_id, int32_t vocab_size,
                 const std::vector<int32_t>& special_ids, std::mt19937_64& rng, double rate) {
    // TODO(exercise 6): start from input_ids = ids and labels = −100 everywhere; then, for
    // each non-special position, draw u ~ U[0, 1): if u < rate it is selected — its label
    // becomes the original id, and a second draw decides: < 0.8 → mask_id, < 0.9 → a
    // random id in [0, vocab_size), otherwise unchanged.
    throw APRENDER_TODO(6, "bert_mask");
}

}  // namespace aprender::exercises
