// Reference solution of exercise 6 (instructors only; not in the student kit).
#include "exercises/06_bert_masking/masking.h"

#include <algorithm>

namespace aprender::exercises {

Masked bert_mask(const std::vector<int32_t>& ids, int32_t mask_id, int32_t vocab_size,
                 const std::vector<int32_t>& special_ids, std::mt19937_64& rng, double rate) {
    Masked m{ids, std::vector<int32_t>(ids.size(), -100)};
    std::uniform_real_distribution<double> U(0.0, 1.0);
    std::uniform_int_distribution<int32_t> random_id(0, vocab_size - 1);
    for (size_t i = 0; i < ids.size(); ++i) {
        if (std::find(special_ids.begin(), special_ids.end(), ids[i]) != special_ids.end()) continue;
        if (U(rng) >= rate) continue;
        m.labels[i] = ids[i];
        double how = U(rng);
        if (how < 0.8) m.input_ids[i] = mask_id;
        else if (how < 0.9) m.input_ids[i] = random_id(rng);
    }
    return m;
}

}  // namespace aprender::exercises
