// token_file.cpp — flat little-endian id files, written via a temporary file.
#include "tokenizer/token_file.h"

#include "tokenizer/error.h"

#include <fmt/format.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>

namespace aprender::tokenizer {

bool is_u32_token_file(const std::string& path) {
    const std::string suffix = ".u32.bin";
    return path.size() >= suffix.size() && path.compare(path.size() - suffix.size(), suffix.size(), suffix) == 0;
}

void write_token_file(const std::string& path, const std::vector<int32_t>& ids, int64_t vocab_size) {
    const bool u32 = is_u32_token_file(path);
    if (vocab_size <= 0) throw TokenizerError(fmt::format("write_token_file({}): vocab_size {} must be positive", path, vocab_size));
    if (!u32 && vocab_size > 65536)
        throw TokenizerError(fmt::format(
            "write_token_file({}): a vocabulary of {} tokens does not fit uint16; name the file *.u32.bin", path,
            vocab_size));
    const size_t width = u32 ? 4 : 2;
    // Serialise byte by byte: little-endian on every host, whatever its own byte order.
    std::string bytes(ids.size() * width, '\0');
    for (size_t i = 0; i < ids.size(); ++i) {
        int32_t id = ids[i];
        if (id < 0 || id >= vocab_size)
            throw TokenizerError(fmt::format("write_token_file({}): id {} at position {} is outside [0, {})", path, id,
                                             i, vocab_size));
        auto v = static_cast<uint32_t>(id);
        for (size_t b = 0; b < width; ++b) bytes[i * width + b] = static_cast<char>((v >> (8 * b)) & 0xFF);
    }
    // The new file is renamed over `path`: over a device or a pipe that would replace it.
    if (std::filesystem::exists(path) && !std::filesystem::is_regular_file(path))
        throw TokenizerError(fmt::format("{} exists and is not a regular file (a device, a pipe?): refusing to replace it", path));
    const std::string tmp = path + ".tmp";
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        if (!out) throw TokenizerError(fmt::format("cannot write {}: {}", tmp, std::strerror(errno)));
        out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
        out.close();
        if (!out) {
            int err = errno;
            std::remove(tmp.c_str());
            throw TokenizerError(fmt::format("error while writing {}: {}", tmp, std::strerror(err)));
        }
    }
    if (std::rename(tmp.c_str(), path.c_str()) != 0) {
        int err = errno;
        std::remove(tmp.c_str());
        throw TokenizerError(fmt::format("cannot rename {} to {}: {}", tmp, path, std::strerror(err)));
    }
}

std::vector<int32_t> read_token_file(const std::string& path) {
    if (std::filesystem::is_directory(path)) throw TokenizerError(fmt::format("token file {} is a folder, not a file", path));
    std::ifstream in(path, std::ios::binary);
    if (!in) throw TokenizerError(fmt::format("cannot open token file {}: {}", path, std::strerror(errno)));
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const size_t width = is_u32_token_file(path) ? 4 : 2;
    if (bytes.size() % width != 0)
        throw TokenizerError(fmt::format("token file {} has {} bytes, not a multiple of {} ({} ids)", path,
                                         bytes.size(), width, width == 4 ? "uint32" : "uint16"));
    std::vector<int32_t> ids(bytes.size() / width);
    for (size_t i = 0; i < ids.size(); ++i) {
        uint32_t v = 0;
        for (size_t b = 0; b < width; ++b) v |= static_cast<uint32_t>(static_cast<unsigned char>(bytes[i * width + b])) << (8 * b);
        if (v > static_cast<uint32_t>(std::numeric_limits<int32_t>::max()))
            throw TokenizerError(fmt::format("token file {}: id {} at position {} does not fit int32", path, v, i));
        ids[i] = static_cast<int32_t>(v);
    }
    return ids;
}

}  // namespace aprender::tokenizer
