// Exercise 10 — LoRA: trainable parameters and training memory. Statement: README.md here.
#pragma once

#include "nn/gpt.h"

#include <string>
#include <vector>

namespace aprender::exercises {

// The number of trainable numbers when LoRA of rank r wraps, in every block of a GPT
// with config c, the Linear layers named in `targets` — any of "q_proj", "k_proj",
// "v_proj", "o_proj" (attention, C→C) and "c_fc" (C→4C), "c_proj" (4C→C) of the MLP.
// A wrapped Linear [out, in] trains A [r, in] and B [out, r]. Biases stay frozen.
// An unknown target name: std::invalid_argument naming it.
int64_t lora_trainable_params(const nn::GPTConfig& c, int64_t r, const std::vector<std::string>& targets);

// Bytes needed while training in float32 with AdamW, activations aside:
//   every weight: 4 bytes; every trainable weight also: a 4-byte gradient and AdamW's
//   two 4-byte moments (m, v). Frozen weights need neither gradient nor moments.
struct TrainingMemory {
    int64_t frozen_weights = 0, trainable_weights = 0, gradients = 0, optimizer = 0;
    int64_t total() const { return frozen_weights + trainable_weights + gradients + optimizer; }
};
TrainingMemory training_memory(int64_t total_params, int64_t trainable_params);

}  // namespace aprender::exercises
