// json_file.h — reading and writing the small JSON files a tokenizer folder holds,
// with errors that name the file.
#pragma once

#include <nlohmann/json.hpp>

#include <string>

namespace aprender::tokenizer {

nlohmann::json read_json_file(const std::string& path);
// Creates the parent folder if needed; writes via a temporary file and rename.
void write_text_file(const std::string& path, const std::string& text);
std::string read_text_file(const std::string& path);

// nlohmann's message in words a user can act on: without its "[json.exception.type_error.302]"
// prefix, and "key 'tokens' not found" as "missing field \"tokens\"".
std::string json_error_text(const nlohmann::json::exception& e);

}  // namespace aprender::tokenizer
