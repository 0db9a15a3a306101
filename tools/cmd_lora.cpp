// aprender lora — fine-tune a pre-trained GPT with LoRA (or BitFit, or fully), merge an
// adapter into a plain checkpoint, and inspect an adapter directory.
//
//   aprender lora train --base base.safetensors --data juridico.txt --r 4 --alpha 8
//                       --targets q_proj,v_proj --out adapters/juridico
//   aprender lora merge --base base.safetensors --adapter adapters/juridico --out merged.safetensors
//   aprender lora info adapters/juridico
//
// Training reuses `aprender train`'s loop and flags (tools/train_loop.h); only the
// parameters left trainable by the chosen method get gradients and AdamW state.
#include "lora/adapters.h"
#include "lora/baselines.h"
#include "lora/linalg.h"
#include "lora/peft.h"
#include "tokenizer/token_file.h"
#include "tools/model_store.h"
#include "tools/outputs.h"
#include "tools/train_loop.h"

#include <fmt/format.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <sys/resource.h>

using namespace aprender;
namespace fs = std::filesystem;

namespace {

std::vector<std::string> split_commas(const std::string& s) {
    std::vector<std::string> out;
    std::stringstream ss(s);
    for (std::string item; std::getline(ss, item, ',');)
        if (!item.empty()) out.push_back(item);
    return out;
}

cli::StoredModel load_gpt(const std::string& path) {
    cli::StoredModel m = cli::load_model(path);
    if (!m.gpt) throw cli::UsageError(path + " is an " + m.kind() + " checkpoint; lora needs a GPT base model");
    return m;
}

double peak_rss_mib() {
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_maxrss / 1024.0;  // Linux: kilobytes
}

lora::Config config_from_flags(const cli::Parser& p) {
    lora::Config c;
    c.r = p.integer("--r");
    c.alpha = p.number("--alpha");
    c.dropout = p.number("--lora-dropout");
    c.targets = split_commas(p.str("--targets"));
    for (auto& l : split_commas(p.str("--layers"))) {
        size_t used = 0;
        try {
            long long k = std::stoll(l, &used);
            if (used == l.size() && k >= 0) {
                c.layers.push_back(k);
                continue;
            }
        } catch (const std::exception&) {
        }
        throw cli::UsageError("--layers takes block numbers (0, 1, ...) separated by commas, got '" + l + "'");
    }
    std::string b = p.str("--bias-mode"), init = p.str("--init");
    if (b == "none") c.bias = lora::BiasMode::none;
    else if (b == "all") c.bias = lora::BiasMode::all;
    else if (b == "lora_only") c.bias = lora::BiasMode::lora_only;
    else throw cli::UsageError("--bias-mode must be none, all or lora_only, got '" + b + "'");
    if (init == "gaussian") c.init = lora::Init::gaussian;
    else if (init == "kaiming") c.init = lora::Init::kaiming;
    else throw cli::UsageError("--init must be gaussian or kaiming, got '" + init + "'");
    c.rslora = p.on("--rslora");
    // (a rank past 65536 is no low-rank update: refused before it is allocated)
    if (c.r < 1 || c.r > 65536) throw cli::UsageError(fmt::format("--r must be from 1 to 65536, got {}", c.r));
    if (c.targets.empty()) throw cli::UsageError("--targets needs at least one module name");
    try {
        lora::check_targets(c.targets);
    } catch (const std::invalid_argument& e) {
        throw cli::UsageError(std::string("--targets: ") + e.what());
    }
    if (!(c.dropout >= 0 && c.dropout < 1)) throw cli::UsageError(fmt::format("--lora-dropout must be in [0, 1), got {}", c.dropout));
    if (!std::isfinite(c.alpha) || c.alpha == 0)  // s = alpha / r scales ΔW: 0 switches the adapter off, NaN poisons it
        throw cli::UsageError(fmt::format("--alpha must be a non-zero number, got {}", c.alpha));
    if (std::abs(c.alpha) > lora::kMaxAlpha) throw cli::UsageError(fmt::format("--alpha must be at most 1e6 in size, got {}", c.alpha));
    return c;
}

int train(int argc, char** argv) {
    cli::Parser p("aprender lora train", "Fine-tune a GPT checkpoint: LoRA adapters (default), BitFit or full fine-tuning.");
    p.option("--base", "PATH", "pre-trained GPT checkpoint (.safetensors); never modified");
    p.option("--data", "FILE", "fine-tuning text (base's tokenizer) or token file (.bin)");
    p.option("--val", "FILE", "validation data (default: the last 10% of --data)", "");
    p.option("--out", "PATH", "lora: adapter directory; bitfit/full: checkpoint (.safetensors)");
    p.option("--init-out", "PATH", "also save the state before step 1 (adapter directory or checkpoint)", "");
    p.flag("--force", "replace existing output");
    p.option("--method", "M", "lora | bitfit | full", "lora");
    p.option("--r", "N", "LoRA rank", "8");
    p.option("--alpha", "X", "LoRA alpha (scale = alpha / r)", "16");
    p.option("--lora-dropout", "P", "dropout on the LoRA path's input", "0");
    p.option("--targets", "LIST", "comma-separated Linear names, suffixes or re:<regex>", "q_proj,v_proj");
    p.option("--layers", "LIST", "only these blocks (comma-separated numbers; default all)", "");
    p.option("--bias-mode", "B", "none | all | lora_only: which biases train with LoRA", "none");
    p.option("--init", "I", "gaussian | kaiming: A's initialisation (B = 0 always)", "gaussian");
    p.flag("--rslora", "scale alpha / sqrt(r) instead of alpha / r");
    p.flag("--dry-run", "list the layers the targets match, and stop");
    p.option("--device", "DEV", "cpu | cuda", "cpu");
    cli::add_training_flags(p);
    if (!p.parse(argc, argv)) return 0;
    cli::TrainSettings s = cli::training_settings(p);
    lora::Method method = [&] {
        try {
            return lora::parse_method(p.str("--method"));
        } catch (const std::invalid_argument& e) {
            throw cli::UsageError(e.what());
        }
    }();
    lora::Config cfg = config_from_flags(p);
    cfg.seed = s.seed;
    std::string base_path = p.str("--base"), out = p.str("--out"), init_out = p.str("--init-out");
    bool force = p.on("--force");

    p.applies_only(method == lora::Method::lora,
                   {"--r", "--alpha", "--lora-dropout", "--targets", "--layers", "--bias-mode", "--init", "--rslora",
                    "--dry-run"},
                   "to --method lora");

    cli::StoredModel m = load_gpt(base_path);
    nn::GPT& gpt = *m.gpt;
    if (p.on("--dry-run")) {
        for (auto& path : lora::matching_paths(gpt, cfg)) fmt::print("{}\n", path);
        return 0;
    }
    cli::Outputs outs("aprender lora train", force);  // checked before training, not after
    outs.reads("--base", base_path);
    outs.reads("--data", p.str("--data"));
    outs.reads("--val", p.str("--val"));
    for (const auto& [flag, path] : {std::pair{"--out", out}, std::pair{"--init-out", init_out}}) {
        if (method == lora::Method::lora) outs.folder(flag, path, lora::adapter_file_names());  // an adapter is a folder of two files
        else outs.checkpoint(flag, path, m.tokenizer != nullptr);
    }
    outs.stream("--log", s.log_path);
    outs.check();

    std::vector<int32_t> train_tokens = cli::read_tokens_for(m, p.str("--data")), val_tokens;
    if (!p.str("--val").empty()) val_tokens = cli::read_tokens_for(m, p.str("--val"));
    else {
        size_t cut = train_tokens.size() * 9 / 10;
        val_tokens.assign(train_tokens.begin() + cut, train_tokens.end());
        train_tokens.resize(cut);
    }
    int64_t T = gpt.config.block_size;

    // Memory before/after, for the table: the same model under full fine-tuning.
    lora::prepare_full(gpt);
    lora::MemoryReport full_mem = lora::memory_report(gpt, s.batch, T);
    lora::Report rep;
    if (method == lora::Method::lora) rep = lora::apply(gpt, cfg);
    else if (method == lora::Method::bitfit) rep = lora::prepare_bitfit(gpt);
    else rep = lora::prepare_full(gpt);
    for (auto& path : rep.wrapped) fmt::print("  lora on {}\n", path);
    fmt::print("method: {}   {}\n", lora::method_name(method), lora::trainable_summary(gpt));
    if (method == lora::Method::lora)
        for (auto& [path, l] : lora::adapters(gpt))
            fmt::print("  {:<24} r·(in + out) = {}·({} + {}) = {}\n", path, l->A.size(0), l->base->in_features,
                       l->base->out_features, l->trainable_count());
    if (method != lora::Method::full)
        fmt::print("\nmemory (float32, AdamW, batch {} × {} tokens):\n{}\n", s.batch, T,
                   lora::memory_table({{"full FT", full_mem}, {lora::method_name(method), lora::memory_report(gpt, s.batch, T)}}));

    auto save = [&](const std::string& path, nn::Metadata meta) {
        if (method == lora::Method::lora) lora::save_adapter(gpt, path, base_path);
        else cli::save_model(path, gpt, meta, m.tokenizer.get());
    };
    nn::Metadata meta = gpt.config.to_metadata();
    meta["base_model"] = base_path;
    meta["fine_tuning"] = lora::method_name(method);
    gpt.to(Device::parse(p.str("--device")));
    if (!init_out.empty()) save(init_out, meta);

    nn::BatchSampler train_s(std::move(train_tokens), s.batch, T, s.sampler, s.seed, p.str("--data"));
    nn::BatchSampler val_s(std::move(val_tokens), s.batch, T, nn::SamplerMode::sequential, 0, "validation");
    cli::TrainStats st = cli::train_language_model(gpt, [&](const Tensor& x, const Tensor& y) { return gpt.loss(x, y); },
                                                   train_s, &val_s, s);
    meta["trained_steps"] = std::to_string(st.steps_done(s));
    save(out, meta);
    fmt::print("loss {:.4f} → {:.4f}", st.first_loss, st.last_loss);
    if (st.last_val_loss >= 0) fmt::print(" (validation {:.4f})", st.last_val_loss);
    fmt::print(" in {:.1f} s, {:.0f} tokens/s, peak RSS {:.1f} MiB\nsaved {}\n", st.seconds, st.tokens_per_second, peak_rss_mib(), out);
    return cli::report_early_end(st, s, out);
}

int merge(int argc, char** argv) {
    cli::Parser p("aprender lora merge", "Merge an adapter into its base: a plain checkpoint with W0 + s·B·A (no extra latency).");
    p.option("--base", "PATH", "the base checkpoint the adapter was trained on");
    p.option("--adapter", "DIR", "adapter directory (adapter_config.json + adapter_model.safetensors)");
    p.option("--out", "PATH", "merged checkpoint (.safetensors)");
    p.flag("--force", "replace an existing output file");
    p.flag("--no-base-check", "merge an adapter that carries no base fingerprint (one from another tool)");
    if (!p.parse(argc, argv)) return 0;
    cli::Outputs outs("aprender lora merge", p.on("--force"));
    outs.reads("--base", p.str("--base"));
    outs.reads_folder("--adapter", p.str("--adapter"), lora::adapter_file_names());
    cli::StoredModel m = load_gpt(p.str("--base"));
    outs.checkpoint("--out", p.str("--out"), m.tokenizer != nullptr);
    outs.check();
    lora::Config c = lora::load_adapter(*m.gpt, p.str("--adapter"), "default", !p.on("--no-base-check"));
    size_t layers = lora::adapters(*m.gpt).size();
    lora::merge_and_unload(*m.gpt);
    nn::Metadata meta = m.gpt->config.to_metadata();
    meta["merged_adapter"] = p.str("--adapter");
    meta["base_model"] = p.str("--base");
    cli::save_model(p.str("--out"), *m.gpt, meta, m.tokenizer.get());
    fmt::print("merged adapter {} (r = {}, {} layers) into {}\nsaved {}\n", p.str("--adapter"), c.r, layers, p.str("--base"), p.str("--out"));
    return 0;
}

int info(int argc, char** argv) {
    cli::Parser p("aprender lora info", "Show an adapter: config, parameter counts, file sizes, singular values of each ΔW.");
    p.positional("DIR", "adapter directory");
    if (!p.parse(argc, argv)) return 0;
    std::string dir = p.str("DIR");
    lora::AdapterFiles a = lora::read_adapter(dir);
    const lora::Config& c = a.config;
    std::string targets;
    for (auto& t : c.targets) targets += (targets.empty() ? "" : ",") + t;
    fmt::print("adapter {}\n  r {}  alpha {}  scale {:.4g}{}  dropout {}  targets {}  bias {}\n  base {}  (sha256 {})\n", dir, c.r,
               c.alpha, c.scaling(), c.rslora ? " (rsLoRA)" : "", c.dropout, targets,
               c.bias == lora::BiasMode::none ? "none" : c.bias == lora::BiasMode::all ? "all" : "lora_only",
               a.base_model_name_or_path.empty() ? "?" : a.base_model_name_or_path, a.base_sha256.empty() ? "none" : a.base_sha256.substr(0, 16) + "…");
    int64_t total = 0;
    fmt::print("\n  {:<24} {:>10} {:>10} {:>8}   singular values of ΔW = s·B·A\n", "layer", "A", "B", "params");
    for (auto& [path, ab] : a.layers) {
        auto& [A, B] = ab;
        int64_t n = A.numel() + B.numel();
        total += n;
        std::vector<double> sv = lora::linalg::low_rank_product_spectrum(lora::linalg::Matrix::from_tensor(B),
                                                                          lora::linalg::Matrix::from_tensor(A), c.scaling());
        std::string s;
        for (double v : sv) s += fmt::format("{}{:.4g}", s.empty() ? "" : " ", v);
        fmt::print("  {:<24} {:>10} {:>10} {:>8}   {}\n", path, shape_str(A.shape()), shape_str(B.shape()), n, s);
    }
    for (auto& [n, t] : a.biases) total += t.numel();
    fmt::print("\n  trainable parameters: {} in {} layers{}\n", total, a.layers.size(),
               a.biases.empty() ? "" : fmt::format(" (+ {} bias vectors)", a.biases.size()));
    for (const char* f : {"adapter_config.json", "adapter_model.safetensors"})
        fmt::print("  {:<28} {} bytes\n", f, fs::file_size(fs::path(dir) / f));
    return 0;
}

int run(int argc, char** argv) {
    const std::string usage = "usage: aprender lora train|merge|info [options]   (aprender lora <sub> --help)";
    if (argc < 2) throw cli::UsageError(usage);
    std::string sub = argv[1];
    if (sub == "--help" || sub == "-h") {
        fmt::print("{}\n  train  fine-tune a GPT checkpoint (lora | bitfit | full)\n  merge  bake an adapter into a plain checkpoint\n"
                   "  info   show an adapter's config, sizes and ΔW spectra\n", usage);
        return 0;
    }
    if (sub == "train") return train(argc - 1, argv + 1);
    if (sub == "merge") return merge(argc - 1, argv + 1);
    if (sub == "info") return info(argc - 1, argv + 1);
    throw cli::UsageError("unknown lora subcommand '" + sub + "'\n" + usage);
}

cli::Command command{"lora", "LoRA / BitFit / full fine-tuning of a GPT, adapters: train, merge, info", run};

}  // namespace
