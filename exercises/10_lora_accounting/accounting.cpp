// Exercise 10 — counting what LoRA trains and what it costs. / Contando o que a LoRA treina.
#include "exercises/10_lora_accounting/accounting.h"

#include "exercises/exercise.h"

namespace aprender::exercises {

int64_t lora_trainable_params(const nn::GPTConfig& c, int64_t r, const std::vector<std::string>& targets) {
    // TODO(exercise 10): for each target, its (in, out) — C = c.n_embd — and r·(in + out)
    // trainable numbers per block; times c.n_layer blocks. Unknown names: throw
    // std::invalid_argument("lora_trainable_params: unknown target '...'").
    throw APRENDER_TODO(10, "lora_trainable_params");
}

TrainingMemory training_memory(int64_t total_params, int64_t trainable_params) {
    // TODO(exercise 10): fill the four fields (bytes), following the comment in accounting.h.
    throw APRENDER_TODO(10, "training_memory");
}

}  // namespace aprender::exercises
