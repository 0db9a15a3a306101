// Exercise 7 — top-k and top-p sampling. / Amostragem top-k e top-p.
#include "exercises/07_sampling/sampling.h"

#include "exercises/exercise.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace aprender::exercises {

std::vector<double> sampling_distribution(const std::vector<float>& logits, double temperature, int64_t top_k,
                                          double top_p) {
    // TODO(exercise 7):
    //  1. temperature ≤ 0 → a one-hot vector on the argmax;
    //  2. p = softmax(logits / temperature) (subtract the max first: no overflow);
    //  3. sort the token ids by p, descending (std::stable_sort of an iota vector);
    //  4. keep the first top_k (if > 0); among those, keep the shortest prefix whose share
    //     of *their* mass reaches top_p (if < 1) — top-p sees the renormalised top-k;
    //  5. zero the rest, renormalise the kept ones.
    throw APRENDER_TODO(7, "sampling_distribution");
}

int32_t sample_from(const std::vector<double>& probs, double u) {
    // TODO(exercise 7): walk the cumulative sum; return the first i with cumsum > u.
    throw APRENDER_TODO(7, "sample_from");
}

}  // namespace aprender::exercises
