// cli.cpp — the subcommand registry and the flag parser declared in cli.h.
#include "tools/cli.h"

#include <fmt/format.h>

#include <cerrno>
#include <cstdlib>

namespace aprender::cli {

std::map<std::string, CommandInfo>& registry() {
    static std::map<std::string, CommandInfo> commands;  // built during static initialisation
    return commands;
}

Command::Command(std::string name, std::string summary, Main run) {
    registry()[std::move(name)] = CommandInfo{std::move(summary), std::move(run)};
}

Parser::Parser(std::string program, std::string description)
    : program_(std::move(program)), description_(std::move(description)) {}

Parser& Parser::option(const std::string& name, const std::string& metavar, const std::string& help,
                       std::optional<std::string> default_value) {
    Spec s{name, metavar, help, default_value};
    s.required = !default_value.has_value();
    specs_.push_back(s);
    return *this;
}

Parser& Parser::flag(const std::string& name, const std::string& help) {
    Spec s{name, "", help, std::nullopt};
    s.is_flag = true;
    specs_.push_back(s);
    return *this;
}

Parser& Parser::positional(const std::string& name, const std::string& help, bool required) {
    Spec s{name, "", help, std::nullopt};
    s.is_positional = true;
    s.required = required;
    specs_.push_back(s);
    return *this;
}

const Parser::Spec& Parser::spec(const std::string& name) const {
    for (const auto& s : specs_)
        if (s.name == name) return s;
    throw std::logic_error(fmt::format("{}: no option named {} was declared", program_, name));
}

std::string escaped(std::string_view text) {
    std::string out;
    for (char c : text) {
        if (c == '\n') out += "\\n";
        else if (c == '\t') out += "\\t";
        else if ((unsigned char)c < 0x20 || c == 0x7f) out += fmt::format("\\x{:02x}", (unsigned)(unsigned char)c);
        else out += c;
    }
    return out;
}

std::string Parser::help() const {
    std::string usage = "usage: " + program_;
    for (const auto& s : specs_)
        if (s.is_positional) usage += s.required ? " " + s.name : " [" + s.name + "]";
    usage += " [options]\n\n" + description_ + "\n";
    std::string pos, opts;
    for (const auto& s : specs_) {
        std::string left = s.is_positional ? s.name : s.is_flag ? s.name : s.name + " " + s.metavar;
        std::string right = s.help;
        if (s.default_value && !s.default_value->empty())  // an empty default (an optional path) is left unsaid
            right += fmt::format(" (default: {})", escaped(*s.default_value));  // a "\n" default must not break the line
        else if (s.required && !s.is_positional) right += " (required)";
        (s.is_positional ? pos : opts) += fmt::format("  {:<24} {}\n", left, right);
    }
    if (!pos.empty()) usage += "\narguments:\n" + pos;
    usage += "\noptions:\n" + opts + fmt::format("  {:<24} {}\n", "--help, -h", "show this help");
    usage += "\nAn option given twice: the last one counts. A value that starts with -- is written --option=VALUE.\n";
    return usage;
}

bool Parser::parse(int argc, char** argv) {
    size_t next_positional = 0;
    std::vector<const Spec*> positionals;
    for (const auto& s : specs_)
        if (s.is_positional) positionals.push_back(&s);
    for (int i = 1; i < argc; ++i) {
        std::string arg = argv[i];
        if (arg == "--help" || arg == "-h") {
            fmt::print("{}", help());
            return false;
        }
        if (arg.rfind("--", 0) == 0) {
            std::string name = arg, value;
            bool inline_value = false;
            if (auto eq = arg.find('='); eq != std::string::npos) {
                name = arg.substr(0, eq);
                value = arg.substr(eq + 1);
                inline_value = true;
            }
            const Spec* s = nullptr;
            for (const auto& c : specs_)
                if (c.name == name && !c.is_positional) s = &c;
            if (!s) throw UsageError(fmt::format("{}: unknown option '{}' (see --help)", program_, name));
            if (s->is_flag) {
                if (inline_value) throw UsageError(fmt::format("{}: {} takes no value", program_, name));
                values_.insert_or_assign(name, std::string(1, '1'));  // (not = "1": GCC 12 misreads that as an overlapping copy)
                given_.insert(name);
                continue;
            }
            if (!inline_value) {
                if (i + 1 >= argc) throw UsageError(fmt::format("{}: {} needs a value ({})", program_, name, s->metavar));
                value = argv[++i];
                // `--out --quiet` forgot the value: taking "--quiet" as a file name would write
                // a file called --quiet and drop the flag. A value that really starts like one
                // of our flags can still be given as --out=--quiet.
                std::string next = value.substr(0, value.find('='));
                for (const auto& c : specs_)
                    if (!c.is_positional && c.name == next)
                        throw UsageError(fmt::format("{}: {} needs a value ({}) but is followed by the option {} "
                                                     "(write {}={} if that is really the value)",
                                                     program_, name, s->metavar, next, name, value));
            }
            values_[name] = value;  // given twice, the last counts (as in most Unix tools: a script can override)
            given_.insert(name);
        } else {
            if (next_positional >= positionals.size())
                throw UsageError(fmt::format("{}: unexpected argument '{}' (see --help)", program_, arg));
            values_[positionals[next_positional++]->name] = arg;
        }
    }
    for (const auto& s : specs_) {
        // A required option given as "" (an unset shell variable: --out "$OUT") names nothing.
        if (s.required && !s.is_positional && values_.count(s.name) && values_[s.name].empty())
            throw UsageError(fmt::format("{}: {} is empty; it needs a value ({})", program_, s.name, s.metavar));
        if (values_.count(s.name)) continue;
        if (s.default_value) values_[s.name] = *s.default_value;
        else if (s.required) throw UsageError(fmt::format("{}: missing required {} {}", program_,
                                                          s.is_positional ? "argument" : "option", s.name));
    }
    return true;
}

bool Parser::has(const std::string& name) const { return values_.count(name) > 0; }
bool Parser::given(const std::string& name) const { spec(name); return given_.count(name) > 0; }

void Parser::applies_only(bool applies, const std::vector<std::string>& names, const std::string& when) const {
    if (applies) return;
    for (const auto& n : names)
        if (given(n)) throw UsageError(fmt::format("{}: {} applies only {}", program_, n, when));
}
bool Parser::on(const std::string& name) const { spec(name); return values_.count(name) > 0; }

std::string Parser::str(const std::string& name) const {
    spec(name);
    auto it = values_.find(name);
    if (it == values_.end()) throw UsageError(fmt::format("{}: {} was not given", program_, name));
    return it->second;
}

int64_t Parser::integer(const std::string& name) const {
    std::string v = str(name);
    errno = 0;
    char* end = nullptr;
    long long x = std::strtoll(v.c_str(), &end, 10);
    if (v.empty() || *end != '\0')
        throw UsageError(fmt::format("{}: {} expects an integer, got '{}'", program_, name, v));
    if (errno == ERANGE)  // an integer, but not one an int64 holds: say that, not "not an integer"
        throw UsageError(fmt::format("{}: {} expects an integer from -2^63 to 2^63 - 1, got '{}'", program_, name, v));
    return x;
}

uint64_t Parser::seed(const std::string& name) const {
    int64_t x = integer(name);
    if (x < 0) throw UsageError(fmt::format("{}: {} must be a whole number ≥ 0, got {}", program_, name, x));
    return (uint64_t)x;
}

double Parser::number(const std::string& name) const {
    std::string v = str(name);
    errno = 0;
    char* end = nullptr;
    double x = std::strtod(v.c_str(), &end);
    if (v.empty() || *end != '\0')
        throw UsageError(fmt::format("{}: {} expects a number, got '{}'", program_, name, v));
    if (errno == ERANGE)  // 1e999 or 1e-999: a number, but too large or too small for a double
        throw UsageError(fmt::format("{}: {} expects a number a double can hold, got '{}'", program_, name, v));
    return x;
}

}  // namespace aprender::cli
