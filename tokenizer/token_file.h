// token_file.h — the token file `aprender train` reads (nanoGPT's train.bin format).
//
// A token file is the ids of a whole corpus, back to back, with no header:
//   * `NAME.bin`     — little-endian uint16, 2 bytes per id; for vocabularies up to 65,536
//                      tokens (GPT-2's 50,257 fit).
//   * `NAME.u32.bin` — little-endian uint32, 4 bytes per id; required when the vocabulary
//                      has more than 65,536 tokens.
// The file name alone says the width, so a reader needs nothing else. numpy reads them as
// np.memmap("train.bin", dtype=np.uint16) / dtype=np.uint32.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace aprender::tokenizer {

// True when `path` names a uint32 token file (ends with ".u32.bin").
bool is_u32_token_file(const std::string& path);

// Writes atomically (to PATH.tmp, then rename), so a crash never leaves half a file.
// Throws TokenizerError when an id is outside [0, vocab_size), or when vocab_size > 65536
// and the name does not end in ".u32.bin".
void write_token_file(const std::string& path, const std::vector<int32_t>& ids, int64_t vocab_size);

// Throws TokenizerError for a missing/unreadable file, a folder, a byte count that is not a
// multiple of the id width (2 or 4), or a uint32 id past INT32_MAX (ids are int32).
std::vector<int32_t> read_token_file(const std::string& path);

}  // namespace aprender::tokenizer
