// peft.cpp — saving and loading adapters in PEFT's layout (see peft.h).
#include "lora/peft.h"

#include "lora/sha256.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>

namespace aprender::lora {

namespace fs = std::filesystem;
using ordered_json = nlohmann::ordered_json;

static const std::string kPrefix = "base_model.model.";
static const std::string kConfigFile = "adapter_config.json", kWeightsFile = "adapter_model.safetensors";
// our two fields, in the weights file's metadata (see peft.h)
static const std::string kBaseField = "aprender_base_sha256", kSeedField = "aprender_seed";

const std::vector<std::string>& adapter_file_names() {
    static const std::vector<std::string> files{kConfigFile, kWeightsFile};
    return files;
}

static bool ends_with(const std::string& s, const std::string& t) {
    return s.size() >= t.size() && s.compare(s.size() - t.size(), t.size(), t) == 0;
}

// "h.0.attn.q_proj.base_layer.weight" → "h.0.attn.q_proj.weight"; adapter factors → "".
static std::string plain_name(const std::string& name) {
    if (name.find(".lora_A.") != std::string::npos || name.find(".lora_B.") != std::string::npos) return "";
    std::string s = name;
    for (size_t p; (p = s.find(".base_layer.")) != std::string::npos;) s.erase(p, 11);
    return s;
}

std::string base_state_sha256(const nn::Module& model, BiasMode bias) {
    for (auto& [path, l] : adapters(model))
        if (l->merged())
            throw std::logic_error("lora: cannot fingerprint the base while an adapter is merged into " + path + "; unmerge() first");
    std::map<std::string, Tensor> state;  // sorted by name
    for (auto& [name, t] : model.state_dict()) {
        std::string p = plain_name(name);
        if (p.empty() || (bias != BiasMode::none && ends_with(p, "bias"))) continue;
        state.emplace(p, t);
    }
    Sha256 h;
    for (auto& [name, t] : state) {
        Tensor c = t.to(Device::cpu()).contiguous();
        h.update(fmt::format("{}\n{}{}\n", name, dtype_name(c.dtype()), shape_str(c.shape())));
        h.update(c.raw_data(), (size_t)c.numel() * dtype_size(c.dtype()));
    }
    return h.hex();
}

static const char* bias_name(BiasMode b) { return b == BiasMode::none ? "none" : b == BiasMode::all ? "all" : "lora_only"; }

static void write_text_atomically(const std::string& path, const std::string& text) {
    // The new file is renamed over `path`: over a device or a pipe that would replace it.
    if (fs::exists(path) && !fs::is_regular_file(path))
        throw AdapterFileError("'" + path + "' exists and is not a regular file (a device, a pipe?): refusing to replace it");
    std::string tmp = path + ".tmp";
    std::error_code ec;
    {
        std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
        if (!f || !(f << text) || !f.flush()) {
            std::string why = std::strerror(errno);
            fs::remove(tmp, ec);  // the half-written file goes; `path` was never touched
            throw AdapterFileError("cannot write '" + tmp + "': " + why);
        }
    }
    fs::rename(tmp, path, ec);
    if (ec) {
        std::string why = ec.message();
        fs::remove(tmp, ec);
        throw AdapterFileError("cannot rename '" + tmp + "' to '" + path + "': " + why);
    }
}

void save_adapter(const nn::Module& model, const std::string& dir, const std::string& base_name, const std::string& adapter,
                  const nn::Metadata& metadata) {
    auto layers = adapters(model);
    if (layers.empty()) throw std::invalid_argument("lora: save_adapter: the model has no LoRA layers");
    std::string name = adapter.empty() ? layers[0].second->active_adapter() : adapter;
    nn::NamedTensors tensors;
    const Config* cfg = nullptr;
    for (auto& [path, l] : layers) {
        if (!l->has_adapter(name)) continue;
        const Linear::Adapter& ad = l->adapter(name);
        cfg = &ad.config;
        tensors.emplace_back(kPrefix + path + ".lora_A.weight", ad.A);
        tensors.emplace_back(kPrefix + path + ".lora_B.weight", ad.B);
    }
    if (!cfg) throw std::invalid_argument("lora: save_adapter: no layer has an adapter named '" + name + "'");
    Config c = *cfg;
    if (c.bias != BiasMode::none)  // the trained biases travel with the adapter
        for (auto& [pname, t] : model.named_parameters()) {
            std::string p = plain_name(pname);
            if (p.empty() || !ends_with(p, "bias")) continue;
            bool wrapped = pname.find(".base_layer.") != std::string::npos;
            if (c.bias == BiasMode::all || wrapped) tensors.emplace_back(kPrefix + p, t);
        }

    ordered_json j;
    j["peft_type"] = "LORA";
    j["task_type"] = "CAUSAL_LM";
    j["r"] = c.r;
    if (c.alpha == std::floor(c.alpha)) j["lora_alpha"] = (int64_t)c.alpha;
    else j["lora_alpha"] = c.alpha;
    j["lora_dropout"] = c.dropout;
    if (c.targets.size() == 1 && c.targets[0].rfind("re:", 0) == 0) j["target_modules"] = c.targets[0].substr(3);
    else j["target_modules"] = c.targets;
    j["layers_to_transform"] = c.layers.empty() ? ordered_json(nullptr) : ordered_json(c.layers);
    j["bias"] = bias_name(c.bias);
    j["use_rslora"] = c.rslora;
    j["init_lora_weights"] = c.init == Init::gaussian ? ordered_json("gaussian") : ordered_json(true);
    j["fan_in_fan_out"] = false;
    j["inference_mode"] = true;
    j["base_model_name_or_path"] = base_name;

    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) throw AdapterFileError("cannot create adapter directory '" + dir + "': " + ec.message());
    nn::Metadata meta = metadata;
    meta["format"] = "pt";  // what PEFT writes
    // Ours, in the weights' header where PEFT does not look (in adapter_config.json it
    // warns about every field it does not know and advises upgrading PEFT).
    meta[kBaseField] = base_state_sha256(model, c.bias);
    meta[kSeedField] = std::to_string(c.seed);
    nn::save_safetensors((fs::path(dir) / kWeightsFile).string(), tensors, meta);
    write_text_atomically((fs::path(dir) / kConfigFile).string(), j.dump(2) + "\n");
}

// ---- reading -------------------------------------------------------------------------

// An optional string field: `fallback` when absent, an error naming the field when it
// holds anything but a string (nlohmann's own message would not say which field).
static std::string string_field(const ordered_json& j, const char* key, const std::string& fallback,
                                const std::string& file) {
    if (!j.contains(key) || j[key].is_null()) return fallback;
    if (!j[key].is_string()) throw AdapterFileError(fmt::format("{}: {} must be a string, got {}", file, key, j[key].dump()));
    return j[key].get<std::string>();
}

static Config config_from_json(const ordered_json& j, const std::string& file) {
    auto fail = [&](const std::string& what) { return AdapterFileError(file + ": " + what); };
    auto need = [&](const char* key) -> const ordered_json& {
        if (!j.contains(key)) throw fail(std::string("missing field \"") + key + "\"");
        return j.at(key);
    };
    if (!need("peft_type").is_string() || j["peft_type"] != "LORA")
        throw fail("peft_type is " + j["peft_type"].dump() + ", only \"LORA\" adapters can be loaded");
    Config c;
    if (!need("r").is_number_integer() || j["r"].get<int64_t>() <= 0) throw fail("r must be a positive integer, got " + j["r"].dump());
    c.r = j["r"].get<int64_t>();
    if (!need("lora_alpha").is_number()) throw fail("lora_alpha must be a number, got " + j["lora_alpha"].dump());
    c.alpha = j["lora_alpha"].get<double>();
    static_assert(kMaxAlpha == 1e6, "the message below names the bound");
    if (!std::isfinite(c.alpha) || std::abs(c.alpha) > kMaxAlpha)  // s = alpha/r scales ΔW: 1e308 would make it inf
        throw fail("lora_alpha must be a reasonable number (|alpha| ≤ 1e6), got " + j["lora_alpha"].dump());
    if (c.alpha == 0) throw fail("lora_alpha is 0: the scale alpha/r would switch the adapter off");
    if (j.contains("lora_dropout")) {
        if (!j["lora_dropout"].is_number()) throw fail("lora_dropout must be a number");
        c.dropout = j["lora_dropout"].get<double>();
        if (!(c.dropout >= 0 && c.dropout < 1)) throw fail("lora_dropout must be in [0, 1), got " + j["lora_dropout"].dump());
    }
    const auto& tm = need("target_modules");
    if (tm.is_string()) c.targets = {"re:" + tm.get<std::string>()};
    else if (tm.is_array() && std::all_of(tm.begin(), tm.end(), [](auto& x) { return x.is_string(); }))
        c.targets = tm.get<std::vector<std::string>>();
    else throw fail("target_modules must be a string or a list of strings, got " + tm.dump());
    if (c.targets.empty()) throw fail("target_modules is empty: the adapter would target no layer");
    try {
        check_targets(c.targets);
    } catch (const std::invalid_argument& e) {
        throw fail(std::string("target_modules: ") + e.what());
    }
    if (j.contains("layers_to_transform") && !j["layers_to_transform"].is_null()) {
        const auto& l = j["layers_to_transform"];
        if (l.is_number_integer()) c.layers = {l.get<int64_t>()};
        else if (l.is_array() && std::all_of(l.begin(), l.end(), [](auto& x) { return x.is_number_integer(); }))
            c.layers = l.get<std::vector<int64_t>>();
        else throw fail("layers_to_transform must be null, an integer or a list of integers, got " + l.dump());
    }
    std::string b = string_field(j, "bias", "none", file);
    if (b == "none") c.bias = BiasMode::none;
    else if (b == "all") c.bias = BiasMode::all;
    else if (b == "lora_only") c.bias = BiasMode::lora_only;
    else throw fail("bias must be \"none\", \"all\" or \"lora_only\", got \"" + b + "\"");
    if (j.contains("use_rslora")) {
        if (!j["use_rslora"].is_boolean()) throw fail("use_rslora must be true or false");
        c.rslora = j["use_rslora"].get<bool>();
    }
    if (j.contains("init_lora_weights")) {
        const auto& iw = j["init_lora_weights"];
        c.init = (iw.is_string() && iw == "gaussian") ? Init::gaussian : Init::kaiming;
    }
    if (j.contains("fan_in_fan_out") && !j["fan_in_fan_out"].is_boolean())
        throw fail("fan_in_fan_out must be true or false, got " + j["fan_in_fan_out"].dump());
    if (j.value("fan_in_fan_out", false)) throw fail("fan_in_fan_out = true (Conv1D-style [in, out] weights) is not supported");
    // adapters saved before the fingerprint moved to the weights' header have it here
    if (j.contains(kSeedField) && j[kSeedField].is_number_unsigned()) c.seed = j[kSeedField].get<uint64_t>();
    return c;
}

AdapterFiles read_adapter(const std::string& dir) {
    if (!fs::is_directory(dir)) throw AdapterFileError("adapter '" + dir + "' is not a directory (expected " + kConfigFile + " and " + kWeightsFile + " inside)");
    std::string cfile = (fs::path(dir) / kConfigFile).string(), wfile = (fs::path(dir) / kWeightsFile).string();
    if (fs::is_directory(cfile)) throw AdapterFileError("'" + cfile + "' is a folder, not a file");
    std::ifstream f(cfile);
    if (!f)
        throw AdapterFileError(fs::exists(cfile) ? "cannot read '" + cfile + "': " + std::strerror(errno)
                                                 : "'" + dir + "' holds no " + kConfigFile + " (is it an adapter folder?)");
    ordered_json j;
    try {
        j = ordered_json::parse(f);
    } catch (const nlohmann::json::exception& e) {
        std::string what = e.what();  // without nlohmann's "[json.exception.parse_error.101] "
        if (auto end = what.find("] "); what.rfind("[json.exception.", 0) == 0 && end != std::string::npos)
            what = what.substr(end + 2);
        throw AdapterFileError(cfile + ": not valid JSON (" + what + ")");
    }
    if (!j.is_object()) throw AdapterFileError(cfile + ": expected a JSON object");
    AdapterFiles a;
    a.config = config_from_json(j, cfile);
    a.base_model_name_or_path = string_field(j, "base_model_name_or_path", "", cfile);
    a.base_sha256 = string_field(j, kBaseField.c_str(), "", cfile);  // (older adapters: in the config)
    a.weights = nn::load_safetensors(wfile);
    const nn::Metadata& meta = a.weights.metadata;
    if (auto it = meta.find(kBaseField); it != meta.end()) a.base_sha256 = it->second;
    if (auto it = meta.find(kSeedField); it != meta.end()) {
        const std::string& v = it->second;
        char* end = nullptr;
        errno = 0;
        unsigned long long seed = std::strtoull(v.c_str(), &end, 10);
        if (v.empty() || v[0] == '-' || *end != '\0' || errno != 0)
            throw AdapterFileError(fmt::format("{}: metadata {} must be a whole number, got '{}'", wfile, kSeedField, v));
        a.config.seed = seed;
    }
    if (auto bad = nn::non_finite_tensor(a.weights.tensors))
        throw AdapterFileError(fmt::format("{}: tensor '{}' holds NaN or infinite values", wfile, *bad));

    // Pair up the factors: every lora_A needs its lora_B and the other way round.
    std::map<std::string, std::pair<Tensor, Tensor>> pairs;
    std::vector<std::string> order;
    for (auto& [key, t] : a.weights.tensors) {
        if (key.rfind(kPrefix, 0) != 0) throw AdapterFileError(fmt::format("{}: tensor '{}' does not start with '{}'", wfile, key, kPrefix));
        std::string rest = key.substr(kPrefix.size());
        bool isA = ends_with(rest, ".lora_A.weight"), isB = ends_with(rest, ".lora_B.weight");
        if (!isA && !isB) {
            if (ends_with(rest, "bias") && a.config.bias != BiasMode::none) {
                a.biases.emplace_back(rest, t);
                continue;
            }
            throw AdapterFileError(fmt::format("{}: unexpected tensor '{}' (expected <path>.lora_A.weight / .lora_B.weight)", wfile, key));
        }
        std::string path = rest.substr(0, rest.size() - 14);
        if (!pairs.count(path)) order.push_back(path);
        auto& p = pairs[path];
        if (t.dim() != 2) throw AdapterFileError(fmt::format("{}: '{}' has shape {}, expected a matrix", wfile, key, shape_str(t.shape())));
        if (isA && t.size(0) != a.config.r)
            throw AdapterFileError(fmt::format("{}: '{}' has shape {} but r = {} in {}", wfile, key, shape_str(t.shape()), a.config.r, kConfigFile));
        if (isB && t.size(1) != a.config.r)
            throw AdapterFileError(fmt::format("{}: '{}' has shape {} but r = {} in {}", wfile, key, shape_str(t.shape()), a.config.r, kConfigFile));
        (isA ? p.first : p.second) = t;
    }
    if (order.empty()) throw AdapterFileError(wfile + ": no lora_A/lora_B tensors");
    for (auto& path : order) {
        auto& p = pairs[path];
        if (!p.first.defined() || !p.second.defined())
            throw AdapterFileError(fmt::format("{}: '{}' has {} but not {}", wfile, path, p.first.defined() ? "lora_A" : "lora_B",
                                               p.first.defined() ? "lora_B" : "lora_A"));
        // The config is what `lora info` shows and what PEFT reads: it must describe the weights.
        if (!selects(a.config, path))
            throw AdapterFileError(fmt::format("{} holds factors for '{}', which {}'s target_modules{} do not select: the two "
                                               "files do not belong together",
                                               wfile, path, kConfigFile,
                                               a.config.layers.empty() ? "" : " and layers_to_transform"));
        a.layers.emplace_back(path, p);
    }
    return a;
}

Config load_adapter(nn::Module& model, const std::string& dir, const std::string& name, bool check_base) {
    AdapterFiles a = read_adapter(dir);
    if (check_base) {
        if (a.base_sha256.empty())
            throw AdapterFileError(fmt::format("adapter '{}' has no aprender_base_sha256 (in {}'s metadata), so its base cannot be checked "
                                               "(an adapter from another tool?); load_adapter(..., check_base = false) "
                                               "skips the check (the command line: --no-base-check)", dir, kWeightsFile));
        std::string mine = base_state_sha256(model, a.config.bias);
        if (mine != a.base_sha256)
            throw AdapterFileError(fmt::format("wrong base model for adapter '{}': it was trained on a base with SHA-256 {}... "
                                               "(base_model_name_or_path '{}'), but this model's base is {}...",
                                               dir, a.base_sha256.substr(0, 16), a.base_model_name_or_path, mine.substr(0, 16)));
    }
    // The config must select, in this model, exactly the layers the weights hold: a layer it
    // selects without factors would silently stay the base.
    std::vector<std::string> selected;
    try {
        selected = matching_paths(model, a.config);
    } catch (const std::invalid_argument& e) {
        throw AdapterFileError(fmt::format("adapter '{}': {}", dir, e.what()));
    }
    for (const auto& path : selected)
        if (std::none_of(a.layers.begin(), a.layers.end(), [&](const auto& l) { return l.first == path; }))
            throw AdapterFileError(fmt::format("adapter '{}': {} selects '{}' in this model, but {} holds no factors for "
                                               "it (the files do not belong together, or to this model)",
                                               dir, kConfigFile, path, kWeightsFile));
    // Check every layer before touching the model, so a bad file changes nothing.
    std::vector<std::shared_ptr<nn::Linear>> bases;
    for (auto& [path, ab] : a.layers) {
        std::shared_ptr<nn::Module> m;
        try {
            m = model.submodule(path);
        } catch (const std::exception&) {
            throw AdapterFileError(fmt::format("adapter '{}' targets '{}', which this model does not have", dir, path));
        }
        auto base = std::dynamic_pointer_cast<nn::Linear>(m);
        if (auto w = std::dynamic_pointer_cast<Linear>(m)) {
            base = w->base;
            if (w->has_adapter(name)) throw AdapterFileError(fmt::format("the model already has an adapter named '{}' at {}", name, path));
        }
        if (!base) throw AdapterFileError(fmt::format("adapter '{}' targets '{}', which is a {}, not a Linear", dir, path, m->type_name()));
        const auto& [A, B] = ab;
        if (A.size(1) != base->in_features || B.size(0) != base->out_features)
            throw AdapterFileError(fmt::format("adapter '{}': {} has A {} and B {}, but that layer maps {} -> {} (A must be [r, {}], B [{}, r])",
                                               dir, path, shape_str(A.shape()), shape_str(B.shape()), base->in_features,
                                               base->out_features, base->in_features, base->out_features));
        bases.push_back(base);
    }
    auto params = model.named_parameters();
    for (auto& [bname, t] : a.biases) {
        // (&bname = bname: clang before 16 cannot capture a structured binding by itself)
        auto it = std::find_if(params.begin(), params.end(), [&bname = bname](auto& p) { return plain_name(p.first) == bname; });
        if (it == params.end() || it->second.shape() != t.shape())
            throw AdapterFileError(fmt::format("adapter '{}': bias '{}' {} does not fit the model", dir, bname, shape_str(t.shape())));
    }

    Device dev = model.device();
    for (size_t i = 0; i < a.layers.size(); ++i) {
        const std::string& path = a.layers[i].first;
        Tensor A = a.layers[i].second.first.to(bases[i]->weight.dtype()).to(dev);
        Tensor B = a.layers[i].second.second.to(bases[i]->weight.dtype()).to(dev);
        auto m = model.submodule(path);
        if (auto w = std::dynamic_pointer_cast<Linear>(m)) {
            w->add_adapter(name, A, B, a.config.scaling(), a.config);
        } else {
            Generator gen(a.config.seed);
            auto w2 = std::make_shared<Linear>(bases[i], a.config, gen, name);
            NoGradGuard ng;
            w2->A.copy_from(A);
            w2->B.copy_from(B);
            model.replace_module(path, w2);
        }
    }
    NoGradGuard ng;
    for (auto& [bname, t] : a.biases)
        for (auto& [pname, p] : params)
            if (plain_name(pname) == bname) p.copy_from(t);
    model.requires_grad_(false);
    set_adapter(model, name);
    apply_bias_mode(model, a.config.bias);
    return a.config;
}

}  // namespace aprender::lora
