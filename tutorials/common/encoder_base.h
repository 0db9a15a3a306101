// encoder_base.h — 06's trained Encoder as a pre-trained base (what 07's base.safetensors is
// for the GPT tutorials): the weights in a safetensors file (EncoderConfig as metadata) and the
// WordPiece vocabulary in a folder "tokenizer/" beside it.
//
//   save_encoder_base(t.out_file("encoder.safetensors"), model, tok, {{"made_by", "06_bert"}});
//   auto eb = load_encoder_base(default_encoder_base_path(), 5);   // + a fresh 5-class head
#pragma once

#include <filesystem>
#include <memory>

#include "nn/encoder.h"
#include "nn/safetensors.h"
#include "tokenizer/wordpiece.h"

namespace aprender::tutorial {

struct EncoderBase {
    std::shared_ptr<nn::Encoder> model;
    std::unique_ptr<tokenizer::WordPieceTokenizer> tokenizer;
    nn::Metadata metadata;
};

std::filesystem::path default_encoder_base_path();  // out/06_bert/encoder.safetensors
std::filesystem::path encoder_tokenizer_dir(const std::filesystem::path& weights);  // its sibling "tokenizer/" (saving)

// The weights without any classification head (a base is task-free).
void save_encoder_base(const std::filesystem::path& weights, const nn::Encoder& model,
                       const tokenizer::WordPieceTokenizer& tok, nn::Metadata metadata);

// Loads the base into an Encoder built with `n_classes` (0: none); the head, absent from the
// file, keeps the fresh initialisation of `seed`. Its tokenizer folder is the one the metadata
// names (checkpoint.h). Throws std::runtime_error naming the file and saying what is wrong in
// words: missing (and how to make one), a GPT, a tokenizer other than WordPiece...
EncoderBase load_encoder_base(const std::filesystem::path& weights, int64_t n_classes = 0, uint64_t seed = 1337);

}  // namespace aprender::tutorial
