// json_file.cpp — file helpers shared by the tokenizers' save/load.
#include "tokenizer/json_file.h"

#include "tokenizer/error.h"

#include <fmt/format.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>

namespace aprender::tokenizer {

std::string read_text_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw TokenizerError(fmt::format("cannot open {}: {}", path, std::strerror(errno)));
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

nlohmann::json read_json_file(const std::string& path) {
    std::string text = read_text_file(path);
    try {
        return nlohmann::json::parse(text);
    } catch (const nlohmann::json::parse_error& e) {
        throw TokenizerError(fmt::format("{} is not valid JSON: {}", path, e.what()));
    }
}

void write_text_file(const std::string& path, const std::string& text) {
    auto parent = std::filesystem::path(path).parent_path();
    if (!parent.empty()) std::filesystem::create_directories(parent);
    const std::string tmp = path + ".tmp";
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        if (!out) throw TokenizerError(fmt::format("cannot write {}: {}", tmp, std::strerror(errno)));
        out << text;
        out.close();
        if (!out) throw TokenizerError(fmt::format("error while writing {}", tmp));
    }
    if (std::rename(tmp.c_str(), path.c_str()) != 0)
        throw TokenizerError(fmt::format("cannot rename {} to {}: {}", tmp, path, std::strerror(errno)));
}

}  // namespace aprender::tokenizer
