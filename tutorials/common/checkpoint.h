// checkpoint.h — reading a pre-trained model that a tutorial starts from (07's GPT base for 08
// and 10, 06's Encoder for 10's classification table), with every way it can be the wrong
// file said in words before any work: not there, a folder, not safetensors, the other kind
// of model, a tokenizer that is missing, of the wrong kind or of the wrong size.
//
// The tokenizer folder of a checkpoint is where its metadata's "tokenizer" says, relative to
// the checkpoint: the aprender CLI writes "base.tokenizer" there for base.safetensors
// (tools/model_store.cpp), tutorials 06 and 07 "tokenizer" (the folder beside their
// checkpoint; the kind goes in "tokenizer_type"). Files saved by tutorials before that put
// the kind ("char", "wordpiece") in "tokenizer": such a value means that sibling folder.
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "nn/safetensors.h"
#include "tokenizer/tokenizer.h"

namespace aprender::tutorial {

// What a tutorial needs a checkpoint to be.
struct CheckpointWanted {
    std::string model;      // "gpt" or "encoder" (the metadata's "model")
    std::string tokenizer;  // "char", "wordpiece": its tokenizer's kind
    std::string role;       // who needs it: "08_finetune and 10_lora fine-tune a GPT base"
    std::string example;    // "such as 07's out/07_gpt/base.safetensors"
};

struct CheckedCheckpoint {
    nn::Checkpoint checkpoint;
    std::filesystem::path tokenizer_dir;
    std::unique_ptr<tokenizer::Tokenizer> tokenizer;  // of the kind wanted
};

// The tokenizer folder of the checkpoint at `weights` with this metadata (see above).
std::filesystem::path checkpoint_tokenizer_dir(const std::filesystem::path& weights, const nn::Metadata& metadata);

// Reads the checkpoint at `weights` and its tokenizer, and checks the model kind, the config
// (against the file's size), the numbers (no NaN) and the tokenizer's kind. Throws
// std::runtime_error whose message starts with the path and says what is wrong and what
// would be right (`wanted`). The tokenizer's size against the model is the caller's check.
CheckedCheckpoint read_checkpoint(const std::filesystem::path& weights, const CheckpointWanted& wanted);

}  // namespace aprender::tutorial
