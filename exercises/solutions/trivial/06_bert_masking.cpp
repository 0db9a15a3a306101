// A plausible wrong answer to exercise 6 (instructors only; the main suite checks that it fails): the input unchanged, nothing selected.
#include "exercises/06_bert_masking/masking.h"
namespace aprender::exercises { Masked bert_mask(const std::vector<int32_t>& ids, int32_t, int32_t, const std::vector<int32_t>&, std::mt19937_64&, double) {
  return {ids, std::vector<int32_t>(ids.size(), -100)}; } }
