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
#include <set>
#include <vector>

namespace aprender::tokenizer {

std::string read_text_file(const std::string& path) {
    // an ifstream opens a folder and fails only on the first read, with a message naming no path
    if (std::filesystem::is_directory(path)) throw TokenizerError(fmt::format("{} is a folder, not a file", path));
    std::ifstream in(path, std::ios::binary);
    if (!in) throw TokenizerError(fmt::format("cannot open {}: {}", path, std::strerror(errno)));
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

std::string json_error_text(const nlohmann::json::exception& e) {
    std::string what = e.what();
    if (auto end = what.find("] "); what.rfind("[json.exception.", 0) == 0 && end != std::string::npos)
        what = what.substr(end + 2);
    const std::string key = "key '", not_found = "' not found";
    if (what.rfind(key, 0) == 0 && what.size() > key.size() + not_found.size() &&
        what.compare(what.size() - not_found.size(), not_found.size(), not_found) == 0)
        return "missing field \"" + what.substr(key.size(), what.size() - key.size() - not_found.size()) + "\"";
    if (what.rfind("type must be ", 0) == 0) return "a field has the wrong type (" + what + ")";
    return what;
}

nlohmann::json read_json_file(const std::string& path) {
    std::string text = read_text_file(path);
    // JSON allows a key twice in one object and keeps the last; in a vocabulary that
    // silently drops a token, so the parser's callback keeps each open object's keys and
    // stops at a repeat.
    std::vector<std::set<std::string>> open_objects;
    auto no_repeated_keys = [&](int, nlohmann::json::parse_event_t event, nlohmann::json& value) {
        using E = nlohmann::json::parse_event_t;
        if (event == E::object_start) open_objects.emplace_back();
        else if (event == E::object_end) open_objects.pop_back();
        else if (event == E::key && !open_objects.back().insert(value.get<std::string>()).second)
            throw TokenizerError(fmt::format("{}: the key \"{}\" appears twice in one object", path, value.get<std::string>()));
        return true;
    };
    try {
        return nlohmann::json::parse(text, no_repeated_keys);
    } catch (const nlohmann::json::parse_error& e) {
        throw TokenizerError(fmt::format("{} is not valid JSON: {}", path, json_error_text(e)));
    } catch (const nlohmann::json::exception& e) {  // e.g. a number too big for a double
        throw TokenizerError(fmt::format("{}: {}", path, json_error_text(e)));
    }
}

void write_text_file(const std::string& path, const std::string& text) {
    // The new file is renamed over `path`: over a device or a pipe that would replace it.
    if (std::filesystem::exists(path) && !std::filesystem::is_regular_file(path))
        throw TokenizerError(fmt::format("{} exists and is not a regular file (a device, a pipe?): refusing to replace it", path));
    auto parent = std::filesystem::path(path).parent_path();
    if (!parent.empty()) std::filesystem::create_directories(parent);
    const std::string tmp = path + ".tmp";
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        if (!out) throw TokenizerError(fmt::format("cannot write {}: {}", tmp, std::strerror(errno)));
        out << text;
        out.close();
        if (!out) {
            int err = errno;
            std::remove(tmp.c_str());  // the half-written file goes; `path` was never touched
            throw TokenizerError(fmt::format("error while writing {}: {}", tmp, std::strerror(err)));
        }
    }
    if (std::rename(tmp.c_str(), path.c_str()) != 0) {
        int err = errno;
        std::remove(tmp.c_str());
        throw TokenizerError(fmt::format("cannot rename {} to {}: {}", tmp, path, std::strerror(err)));
    }
}

}  // namespace aprender::tokenizer
