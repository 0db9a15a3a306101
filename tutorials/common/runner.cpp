#include "tutorials/common/runner.h"

#include "autograd/backend.h"
#include "autograd/tensor.h"

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <iostream>
#include <sstream>

namespace aprender::tutorial {

namespace {

// Thrown when the student types q at a pause: a normal, successful end.
struct StopRequested {};

// What a bad command line is told, in both languages (UsageError, runner.h).
constexpr Text kNotANumber{"{} expects a number in [{}, {}], got '{}'", "{} espera um número em [{}, {}], recebeu '{}'"};
constexpr Text kNotOneOf{"{} must be {}, got '{}'", "{} deve ser {}, recebeu '{}'"};
constexpr Text kNotAFlag{"unexpected argument '{}' (flags start with --)",
                         "argumento inesperado '{}' (as opções começam com --)"};
constexpr Text kUnknownFlag{"unknown flag '{}'", "opção desconhecida '{}'"};
constexpr Text kTakesNoValue{"{} takes no value", "{} não recebe valor"};
constexpr Text kNeedsValue{"{} needs a value ({})", "{} precisa de um valor ({})"};
constexpr Text kBadLang{"--lang must be 'en' or 'pt', got '{}'", "--lang deve ser 'en' ou 'pt', recebeu '{}'"};
constexpr Text kCpuOnly{"--device {}: {} runs on the CPU only (06_bert, 07_gpt, 08_finetune and 10_lora train on a GPU)",
                        "--device {}: {} roda só na CPU (06_bert, 07_gpt, 08_finetune e 10_lora treinam numa GPU)"};
constexpr Text kBadDevice{"--device {}: {}", "--device {}: {}"};  // the backend's reason (English)
constexpr Text kOutEmpty{"--out needs a folder name", "--out precisa do nome de uma pasta"};
constexpr Text kOutUnusable{"--out {}: {}", "--out {}: {}"};  // the system's reason (English)
constexpr Text kOutIsFile{"--out {} is a file; give a folder name", "--out {} é um arquivo; dê o nome de uma pasta"};

// The common flags, in --help order. value_name as in Flag.
const std::vector<Flag>& common_flags() {
    static const std::vector<Flag> flags = {
        {"--lang", "en|pt", {"narration language (default: from LC_ALL/LANG; pt_BR.UTF-8 → pt)",
                             "idioma da narração (padrão: de LC_ALL/LANG; pt_BR.UTF-8 → pt)"}},
        {"--step", "", {"pause for Enter between steps (default when run in a terminal)",
                        "pausa (Enter) entre os passos (padrão num terminal)"}},
        {"--no-pause", "", {"run straight through (default when piped)",
                            "roda direto, sem pausas (padrão num pipe)"}},
        {"--seed", "N", {"random seed (default 42): same seed, same output",
                         "semente aleatória (padrão 42): mesma semente, mesma saída"}},
        {"--quick", "", {"small, fast settings (tests, CI)", "configurações pequenas e rápidas (testes, CI)"}},
        {"--device", "DEV", {"cpu (default) or cuda: where the models train (tutorials that train models)",
                             "cpu (padrão) ou cuda: onde os modelos treinam (tutoriais que treinam modelos)"}},
        {"--out", "DIR", {"where pictures (SVG) and CSV files go (default out/<tutorial>/)",
                          "onde ficam as figuras (SVG) e os CSV (padrão out/<tutorial>/)"}},
        {"--no-color", "", {"plain text, no ANSI colours (also: NO_COLOR=1)",
                            "texto simples, sem cores ANSI (também: NO_COLOR=1)"}},
        {"--color", "", {"colours even when piped", "cores mesmo num pipe"}},
        {"--help", "", {"this help (also -h)", "esta ajuda (também -h)"}},
    };
    return flags;
}

const Flag* find_flag(const std::vector<Flag>& flags, std::string_view name) {
    for (const auto& f : flags)
        if (f.name == name) return &f;
    return nullptr;
}

Lang lang_from_locale(std::string_view locale) {
    return locale.substr(0, 2) == "pt" ? Lang::pt : Lang::en;
}

template <class T>
T parse_number(std::string_view flag, const std::string& text, T lo, T hi) {
    T value{};
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size() || !(value >= lo && value <= hi))  // NaN fails too
        throw usage_error(kNotANumber, flag, lo, hi, text);
    return value;
}

}  // namespace

std::string Options::get(std::string_view flag, std::string fallback) const {
    auto it = extra.find(flag);
    return it == extra.end() ? fallback : it->second;
}

long Options::get_int(std::string_view flag, long fallback) const {
    if (auto it = numbers.find(flag); it != numbers.end()) return it->second;
    if (extra.count(flag))  // a value nobody checked: the flag's declaration lacks its range
        throw std::logic_error(fmt::format("{} was declared without a range: give its Flag an IntRange", flag));
    return fallback;
}

std::function<void(const std::string&)> one_of(std::string flag, std::vector<std::string> names) {
    return [flag = std::move(flag), names = std::move(names)](const std::string& value) {
        for (const auto& n : names)
            if (n == value) return;
        auto list = [&](const char* last) {  // "a, b or c" / "a, b ou c"
            std::string s;
            for (std::size_t i = 0; i < names.size(); ++i)
                s += (i == 0 ? "" : i + 1 == names.size() ? last : ", ") + names[i];
            return s;
        };
        throw UsageError(fmt::format(fmt::runtime(kNotOneOf.en), flag, list(" or "), value),
                         fmt::format(fmt::runtime(kNotOneOf.pt), flag, list(" ou "), value));
    };
}

Environment Environment::from_process() {
    Environment env;
    for (const char* var : {"LC_ALL", "LC_MESSAGES", "LANG"}) {
        const char* v = std::getenv(var);
        if (v && *v) { env.lang_vars = v; break; }
    }
    const char* nc = std::getenv("NO_COLOR");
    env.no_color = nc && *nc;
    const char* term = std::getenv("TERM");
    env.dumb_terminal = term && std::string_view(term) == "dumb";
    env.stdin_tty = stdin_is_terminal();
    env.stdout_tty = stdout_is_terminal();
    return env;
}

Options parse_options(const TutorialInfo& info, const std::vector<std::string>& args,
                      const Environment& env) {
    Options o;
    o.lang = lang_from_locale(env.lang_vars);
    o.pause = env.stdin_tty && env.stdout_tty;
    o.color = env.stdout_tty && !env.no_color && !env.dumb_terminal;
    o.out = std::filesystem::path("out") / info.name;
    for (const auto& name : info.ignores)  // a typo here would silently offer the flag again
        if (!find_flag(common_flags(), name) || name == "--device")
            throw std::logic_error(fmt::format("{}: ignores names '{}', not a common flag (--device: runs_on_gpu)",
                                               info.name, name));

    for (std::size_t i = 0; i < args.size(); ++i) {
        std::string name = args[i] == "-h" ? "--help" : args[i], value;  // -h, as every other program here
        bool inline_value = false;
        if (auto eq = name.find('='); name.rfind("--", 0) == 0 && eq != std::string::npos) {
            value = name.substr(eq + 1);  // --seed=7 works as well as --seed 7
            name = name.substr(0, eq);
            inline_value = true;
        }
        const Flag* flag = find_flag(common_flags(), name);
        if (!flag) flag = find_flag(info.flags, name);
        if (!flag) {
            if (name.rfind("-", 0) != 0)
                throw usage_error(kNotAFlag, name);
            throw usage_error(kUnknownFlag, name);
        }
        if (flag->value_name.empty()) {
            if (inline_value) throw usage_error(kTakesNoValue, name);
        } else if (!inline_value) {
            // `--say --no-pause`: the next word is another flag, not this one's value
            bool next_is_flag = i + 1 < args.size() && (find_flag(common_flags(), args[i + 1]) ||
                                                         find_flag(info.flags, args[i + 1]));
            if (i + 1 >= args.size() || next_is_flag)
                throw usage_error(kNeedsValue, name, flag->value_name);
            value = args[++i];
        }

        if (name == "--lang") {
            if (value != "en" && value != "pt")
                throw usage_error(kBadLang, value);
            o.lang = value == "pt" ? Lang::pt : Lang::en;
        } else if (name == "--step") o.pause = true;
        else if (name == "--no-pause") o.pause = false;
        else if (name == "--quick") o.quick = true;
        else if (name == "--no-color") o.color = false;
        else if (name == "--color") o.color = true;
        else if (name == "--help") o.help = true;
        else if (name == "--seed") o.seed = parse_number<std::uint64_t>(name, value, 0, UINT64_MAX);
        else if (name == "--device") {
            if (value != "cpu" && !info.runs_on_gpu)
                throw usage_error(kCpuOnly, value, info.name);
            aprender::Device d;
            try {
                d = aprender::Device::parse(value);
                if (d.is_cuda()) aprender::backend(d);  // throws the backend's clear message without a GPU
            } catch (const std::exception& e) {
                std::string why = e.what();  // the backend's message may name the device itself
                std::string named = "device " + value + ": ";
                if (why.rfind(named, 0) == 0) why = why.substr(named.size());
                throw usage_error(kBadDevice, value, why);
            }
            o.device = d.str();
        } else if (name == "--out") {
            if (value.empty()) throw usage_error(kOutEmpty);
            // The error_code form: the throwing one raises filesystem_error for a name the
            // system refuses (a name over 255 bytes), which no catch here expects.
            std::error_code ec;
            auto status = std::filesystem::status(value, ec);
            if (status.type() == std::filesystem::file_type::none)  // neither there nor missing: unusable
                throw usage_error(kOutUnusable, value, ec.message());
            if (std::filesystem::exists(status) && !std::filesystem::is_directory(status))  // say so now, not after training
                throw usage_error(kOutIsFile, value);
            o.out = value;
        } else o.extra[name] = value;
    }
    // The tutorial's own values, all of them before its first word (not for --help, which
    // explains them).
    if (!o.help)
        for (const auto& [name, value] : o.extra) {
            const Flag* flag = find_flag(info.flags, name);
            if (flag->range) o.numbers[name] = parse_number<long>(name, value, flag->range->lo, flag->range->hi);
            if (flag->check) flag->check(value);
        }
    return o;
}

// Words of `text` in lines of at most kColumns display columns (--help's summary is
// one long paragraph in the source).
static std::string wrapped(const std::string& text) {
    std::istringstream words(text);
    std::string out, word;
    std::size_t width = 0;
    while (words >> word) {
        std::size_t w = display_width(word);
        if (width > 0 && width + 1 + w > kColumns) {
            out += "\n";
            width = 0;
        }
        if (width > 0) {
            out += ' ';
            ++width;
        }
        out += word;
        width += w;
    }
    return out;
}

std::string help_text(const TutorialInfo& info, Lang lang) {
    std::ostringstream s;
    auto flag_line = [&](const Flag& f) {
        std::string left = f.name + (f.value_name.empty() ? "" : " " + f.value_name);
        std::string help(f.help.in(lang));
        if (f.range)
            help += fmt::format(fmt::runtime(lang == Lang::pt ? "; {} de {} a {}" : "; {} from {} to {}"),
                                f.value_name, f.range->lo, f.range->hi);
        s << hang("  " + pad_right(left, 22) + " ", help);  // a long help goes on under itself
    };
    auto ignored = [&](const Flag& f) {
        if (f.name == "--device") return !info.runs_on_gpu;
        return std::find(info.ignores.begin(), info.ignores.end(), f.name) != info.ignores.end();
    };
    s << info.name << " — " << info.title.in(lang) << "\n\n" << wrapped(std::string(info.summary.in(lang))) << "\n\n";
    s << (lang == Lang::pt ? "uso" : "usage") << ": build/tutorials/" << info.name
      << (lang == Lang::pt ? " [opções]\n\n" : " [flags]\n\n");
    if (!info.flags.empty()) {
        s << (lang == Lang::pt ? "Opções deste tutorial:\n" : "Flags of this tutorial:\n");
        for (const auto& f : info.flags) flag_line(f);
        s << "\n";
    }
    s << (lang == Lang::pt ? "Opções comuns a todos os tutoriais:\n" : "Flags common to every tutorial:\n");
    std::string accepted;
    for (const auto& f : common_flags()) {
        if (!ignored(f)) flag_line(f);
        else accepted += (accepted.empty() ? "" : ", ") + (f.name == "--device" ? f.name + " cpu" : f.name);
    }
    if (!accepted.empty())  // see TutorialInfo::ignores: one command line for every tutorial
        s << "\n"
          << wrapped(fmt::format(fmt::runtime(lang == Lang::pt
                                     ? "Aceitas sem efeito aqui (nada do que este tutorial faz depende delas), para "
                                       "que a mesma linha de comando sirva a todos os tutoriais: {}."
                                     : "Accepted without effect here (nothing this tutorial does depends on them), so "
                                       "that one command line serves every tutorial: {}."),
                                 accepted))
          << "\n";
    return s.str();
}

Tutorial::Tutorial(const TutorialInfo& info, Options options, std::ostream& out, std::istream& in)
    : info_(info), options_(std::move(options)), style_{options_.color}, out_(out), in_(in) {}

void Tutorial::print_wrapped(const std::string& paragraph) {
    std::istringstream lines(paragraph);
    std::string line;
    while (std::getline(lines, line)) {
        // Keep a line's own indentation (tables, examples) and wrap only long prose.
        std::size_t indent = line.find_first_not_of(' ');
        if (indent == std::string::npos) { out_ << "\n"; continue; }
        std::istringstream words(line.substr(indent));
        std::string word, current(indent + 2, ' ');
        std::size_t width = indent + 2;
        bool empty = true;
        while (words >> word) {
            std::size_t w = display_width(word);
            if (!empty && width + 1 + w > kColumns) {
                out_ << current << "\n";
                current = std::string(indent + 2, ' ');
                width = indent + 2;
                empty = true;
            }
            if (!empty) { current += ' '; ++width; }
            current += word;
            width += w;
            empty = false;
        }
        out_ << current << "\n";
    }
}

void Tutorial::wait_for_enter() {
    out_ << style_.dim(options_.lang == Lang::pt ? "  ⏎ Enter para continuar (q para sair) "
                                                 : "  ⏎ Enter to continue (q to quit) ")
         << std::flush;
    std::string answer;
    if (!std::getline(in_, answer)) { out_ << "\n"; options_.pause = false; return; }  // EOF: run on
    if (answer == "q" || answer == "Q") throw StopRequested{};
}

void Tutorial::begin_step(const Text& title) {
    if (options_.pause && steps_shown_ > 0) wait_for_enter();
    ++steps_shown_;
    out_ << "\n" << style_.bold(style_.accent(fmt::format("━━ {}. {}", steps_shown_, title.in(options_.lang))))
         << "\n";
}

std::filesystem::path Tutorial::out_file(const std::string& filename) {
    std::error_code ec;
    std::filesystem::create_directories(options_.out, ec);
    if (ec)
        throw std::runtime_error(fmt::format("cannot create output folder '{}': {}",
                                             options_.out.string(), ec.message()));
    return options_.out / filename;
}

void Tutorial::wrote(const std::filesystem::path& path) {
    out_ << "  " << style_.dim((options_.lang == Lang::pt ? "→ gravado: " : "→ wrote: ") + path.string())
         << "\n";
}

namespace {

// The language to report a bad command line in, before it is known to be good: the last
// `--lang en|pt` (or --lang=...) on it, else the locale, as parse_options decides.
Lang command_line_lang(const std::vector<std::string>& args, const Environment& env) {
    Lang lang = lang_from_locale(env.lang_vars);
    for (std::size_t i = 0; i < args.size(); ++i) {
        std::string value = args[i] == "--lang" && i + 1 < args.size() ? args[i + 1]
                            : args[i].rfind("--lang=", 0) == 0     ? args[i].substr(7)
                                                                   : "";
        if (value == "en" || value == "pt") lang = value == "pt" ? Lang::pt : Lang::en;
    }
    return lang;
}

// "NAME: error: MESSAGE", with "(see NAME --help)" after a bad command line.
void report(const std::string& name, Lang lang, const std::string& message, bool usage) {
    bool pt = lang == Lang::pt;
    std::cerr << name << (pt ? ": erro: " : ": error: ") << message;
    if (usage) std::cerr << (pt ? " (veja " : " (see ") << name << " --help)";
    std::cerr << "\n";
}

}  // namespace

int run(const TutorialInfo& info, int argc, char** argv,
        const std::function<void(Tutorial&)>& body) {
    std::vector<std::string> args(argv + 1, argv + argc);
    Environment env = Environment::from_process();
    Options options;
    try {
        options = parse_options(info, args, env);
    } catch (const UsageError& e) {
        Lang lang = command_line_lang(args, env);
        report(info.name, lang, e.in(lang), true);
        return 2;
    } catch (const std::exception& e) {  // a check that failed otherwise: still one line, never an abort
        report(info.name, command_line_lang(args, env), e.what(), false);
        return 1;
    }
    if (options.help) {
        std::cout << help_text(info, options.lang);
        return 0;
    }
    Tutorial t(info, options, std::cout, std::cin);
    try {
        std::cout << t.style().bold(info.name + " — " + std::string(info.title.in(options.lang))) << "\n";
        body(t);
    } catch (const StopRequested&) {
        std::cout << "\n";
        return 0;
    } catch (const UsageError& e) {
        std::cout.flush();
        report(info.name, options.lang, e.in(options.lang), true);
        return 2;
    } catch (const std::exception& e) {
        std::cout.flush();
        report(info.name, options.lang, e.what(), false);
        return 1;
    }
    // The story never arrived (`> story.txt` on a full disk): a failure, not a success.
    if (!std::cout.flush()) {
        report(info.name, options.lang,
               options.lang == Lang::pt ? "a escrita na saída padrão falhou" : "writing the standard output failed", false);
        return 1;
    }
    return 0;
}

}  // namespace aprender::tutorial
