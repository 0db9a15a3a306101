// runner.h — what every tutorial executable shares: its flags, its steps, its voice.
//
//   int main(int argc, char** argv) {
//       return aprender::tutorial::run(kInfo, argc, argv, [](Tutorial& t) {
//           t.step(narration::first_step);
//           t.say(narration::result, 0.42);
//       });
//   }
//
// run() parses the common flags (below) plus the tutorial's own, prints --help, and turns
// every error into one clear line and a non-zero exit: 2 for a bad command line, 1 for
// anything that went wrong while running (a malformed script file, a missing file...).
// A bad command line is reported in the narration's language (`--lang pt` anywhere on the
// line, else the locale); what the library reports (a corrupt file, say) stays English.
// Every flag is checked before the tutorial's first word: a number flag declares its
// range and a flag that names a file or a choice declares its check (Flag below), so
// `09_lora_rank --size 0` is refused at once, never after some sections.
//
// Common flags: --lang en|pt, --step / --no-pause, --seed N, --quick, --out DIR,
// --no-color / --color, --device cpu|cuda, --help.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <iosfwd>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "tutorials/common/narration.h"
#include "tutorials/common/term.h"

namespace aprender::tutorial {

// A bad command line: reported as "NAME: error: ..." ("NAME: erro: ...") with exit status 2.
// what() is English; pt, when given, is the same message in Portuguese.
struct UsageError : std::runtime_error {
    using std::runtime_error::runtime_error;
    UsageError(const std::string& en, std::string pt_) : std::runtime_error(en), pt(std::move(pt_)) {}
    std::string in(Lang lang) const { return lang == Lang::pt && !pt.empty() ? pt : what(); }
    std::string pt;
};

// A UsageError in both languages, from one Text whose two halves take the same arguments:
//     throw usage_error(kNoValue, "--say", "TEXT");
template <class... Args>
UsageError usage_error(const Text& text, const Args&... args) {
    return UsageError(fmt::format(fmt::runtime(text.en), args...), fmt::format(fmt::runtime(text.pt), args...));
}

// The values an integer flag accepts, both ends included.
struct IntRange {
    long lo, hi;
};

// A flag of one tutorial. value_name empty → a switch ("--trace"); otherwise the flag
// takes a value ("--script FILE") that Options::get returns.
//
// parse_options checks every given value before the tutorial starts, so that a bad one
// never costs the student the sections before the line that reads it:
//   range  an integer flag ("--steps N"): any other value is refused, and --help shows the
//          range; the tutorial reads it with Options::get_int(name, default).
//   check  anything else the value must be (one of a few names, a checkpoint of the right
//          kind...): throws UsageError saying what is wrong. Not run for --help.
struct Flag {
    std::string name;        // with the dashes: "--trace"
    std::string value_name;  // "FILE", "N", ... or "" for a switch
    Text help;
    std::optional<IntRange> range = std::nullopt;
    std::function<void(const std::string& value)> check = nullptr;
};

// A check for a flag that takes one of a few names: "--corpus must be general, tecnico or
// lecture, got 'x'".
std::function<void(const std::string&)> one_of(std::string flag, std::vector<std::string> names);

struct TutorialInfo {
    std::string name;  // "01_eliza": also the default output folder out/01_eliza/
    Text title;        // one line
    Text summary;      // a paragraph for --help
    std::vector<Flag> flags;
    bool runs_on_gpu = false;  // honours --device cuda; the others refuse it rather than ignore it
    // Common flags that change nothing in this tutorial: ELIZA has no randomness, is fast
    // already and writes no file, so it ignores {"--seed", "--quick", "--out"}. --help does
    // not offer them (nor --device on a CPU-only tutorial); it names them in one line as
    // accepted without effect. They are accepted rather than refused because one command line
    // must work for every tutorial (scripts/tour.sh passes `make tour TOUR_ARGS=...` to all
    // ten, and so does a class's shell loop); a value is still checked (--seed x is an error),
    // and a request the tutorial cannot honour (--device cuda on the CPU) is refused.
    std::vector<std::string> ignores = {};
};

struct Options {
    Lang lang = Lang::en;
    bool pause = false;    // wait for Enter between steps
    bool quick = false;    // small settings for tests and CI
    bool color = false;
    std::uint64_t seed = 42;
    std::string device = "cpu";  // --device cpu|cuda: checked at parse time (a clear error without a GPU)
    std::filesystem::path out;  // where pictures and CSVs go
    bool help = false;

    // The tutorial's own flags that were given: name → value ("" for a switch).
    std::map<std::string, std::string, std::less<>> extra;
    // The values of the integer flags (those with a range) that were given, already checked.
    std::map<std::string, long, std::less<>> numbers;

    bool has(std::string_view flag) const { return extra.count(flag) > 0; }
    std::string get(std::string_view flag, std::string fallback) const;
    // An integer flag's value (checked against its range while parsing), or `fallback` when
    // it was not given. Asking for a flag declared without a range is a std::logic_error.
    long get_int(std::string_view flag, long fallback) const;
};

// The environment the defaults come from (passed in so that tests can vary it).
struct Environment {
    std::string lang_vars;  // LC_ALL, else LC_MESSAGES, else LANG (first non-empty)
    bool no_color = false;  // NO_COLOR set and non-empty (https://no-color.org)
    bool dumb_terminal = false;
    bool stdin_tty = false;
    bool stdout_tty = false;
    static Environment from_process();
};

// Parse argv (argv[0] skipped) and check every value (ranges, Flag::check) unless --help
// was given. Throws UsageError naming the offending flag.
Options parse_options(const TutorialInfo& info, const std::vector<std::string>& args,
                      const Environment& env);

// The --help text, in the language of `lang`.
std::string help_text(const TutorialInfo& info, Lang lang);

// The live session a tutorial talks through.
class Tutorial {
public:
    Tutorial(const TutorialInfo& info, Options options, std::ostream& out, std::istream& in);

    const Options& options() const { return options_; }
    const Style& style() const { return style_; }
    std::ostream& out() { return out_; }
    Lang lang() const { return options_.lang; }
    const std::string& name() const { return info_.name; }  // "08_finetune"
    bool quick() const { return options_.quick; }

    // A narrated text in the session's language, with {} placeholders filled. A count of five
    // digits or more reads as the tables show it: 333448 → "333,448" (en), "333 448" (pt).
    template <class... Args>
    std::string tr(const Text& text, Args&&... args) const {
        if constexpr (sizeof...(Args) == 0) return std::string(text.in(options_.lang));
        else return fmt::format(fmt::runtime(text.in(options_.lang)), readable(std::forward<Args>(args))...);
    }
    // Print tr(...) word-wrapped, indented by two spaces, followed by a newline.
    template <class... Args>
    void say(const Text& text, Args&&... args) {
        print_wrapped(tr(text, std::forward<Args>(args)...));
    }
    void print_wrapped(const std::string& paragraph);

    // Begin the next step: pause (with --step) then print its numbered title and its body,
    // whose {} placeholders are filled from `body_args`.
    template <class... Args>
    void step(const Step& s, Args&&... body_args) {
        begin_step(s.title);
        print_wrapped(tr(s.body, std::forward<Args>(body_args)...));
        out_ << "\n";
    }
    // The path of an output file inside --out, creating the folder on first use.
    std::filesystem::path out_file(const std::string& filename);
    // Print "  → wrote PATH" for files written (relative paths as given).
    void wrote(const std::filesystem::path& path);

private:
    // Integers become text (grouped from 10,000 on: years and small counts stay as they are);
    // everything else passes through. Narration formats integers with a plain {} only. A
    // seed is a name, not a count: callers pass it as text (std::to_string), never grouped.
    template <class T>
    decltype(auto) readable(T&& value) const {
        using U = std::decay_t<T>;
        if constexpr (std::is_integral_v<U> && !std::is_same_v<U, bool> && !std::is_same_v<U, char>) {
            if constexpr (std::is_unsigned_v<U>)  // past int64 (a --seed can be): as it is, not as a negative
                if (value > static_cast<U>(INT64_MAX)) return std::to_string(value);
            auto n = static_cast<int64_t>(value);
            return n >= 10000 || n <= -10000 ? thousands(n, options_.lang) : std::to_string(n);
        } else {
            return std::forward<T>(value);
        }
    }
    void begin_step(const Text& title);
    void wait_for_enter();

    const TutorialInfo& info_;
    Options options_;
    Style style_;
    std::ostream& out_;
    std::istream& in_;
    int steps_shown_ = 0;
};

// Parse, print help or errors, run `body`, and return the process exit status.
int run(const TutorialInfo& info, int argc, char** argv,
        const std::function<void(Tutorial&)>& body);

}  // namespace aprender::tutorial
