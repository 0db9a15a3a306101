// model_store.h — checkpoints as the command line uses them: a safetensors file whose
// metadata holds the model config, plus the tokenizer in a folder beside it
// (out/model.safetensors → out/model.tokenizer/, named in the metadata key "tokenizer").
#pragma once

#include "nn/encoder.h"
#include "nn/safetensors.h"
#include "tokenizer/tokenizer.h"
#include "tools/cli.h"

#include <memory>
#include <string>

namespace aprender::cli {

struct StoredModel {
    std::shared_ptr<nn::GPT> gpt;          // one of these two is set
    std::shared_ptr<nn::Encoder> encoder;
    std::shared_ptr<tokenizer::Tokenizer> tokenizer;  // null for models trained on token files
    nn::Metadata metadata;
    std::string path;
    nn::Module& module() const;
    std::string kind() const { return gpt ? "gpt" : "encoder"; }
    int64_t context() const;  // block_size / max_len
};

// Load a checkpoint written by save_model (or any safetensors file whose metadata has
// the config keys). Errors name the file and what is wrong.
StoredModel load_model(const std::string& path);

// Save model (+ tokenizer, if any) atomically; refuses to replace an existing file
// unless `overwrite` (the user's work is never replaced without asking).
void save_model(const std::string& path, const nn::Module& model, nn::Metadata metadata,
                const tokenizer::Tokenizer* tok, bool overwrite);

// Refuse to write over an existing file unless asked: "PATH exists; pass --force to replace it".
void check_writable(const std::string& path, bool overwrite);

// Encode text, refusing characters the tokenizer does not know (a char tokenizer would
// silently turn them into <unk>).
std::vector<int32_t> encode_strict(const tokenizer::Tokenizer& tok, const std::string& text);

}  // namespace aprender::cli
