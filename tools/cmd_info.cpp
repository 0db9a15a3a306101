// aprender info — what a checkpoint holds: config, parameters per module, file size.
#include "tools/model_store.h"

#include <fmt/format.h>

#include <filesystem>
#include <map>

using namespace aprender;

namespace {

int run(int argc, char** argv) {
    cli::Parser p("aprender info", "Show a checkpoint's config, parameter count by module and file size.");
    p.option("--checkpoint", "PATH", "model checkpoint (.safetensors)");
    if (!p.parse(argc, argv)) return 0;
    std::string path = p.str("--checkpoint");
    cli::StoredModel m = cli::load_model(path);
    fmt::print("checkpoint {}  ({} bytes)\nmodel {}\n", path, std::filesystem::file_size(path), m.kind());
    for (const auto& [k, v] : m.metadata)
        if (k != "model") fmt::print("  {:<14} {}\n", k, v);
    if (m.tokenizer) fmt::print("tokenizer {} with {} tokens\n", m.tokenizer->type(), m.tokenizer->vocab_size());
    // parameters grouped by their first name part ("h.0", "wte", ...)
    std::vector<std::pair<std::string, int64_t>> groups;
    for (auto& [name, t] : m.module().named_parameters()) {
        std::string key = name.substr(0, name.find('.'));
        if (key == "h") key = name.substr(0, name.find('.', 2));
        if (groups.empty() || groups.back().first != key) groups.emplace_back(key, 0);
        groups.back().second += t.numel();
    }
    fmt::print("parameters by module:\n");
    for (auto& [k, n] : groups) fmt::print("  {:<14} {:>12}\n", k, n);
    fmt::print("  {:<14} {:>12}\n", "total", m.module().num_parameters());
    return 0;
}

cli::Command command{"info", "show a checkpoint's config, parameters and size", run};

}  // namespace
