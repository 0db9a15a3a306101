// outputs.cpp — see outputs.h.
#include "tools/outputs.h"

#include "tokenizer/tokenizer.h"
#include "tools/cli.h"

#include <fmt/format.h>

#include <filesystem>

namespace fs = std::filesystem;

namespace aprender::cli {

std::string tokenizer_dir_for(const std::string& checkpoint) {
    fs::path p(checkpoint);
    return (p.parent_path() / (p.stem().string() + ".tokenizer")).string();
}

// One spelling per file: "a/../b.st", "./b.st" and a link to b.st are all b.st.
static std::string identity(const std::string& path) {
    std::error_code ec;
    fs::path p = fs::weakly_canonical(path, ec);
    return ec ? fs::absolute(path).lexically_normal().string() : p.string();
}

Outputs::Outputs(std::string program, bool force) : program_(std::move(program)), force_(force) {}

void Outputs::reads(const std::string& flag, const std::string& path) {
    if (!path.empty()) inputs_.push_back({flag, path, false});
}

void Outputs::reads_folder(const std::string& flag, const std::string& dir, const std::vector<std::string>& files) {
    if (dir.empty()) return;
    for (const auto& f : files) inputs_.push_back({flag, (fs::path(dir) / f).string(), false});
}

void Outputs::checkpoint(const std::string& flag, const std::string& path, bool with_tokenizer) {
    if (path.empty()) return;
    if (path.back() == '/' || fs::is_directory(path))
        throw UsageError(fmt::format("{}: {} {} is a folder; a checkpoint needs a file name such as {}", program_, flag,
                                     path, (fs::path(path) / "model.safetensors").lexically_normal().string()));
    outputs_.push_back({flag, path, true});
    folders_.push_back(fs::path(path).parent_path().string());
    if (!with_tokenizer) return;
    std::string dir = tokenizer_dir_for(path);
    if (fs::exists(dir) && !fs::is_directory(dir))
        throw UsageError(fmt::format("{}: {} is a file, but {} {} keeps its tokenizer in a folder of that name", program_,
                                     dir, flag, path));
    tokenizer_dirs_.push_back({flag, dir});
    for (const auto& f : tokenizer::folder_files())
        outputs_.push_back({flag + "'s tokenizer", (fs::path(dir) / f).string(), true, true});
}

void Outputs::folder(const std::string& flag, const std::string& dir, const std::vector<std::string>& files) {
    if (dir.empty()) return;
    if (fs::exists(dir) && !fs::is_directory(dir))
        throw UsageError(fmt::format("{}: {} {} is a file; it names a folder here", program_, flag, dir));
    for (const auto& f : files) outputs_.push_back({flag, (fs::path(dir) / f).string(), true});
    folders_.push_back(dir);
}

void Outputs::add_file(const std::string& flag, const std::string& path, bool replaced) {
    if (path.empty()) return;
    if (path.back() == '/' || fs::is_directory(path))
        throw UsageError(fmt::format("{}: {} {} is a folder; give a file name", program_, flag, path));
    outputs_.push_back({flag, path, replaced});
    folders_.push_back(fs::path(path).parent_path().string());
}

void Outputs::file(const std::string& flag, const std::string& path) { add_file(flag, path, /*replaced=*/true); }
void Outputs::stream(const std::string& flag, const std::string& path) { add_file(flag, path, /*replaced=*/false); }

void Outputs::check() const {
    std::vector<std::string> in_ids, out_ids;  // each path resolved once
    for (const Entry& in : inputs_) in_ids.push_back(identity(in.path));
    for (const Entry& out : outputs_) out_ids.push_back(identity(out.path));
    for (size_t i = 0; i < outputs_.size(); ++i) {
        const Entry& out = outputs_[i];
        const std::string& id = out_ids[i];
        for (size_t k = 0; k < inputs_.size(); ++k)
            if (in_ids[k] == id)
                throw UsageError(fmt::format("{}: {} would write {}, which {} reads: the run would replace its own "
                                             "input (choose another name; --force does not allow this)",
                                             program_, out.flag, out.path, inputs_[k].flag));
        for (size_t j = 0; j < i; ++j)
            if (out_ids[j] == id)
                throw UsageError(fmt::format("{}: {} and {} both write {}: one would replace the other",
                                             program_, outputs_[j].flag, out.flag, out.path));
        fs::file_status st = fs::status(out.path);
        if (out.replaced && fs::exists(st) && !fs::is_regular_file(st))
            throw UsageError(fmt::format("{}: {} {} exists and is not a regular file (a device, a pipe?); it is saved by "
                                         "writing a new file and renaming it over the old one, which would replace "
                                         "it: give a file name",
                                         program_, out.flag, out.path));
    }
    // What is left is the user's earlier work, replaced only when asked.
    if (!force_) {
        for (const Entry& out : outputs_)
            if (!out.beside_checkpoint && fs::is_regular_file(out.path))
                throw UsageError(fmt::format("{}: {} exists; pass --force to replace it", program_, out.path));
        // m.st and m.safetensors share m.tokenizer/: replacing it would quietly break the other one.
        for (const auto& [flag, dir] : tokenizer_dirs_)
            if (fs::exists(dir))
                throw UsageError(fmt::format("{}: {} exists (the tokenizer folder {} would use; another checkpoint's?); "
                                             "pass --force to replace it",
                                             program_, dir, flag));
    }
    for (const auto& dir : folders_)
        if (!dir.empty()) fs::create_directories(dir);
}

}  // namespace aprender::cli
