// outputs.h — what one command will write, checked all together before any work is done
// (a mistake should cost nothing, not a training run).
//
// The rule: nothing the user saved is replaced without --force, and three things are
// never replaced, --force or not:
//   - a file this same run reads: `lora merge --out` over `--base` would destroy the
//     model being merged;
//   - another output of the same run: `train --log` over `--out` would keep only one;
//   - something that is not a regular file: saves write a temporary file and rename it
//     over the target, which over /dev/null would replace the device itself.
//
//     cli::Outputs outs("aprender lora merge", p.on("--force"));
//     outs.reads("--base", base_path);
//     outs.reads_folder("--adapter", adapter_dir, lora::adapter_file_names());
//     outs.checkpoint("--out", out_path);   // the .safetensors and its .tokenizer/ folder
//     outs.check();                         // throws UsageError naming the flags involved
//
// Paths are compared after resolving ".", ".." and symbolic links (two spellings of one
// file are one file), and a folder's outputs are the files it would hold, so writing a
// checkpoint into an adapter's folder clashes only with the adapter's own files.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace aprender::cli {

class Outputs {
public:
    Outputs(std::string program, bool force);

    // Inputs: files this run reads (an empty path, an unused optional flag, is ignored).
    void reads(const std::string& flag, const std::string& path);
    void reads_folder(const std::string& flag, const std::string& dir, const std::vector<std::string>& files);

    // Outputs. A checkpoint is its file plus the tokenizer folder beside it
    // (model.safetensors → model.tokenizer/). A folder output writes `files` inside `dir`.
    // A stream (a log) is written in place, not renamed over: a device or a pipe is fine.
    void checkpoint(const std::string& flag, const std::string& path, bool with_tokenizer = true);
    void folder(const std::string& flag, const std::string& dir, const std::vector<std::string>& files);
    void file(const std::string& flag, const std::string& path);
    void stream(const std::string& flag, const std::string& path);

    // Throws UsageError for the first problem; on success creates missing parent folders.
    void check() const;

private:
    void add_file(const std::string& flag, const std::string& path, bool replaced);
    struct Entry {
        std::string flag, path;
        bool replaced;                   // written to path.tmp and renamed over path
        bool beside_checkpoint = false;  // in a checkpoint's tokenizer folder (checked as a folder)
    };
    std::string program_;
    bool force_;
    std::vector<Entry> inputs_, outputs_;
    std::vector<std::pair<std::string, std::string>> tokenizer_dirs_;  // (flag, folder) beside each checkpoint
    std::vector<std::string> folders_;  // outputs' parent folders, created by check()
};

// The folder beside a checkpoint that holds its tokenizer: out/m.safetensors → out/m.tokenizer
std::string tokenizer_dir_for(const std::string& checkpoint);

}  // namespace aprender::cli
