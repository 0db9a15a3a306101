// tokenizer.h — the interface every tokenizer shares: text -> ids -> text.
//
//     auto tok = aprender::tokenizer::load("out/tok");         // any kind, from its folder
//     std::vector<int32_t> ids = tok->encode("Olá, mundo!");
//     std::string back = tok->decode(ids);
//
// Kinds: CharTokenizer (char.h), WordTokenizer (word.h), BpeTokenizer (bpe.h),
// WordPieceTokenizer (wordpiece.h). Each saves itself into a folder holding
// `tokenizer.json` ({"type": "char"|"word"|"bpe"|"wordpiece", ...}) plus, for BPE and
// WordPiece, the standard files other tools read (vocab.json + merges.txt, vocab.txt).
//
// Ids are int32_t (what the models' embedding tables index with). Unknown ids in decode,
// invalid input and malformed files throw TokenizerError (error.h) with a clear message.
#pragma once

#include "tokenizer/error.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace aprender::tokenizer {

class Tokenizer {
public:
    virtual ~Tokenizer() = default;

    // "char", "word", "bpe" or "wordpiece": what tokenizer.json's "type" says.
    virtual std::string type() const = 0;

    virtual std::vector<int32_t> encode(std::string_view text) const = 0;
    virtual std::string decode(const std::vector<int32_t>& ids) const = 0;

    virtual int64_t vocab_size() const = 0;
    // The token's text (for BPE: its bytes; for WordPiece: e.g. "##ção"). Throws on a bad id.
    virtual std::string id_to_token(int32_t id) const = 0;
    virtual std::optional<int32_t> token_to_id(std::string_view token) const = 0;

    // Tokens with a meaning of their own (<unk>, [CLS], <|endoftext|>, ...), never produced by
    // splitting ordinary text unless a tokenizer documents otherwise.
    virtual std::vector<std::string> special_tokens() const = 0;

    // Writes the folder (created if missing) that load() reads back.
    virtual void save(const std::string& dir) const = 0;
};

// Reads dir/tokenizer.json and builds the tokenizer it names.
std::unique_ptr<Tokenizer> load(const std::string& dir);

// Whether `name`, a tokenizer folder named in a checkpoint's metadata, is a plain folder name
// (so the folder lies beside the checkpoint): not empty, no '/', not "." or "..". A path
// elsewhere would make a downloaded checkpoint read folders it does not own.
bool is_plain_folder_name(const std::string& name);

// Every file name save() may write into a tokenizer folder, whatever the kind
// (tokenizer.json, vocab.json, merges.txt, vocab.txt): the files a new tokenizer replaces.
const std::vector<std::string>& folder_files();

}  // namespace aprender::tokenizer
