#include "tutorials/common/corpus.h"
#include "tutorials/common/data_dir.h"

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include <fmt/format.h>
#include <utf8proc.h>

namespace aprender::tutorial {

namespace {

// Which Debian packages make which corpus: for the "how to get it" message.
std::string_view packages_of(std::string_view name) {
    if (name == "general") return "focalinux-text";
    if (name == "tecnico") return "manpages-pt-br, manpages-pt-br-dev";
    return "kmymoney-common";
}

}  // namespace

const std::vector<std::string>& corpus_names() {
    static const std::vector<std::string> names = {"general", "tecnico", "financeiro"};
    return names;
}

std::filesystem::path data_dir() { return find_data_dir(); }

std::filesystem::path corpus_path(std::string_view name, std::string_view split) {
    return data_dir() / "cache" / "corpora" / fmt::format("{}.{}.txt", name, split);
}

std::string read_text_file(const std::filesystem::path& path) {
    if (std::filesystem::is_directory(path))  // an ifstream opens a folder and reads nothing
        throw std::runtime_error(fmt::format("'{}' is a folder, not a text file", path.string()));
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error(fmt::format("cannot open '{}'", path.string()));
    std::ostringstream s;
    s << in.rdbuf();
    std::string text = s.str();
    // Find the first invalid byte, so the error can say where.
    std::size_t i = 0;
    while (i < text.size()) {
        utf8proc_int32_t cp;
        auto n = utf8proc_iterate(reinterpret_cast<const utf8proc_uint8_t*>(text.data() + i),
                                  static_cast<utf8proc_ssize_t>(text.size() - i), &cp);
        if (n <= 0)
            throw std::runtime_error(fmt::format("'{}' is not valid UTF-8 (byte offset {})", path.string(), i));
        i += static_cast<std::size_t>(n);
    }
    return text;
}

CorpusText load_corpus(std::string_view name, std::string_view split) {
    const auto& names = corpus_names();
    if (std::find(names.begin(), names.end(), name) == names.end())
        throw std::invalid_argument(fmt::format("unknown corpus '{}' (known: general, tecnico, financeiro)", name));
    if (split != "train" && split != "val" && split != "test")
        throw std::invalid_argument(fmt::format("unknown split '{}' (train, val or test)", split));
    auto path = corpus_path(name, split);
    std::error_code ec;
    if (!std::filesystem::exists(path, ec))
        throw CorpusMissing(fmt::format(
            "corpus '{}' ({} split) is missing: {} not found. Run `make data` (it fetches the Debian "
            "package(s) {} with apt-get download; nothing is installed)",
            name, split, path.string(), packages_of(name)));
    return {std::string(name), std::string(split), path, read_text_file(path)};
}

std::filesystem::path data_file(std::string_view relative) {
    auto path = data_dir() / relative;
    std::error_code ec;
    if (!std::filesystem::exists(path, ec))
        throw std::runtime_error(fmt::format("committed data file '{}' not found (is this a complete "
                                             "checkout of aprender? set APRENDER_DATA to its data/ folder)",
                                             path.string()));
    return path;
}

std::string read_data_file(std::string_view relative) { return read_text_file(data_file(relative)); }

std::vector<std::string> nonempty_lines(const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);)
        if (!line.empty()) lines.push_back(line);
    return lines;
}

}  // namespace aprender::tutorial
