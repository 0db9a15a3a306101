// Exercise 7 — GPT: temperature, top-k and top-p sampling. Statement: README.md here.
#pragma once

#include <cstdint>
#include <vector>

namespace aprender::exercises {

// The distribution the next token is drawn from, one probability per token (sums to 1):
//   temperature ≤ 0: all mass on the most likely token (greedy; the first one on ties);
//   otherwise softmax(logits / temperature), then
//   top_k > 0:   keep only the top_k most likely tokens (0 = off),
//   top_p < 1:   of those, keep the smallest set of most likely tokens whose probability,
//                renormalised over what top_k kept, adds up to at least top_p (the
//                nucleus; 1 = off),
//   and renormalise what is kept; every other token gets exactly 0.
std::vector<double> sampling_distribution(const std::vector<float>& logits, double temperature, int64_t top_k,
                                          double top_p);

// Draw a token from `probs` with a uniform number u in [0, 1): the first token i whose
// cumulative probability p_0 + ... + p_i is > u (inverse CDF). Never a token with p = 0.
int32_t sample_from(const std::vector<double>& probs, double u);

}  // namespace aprender::exercises
