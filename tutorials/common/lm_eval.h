// lm_eval.h — scoring a GPT on a long text, and the base model's files (07 writes, 08 and 10 read).
//
// A GPT sees at most block_size tokens, but a test text is longer. Cutting it into
// disjoint windows would give the first tokens of every window almost no context, so we
// slide windows by half a block and score only the second half of each (the first window
// scores everything): every token is predicted once, with at least block_size/2 tokens of
// context when the text has them.
#pragma once
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "nn/gpt.h"
#include "nn/safetensors.h"
#include "tokenizer/char.h"

namespace aprender::tutorial {

// ln P(ids[i] | ids[..i]) for i = 1 .. ids.size()-1 (ids[0] is only context).
std::vector<double> token_log_probs(nn::GPT& model, const std::vector<int32_t>& ids, int64_t batch = 32);

// The base model of tutorials 08 and 10: out/07_gpt/base.safetensors + out/07_gpt/tokenizer/.
struct BaseModel {
    std::shared_ptr<nn::GPT> model;
    std::unique_ptr<tokenizer::CharTokenizer> tokenizer;
    nn::Metadata metadata;  // GPTConfig fields + "tokenizer", "corpus", "steps", "val_loss"...
};
// Where 07 writes it by default (relative to the current directory).
std::filesystem::path default_base_model_path();  // out/07_gpt/base.safetensors

// The tokenizer folder save_base_model writes beside a weights file: its sibling "tokenizer/".
std::filesystem::path base_tokenizer_dir(const std::filesystem::path& weights);
void save_base_model(const std::filesystem::path& weights, const nn::GPT& model,
                     const tokenizer::CharTokenizer& tok, nn::Metadata metadata);
// 07's base, or any character-level GPT checkpoint (one of `aprender train` too: its tokenizer
// folder is the one its metadata names, checkpoint.h). Throws std::runtime_error naming the
// file and saying what is wrong in words: missing (and how to make one), an Encoder, a
// tokenizer of another kind or size...
BaseModel load_base_model(const std::filesystem::path& weights);

}  // namespace aprender::tutorial
