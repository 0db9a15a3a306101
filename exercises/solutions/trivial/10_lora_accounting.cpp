// A plausible wrong answer to exercise 10 (instructors only; the main suite checks that it fails): the full matrices' sizes, and only the weights' memory.
#include "exercises/10_lora_accounting/accounting.h"
namespace aprender::exercises {
int64_t lora_trainable_params(const nn::GPTConfig& c, int64_t, const std::vector<std::string>& t) { return c.n_layer * (int64_t)t.size() * c.n_embd * c.n_embd; }
TrainingMemory training_memory(int64_t total, int64_t) { TrainingMemory m; m.frozen_weights = 4 * total; return m; }
}
