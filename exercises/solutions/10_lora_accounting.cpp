// Reference solution of exercise 10 (instructors only; not in the student kit).
#include "exercises/10_lora_accounting/accounting.h"

#include <stdexcept>

namespace aprender::exercises {

int64_t lora_trainable_params(const nn::GPTConfig& c, int64_t r, const std::vector<std::string>& targets) {
    int64_t C = c.n_embd, per_block = 0;
    for (const std::string& t : targets) {
        int64_t in, out;
        if (t == "q_proj" || t == "k_proj" || t == "v_proj" || t == "o_proj") in = C, out = C;
        else if (t == "c_fc") in = C, out = 4 * C;
        else if (t == "c_proj") in = 4 * C, out = C;
        else throw std::invalid_argument("lora_trainable_params: unknown target '" + t + "'");
        per_block += r * (in + out);  // A [r, in] + B [out, r]
    }
    return per_block * c.n_layer;
}

TrainingMemory training_memory(int64_t total, int64_t trainable) {
    TrainingMemory m;
    m.frozen_weights = 4 * (total - trainable);
    m.trainable_weights = 4 * trainable;
    m.gradients = 4 * trainable;
    m.optimizer = 8 * trainable;
    return m;
}

}  // namespace aprender::exercises
