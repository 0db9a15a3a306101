// model_files.cpp — see model_files.h.
#include "tutorials/common/model_files.h"

#include <cctype>

#include <fmt/format.h>

namespace aprender::tutorial {

namespace {

constexpr Text kAside{
    "Note: {} was made by {}, not with this run's settings ({}). It stays where it is, and this run "
    "saves what it trains in {} instead; --force would replace it.",
    "Nota: {} foi feito por {}, não com as configurações desta execução ({}). Ele fica onde está, e "
    "esta execução salva o que treinar em {}; --force o substituiria."};

constexpr Text kNotOurs{"another program (it is not a checkpoint this tutorial can read)",
                        "outro programa (não é um checkpoint que este tutorial consiga ler)"};
constexpr Text kNoSettings{"another program, or an older version of this tutorial (its metadata records no settings)",
                           "outro programa, ou uma versão antiga deste tutorial (seus metadados não registram "
                           "configurações)"};
constexpr Text kSettings{"{}, {} steps, seed {}", "{}, {} passos, semente {}"};

// What made the file at `path` (its settings, or why they are unknown); `same`: this run's.
std::string made_by_of(const Tutorial& t, const std::filesystem::path& path, const ModelSettings& settings, bool& same) {
    same = false;
    nn::Metadata meta;
    try {
        meta = nn::read_safetensors_header(path.string()).metadata;  // the settings only, not the weights
    } catch (const std::exception&) {
        return t.tr(kNotOurs);
    }
    auto get = [&](const char* key) { return meta.count(key) ? meta.at(key) : std::string("?"); };
    if (!meta.count("made_by")) return t.tr(kNoSettings);
    same = settings.metadata() == nn::Metadata{{"made_by", get("made_by")}, {"steps", get("steps")}, {"seed", get("seed")}};
    return t.tr(kSettings, get("made_by"), get("steps"), get("seed"));
}

}  // namespace

nn::Metadata ModelSettings::metadata() const {
    return {{"made_by", made_by}, {"steps", std::to_string(steps)}, {"seed", std::to_string(seed)}};
}

std::string ModelSettings::text(Lang lang) const {
    return fmt::format(fmt::runtime(kSettings.in(lang)), made_by, steps, seed);
}

std::string ModelSettings::folder() const {
    // "07_gpt --full" → "full"; "07_gpt" → "default"
    std::string mode;
    if (auto space = made_by.find(' '); space != std::string::npos) {
        for (char c : made_by.substr(space + 1)) {
            if (std::isalnum(static_cast<unsigned char>(c))) mode += c;
            else if (c == ' ' && !mode.empty() && mode.back() != '-') mode += '-';
        }
    }
    return fmt::format("{}-{}steps-seed{}", mode.empty() ? "default" : mode, steps, seed);
}

Flag force_flag() {
    return {"--force", "",
            {"replace an earlier model in --out made with other settings (default: keep it, save beside it)",
             "substitui um modelo anterior em --out feito com outras configurações (padrão: mantê-lo, salvar ao lado)"}};
}

ModelDestination model_destination(Tutorial& t, const std::vector<std::string>& files, const ModelSettings& settings) {
    ModelDestination d;
    d.folder = t.options().out;
    if (t.options().has("--force")) return d;
    for (const auto& name : files) {
        auto path = t.options().out / name;
        std::error_code ec;
        if (!std::filesystem::exists(path, ec)) continue;
        bool same = false;
        std::string by = made_by_of(t, path, settings, same);
        if (same) continue;
        d.aside = true;
        d.kept = path;
        d.kept_by = by;
        d.folder = t.options().out / settings.folder();
        t.print_wrapped(t.style().warn(t.tr(kAside, path.string(), by, settings.text(t.lang()), d.folder.string() + "/")));
        break;
    }
    return d;
}

}  // namespace aprender::tutorial
