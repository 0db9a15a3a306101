// Fuzz target: command lines, as a student types them.
//
// Input: the first byte picks the parser, the rest is argv, one argument per line (or per
// NUL byte):
//   even  `aprender train`'s flags (tools/cli.h Parser, with the shared training flags of
//         tools/train_loop.h read back by training_settings);
//   odd   a tutorial's flags (tutorials/common/runner.h parse_options): the common ones
//         plus a tutorial's own of each kind (a range, a choice, a switch, a value); bits
//         1-3 of that byte set the environment (locale pt, NO_COLOR, terminal).
//
// Checks, for any bytes: a bad command line is refused with a UsageError — the error both
// headers promise, which main() and tutorial::run() turn into a message and exit status 2 —
// and never with another exception (which would exit 1 as if the program had failed, or
// crash). What a successful parse returns is inside the ranges the flags declare, and
// --help's text can be made in both languages.
#include "tests/fuzz/fuzz.h"

#include "tools/cli.h"
#include "tools/train_loop.h"
#include "tutorials/common/runner.h"

#include <cmath>

using namespace aprender;
namespace tut = aprender::tutorial;

// Run f; a refusal must be the parser's UsageError (E), with a message.
template <class E, class F>
static bool expect_usage_error(F&& f) {
    try {
        f();
        return true;
    } catch (const E& e) {
        if (std::string(e.what()).empty()) fuzz::fail("a UsageError with an empty message");
    } catch (const std::exception& e) {
        fuzz::fail(std::string("a bad command line gave an exception that is not a UsageError (") + typeid(e).name() +
                   "): " + e.what());
    }
    return false;
}

static std::vector<std::string> split_args(const std::string& bytes) {
    std::vector<std::string> args;
    std::string arg;
    for (char c : bytes) {
        if (c == '\n' || c == '\0') args.push_back(std::move(arg)), arg.clear();
        else arg += c;
    }
    if (!arg.empty()) args.push_back(arg);
    return args;
}

static void fuzz_aprender(const std::vector<std::string>& args) {
    // argv as main() hands it to a subcommand: the subcommand's name first.
    std::vector<std::string> words = {"train"};
    words.insert(words.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& w : words) argv.push_back(w.data());

    cli::Parser p("aprender train", "fuzz");
    p.option("--data", "FILE", "training text");  // required
    p.option("--out", "PATH", "checkpoint");      // required
    p.option("--val", "FILE", "validation data", "");
    p.option("--model", "KIND", "gpt | encoder", "gpt");
    p.option("--block-size", "T", "context length", "64");
    p.option("--dropout", "P", "dropout probability", "0");
    p.option("--tokenizer", "T", "a folder", "\n");  // a default help must escape
    p.flag("--force", "replace existing output files");
    p.positional("EXTRA", "an optional argument", false);
    cli::add_training_flags(p);
    bool parsed = false;  // false also after --help, which parse() prints and returns false for
    if (!expect_usage_error<cli::UsageError>([&] { parsed = p.parse((int)argv.size(), argv.data()); })) return;
    if (p.help().empty()) fuzz::fail("empty --help");
    if (!parsed) return;
    // Every getter either gives a value or says what is wrong with the one given.
    for (const char* name : {"--data", "--out", "--val", "--model", "--tokenizer", "EXTRA"})
        expect_usage_error<cli::UsageError>([&] { p.str(name); });
    expect_usage_error<cli::UsageError>([&] { p.integer("--block-size"); });
    expect_usage_error<cli::UsageError>([&] { p.seed("--block-size"); });
    expect_usage_error<cli::UsageError>([&] { p.number("--dropout"); });
    expect_usage_error<cli::UsageError>([&] { p.applies_only(false, {"--force", "--val"}, "in this run"); });
    if (!p.has("--data") || !p.has("--out")) fuzz::fail("parse accepted a command line without a required option");

    cli::TrainSettings s;
    if (!expect_usage_error<cli::UsageError>([&] { s = cli::training_settings(p); })) return;
    if (s.steps < 1 || s.batch < 1 || s.warmup < 0 || s.warmup >= s.steps || s.eval_interval < 1 || s.eval_batches < 1)
        fuzz::fail("training_settings accepted a count outside its range");
    if (!(s.lr > 0 && std::isfinite(s.lr) && s.weight_decay >= 0 && std::isfinite(s.weight_decay) && s.grad_clip >= 0 &&
          std::isfinite(s.grad_clip)))
        fuzz::fail("training_settings accepted a number outside its range");
}

static void fuzz_tutorial(uint8_t env_bits, const std::vector<std::string>& args) {
    static const tut::TutorialInfo info{
        "99_fuzz",
        {"fuzz", "fuzz"},
        {"a tutorial with a flag of each kind", "um tutorial com uma flag de cada tipo"},
        {{"--steps", "N", {"steps", "passos"}, tut::IntRange{1, 100000}},
         {"--offset", "N", {"may be negative", "pode ser negativo"}, tut::IntRange{-5, 5}},
         {"--corpus", "NAME", {"corpus", "corpus"}, std::nullopt, tut::one_of("--corpus", {"general", "lecture"})},
         {"--trace", "", {"a switch", "uma chave"}},
         {"--say", "TEXT", {"any text", "qualquer texto"}}},
        /*runs_on_gpu=*/true,
        /*ignores=*/{"--quick"}};
    tut::Environment env;
    env.lang_vars = env_bits & 1 ? "pt_BR.UTF-8" : "C";
    env.no_color = env_bits & 2;
    env.stdin_tty = env.stdout_tty = env_bits & 4;

    tut::Options o;
    if (!expect_usage_error<tut::UsageError>([&] { o = tut::parse_options(info, args, env); })) return;
    if (o.help) {
        if (tut::help_text(info, o.lang).empty()) fuzz::fail("empty --help");
        return;
    }
    for (const auto& f : info.flags) {
        if (!f.range) continue;
        long v = 0;
        expect_usage_error<tut::UsageError>([&] { v = o.get_int(f.name, f.range->lo); });
        if (v < f.range->lo || v > f.range->hi) fuzz::fail("parse_options accepted " + f.name + " outside its range");
    }
    if (o.has("--corpus") && o.get("--corpus", "") != "general" && o.get("--corpus", "") != "lecture")
        fuzz::fail("parse_options accepted a --corpus that is not one of the choices");
    if (o.device != "cpu" && o.device.rfind("cuda", 0) != 0) fuzz::fail("parse_options accepted a device that is neither");
}

FUZZ_SEEDS(const std::string& dir) {
    auto seed = [&](const std::string& name, char which, const std::vector<std::string>& args) {
        std::string bytes(1, which);
        for (const auto& a : args) bytes += a + "\n";
        fuzz::write_seed(dir, name, bytes);
    };
    seed("train", 0, {"--data", "a.txt", "--out=m.safetensors", "--steps", "20", "--warmup", "2", "--lr", "3e-4",
                      "--sampler", "sequential", "--seed", "7", "--quiet", "extra"});
    seed("train-bad", 0, {"--data", "--out", "--steps", "-1", "--schedule=linear", "--nope"});
    seed("tutorial", 1, {"--lang", "pt", "--steps", "300", "--offset=-5", "--corpus", "lecture", "--trace", "--say",
                         "oi", "--seed=18446744073709551615", "--no-pause", "--color", "--quick"});
    seed("tutorial-help", 3, {"-h", "--device", "cpu", "--out", "out/x"});
    seed("tutorial-bad", 5, {"--steps", "0", "--corpus", "x", "--say", "--trace", "--device", "cuda:9", "stray"});
}

FUZZ_TARGET(const std::string& bytes) {
    if (bytes.empty()) return;
    std::vector<std::string> args = split_args(bytes.substr(1));
    if (bytes[0] % 2 == 0) fuzz_aprender(args);
    else fuzz_tutorial(static_cast<uint8_t>(bytes[0]) >> 1, args);
}
