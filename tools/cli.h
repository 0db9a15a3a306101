// cli.h — what every `aprender <command>` shares: a registry of subcommands and a
// small, strict flag parser.
//
// A subcommand lives in its own file, tools/cmd_<name>.cpp, and registers itself:
//
//     static int run_info(int argc, char** argv) { ... return 0; }
//     static aprender::cli::Command info{"info", "show a checkpoint's config and sizes", run_info};
//
// Flags are declared before parsing, so `--help` is generated and anything undeclared,
// a missing value (also `--out --quiet`, where the "value" is one of our flags) or a
// malformed number is a clear error (UsageError, exit 2). An option given twice: the last
// one counts, as in most Unix tools.
//
//     aprender::cli::Parser p("aprender eval", "mean cross-entropy of a checkpoint on a file");
//     p.option("--checkpoint", "PATH", "model to evaluate");           // required: no default
//     p.option("--batch", "N", "windows per batch", "8");
//     p.flag("--quiet", "print only the numbers");
//     if (!p.parse(argc, argv)) return 0;   // --help was printed
//     int64_t batch = p.integer("--batch");
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace aprender::cli {

// Bad command-line input: main() prints "aprender: <message>" and exits with 2.
struct UsageError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

using Main = std::function<int(int argc, char** argv)>;

struct Command {
    Command(std::string name, std::string summary, Main run);
};

struct CommandInfo {
    std::string summary;
    Main run;
};
std::map<std::string, CommandInfo>& registry();

class Parser {
public:
    Parser(std::string program, std::string description);
    // An option takes a value. With no default it is required.
    Parser& option(const std::string& name, const std::string& metavar, const std::string& help,
                   std::optional<std::string> default_value = std::nullopt);
    Parser& flag(const std::string& name, const std::string& help);
    // Positional arguments, in order; `required` ones must be present.
    Parser& positional(const std::string& name, const std::string& help, bool required = true);

    // Returns false when --help was asked for (the help text has been printed).
    // argv[0] is the program/subcommand name and is skipped.
    bool parse(int argc, char** argv);

    bool has(const std::string& name) const;    // given on the command line (or has a default)
    bool given(const std::string& name) const;  // given on the command line
    bool on(const std::string& flag_name) const;
    std::string str(const std::string& name) const;
    int64_t integer(const std::string& name) const;
    uint64_t seed(const std::string& name) const;  // an integer ≥ 0
    double number(const std::string& name) const;
    // Options that mean nothing in this run are refused rather than silently dropped:
    //     p.applies_only(method == "lora", {"--r", "--alpha"}, "to --method lora");
    // throws "--r applies only to --method lora" when --r was given and the method is not lora.
    void applies_only(bool applies, const std::vector<std::string>& names, const std::string& when) const;
    std::string help() const;

private:
    struct Spec {
        std::string name, metavar, help;
        std::optional<std::string> default_value;
        bool is_flag = false, required = false, is_positional = false;
    };
    const Spec& spec(const std::string& name) const;
    std::string program_, description_;
    std::vector<Spec> specs_;
    std::map<std::string, std::string> values_;
    std::set<std::string> given_;
};

// Text as a message can show it: \n, \t and other control characters spelled as
// escapes (--help's defaults, the characters an error names), everything else as is.
std::string escaped(std::string_view text);

}  // namespace aprender::cli
