// error.h — the one exception type the tokenizers throw for bad input.
//
// Every message names what was wrong (the byte offset of invalid UTF-8, the unknown id,
// the file and line of a malformed vocabulary), so a student can fix the input instead
// of reading a stack trace.
#pragma once

#include <stdexcept>

namespace aprender::tokenizer {

struct TokenizerError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

}  // namespace aprender::tokenizer
