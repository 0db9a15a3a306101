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

// Save model (+ tokenizer, if any, in the folder tokenizer_dir_for(path) names), each
// file atomically. The caller has checked its outputs first (tools/outputs.h): this
// replaces what is there. If the save fails, a tokenizer folder it created is removed.
void save_model(const std::string& path, const nn::Module& model, nn::Metadata metadata,
                const tokenizer::Tokenizer* tok);

// Refuse text that is not UTF-8, naming `source` (a file name, "the prompt") and the byte
// where it breaks.
void require_utf8(const std::string& text, const std::string& source);

// Encode text, refusing invalid UTF-8 and characters the tokenizer does not know (a char
// tokenizer would silently turn them into <unk>; word and WordPiece vocabularies keep
// their <unk>/[UNK] for rare words, by design). `source` names the text in the message:
// a file name, "the prompt".
std::vector<int32_t> encode_strict(const tokenizer::Tokenizer& tok, const std::string& text, const std::string& source);

// ---- data files -------------------------------------------------------------------------
// A name ending in .bin is a token file (raw ids, tokenizer/token_file.h); anything else is text.
bool is_token_file(const std::string& path);

// The whole file as bytes; a missing path or a folder is an error that says which.
std::string read_text_file(const std::string& path);

// Every id must index the model's table of `vocab` rows; the error names the file, the
// id and its position (an embedding lookup would only say "id out of range" mid-training).
void check_token_ids(const std::vector<int32_t>& ids, int64_t vocab, const std::string& path);

// The tokens of a data file for a stored GPT: a token file as it is, text through the
// checkpoint's own tokenizer (encode_strict); checked against its vocabulary.
std::vector<int32_t> read_tokens_for(const StoredModel& m, const std::string& path);

}  // namespace aprender::cli
