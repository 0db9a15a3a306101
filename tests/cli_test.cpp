// The `aprender` command line, used as a student would: train → eval → sample → info,
// and every kind of bad input answered with a clear message and a non-zero exit.
#include "process.h"

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

using testing::run_process;
namespace fs = std::filesystem;

namespace {

std::string aprender() { return testing::build_dir() + "/aprender"; }

// A tiny corpus and a tiny model, trained once for all the tests below.
const std::string& trained_checkpoint() {
    static std::string path = [] {
        fs::path dir = fs::temp_directory_path() / "aprender-cli-test";
        fs::remove_all(dir);
        fs::create_directories(dir);
        std::ofstream(dir / "corpus.txt") << std::string(40, ' ') + [] {
            std::string s;
            for (int i = 0; i < 60; ++i) s += "a casa é azul. o gato é preto. ";
            return s;
        }();
        std::string ck = (dir / "model.safetensors").string();
        auto r = run_process(aprender() + " train --data " + (dir / "corpus.txt").string() + " --out " + ck +
                             " --block-size 16 --n-layer 1 --n-head 2 --n-embd 16 --batch 4 --steps 30 --warmup 5"
                             " --eval-interval 15 --eval-batches 2 --lr 3e-3 --init-out " + (dir / "init.safetensors").string());
        REQUIRE_MESSAGE(r.status == 0, r.output);
        return ck;
    }();
    return path;
}

}  // namespace

TEST_CASE("cli: train saves a checkpoint and its tokenizer; the loss falls") {
    const std::string& ck = trained_checkpoint();
    CHECK(fs::exists(ck));
    CHECK(fs::exists(fs::path(ck).parent_path() / "model.tokenizer" / "tokenizer.json"));
    CHECK(fs::exists(fs::path(ck).parent_path() / "init.safetensors"));
    auto info = run_process(aprender() + " info --checkpoint " + ck);
    CHECK(info.status == 0);
    CHECK(info.has("model gpt"));
    CHECK(info.has("trained_steps  30"));
    CHECK(info.has("tokenizer char with"));
}

TEST_CASE("cli: eval prints loss and perplexity; sample is deterministic for a seed") {
    const std::string& ck = trained_checkpoint();
    fs::path corpus = fs::path(ck).parent_path() / "corpus.txt";
    auto e = run_process(aprender() + " eval --checkpoint " + ck + " --data " + corpus.string());
    CHECK(e.status == 0);
    CHECK(e.has("loss "));
    CHECK(e.has("ppl "));
    auto init = run_process(aprender() + " eval --checkpoint " + (fs::path(ck).parent_path() / "init.safetensors").string() +
                            " --data " + corpus.string());
    double trained = std::stod(e.output.substr(e.output.find("loss ") + 5));
    double untrained = std::stod(init.output.substr(init.output.find("loss ") + 5));
    CHECK(trained < untrained);
    std::string cmd = aprender() + " sample --checkpoint " + ck + " --prompt 'a casa' --max-new-tokens 20 --seed 3";
    auto s1 = run_process(cmd), s2 = run_process(cmd);
    CHECK(s1.status == 0);
    CHECK(s1.output == s2.output);
    CHECK(s1.output.rfind("a casa", 0) == 0);
}

TEST_CASE("cli: bad input gets a clear message and a non-zero exit") {
    const std::string& ck = trained_checkpoint();
    auto unknown = run_process(aprender() + " train --nope");
    CHECK(unknown.status == 2);
    CHECK(unknown.has("unknown option '--nope'"));
    auto no_cmd = run_process(aprender() + " frobnicate");
    CHECK(no_cmd.status == 2);
    CHECK(no_cmd.has("unknown command 'frobnicate'"));
    auto bad_number = run_process(aprender() + " sample --checkpoint " + ck + " --top-k many");
    CHECK(bad_number.status == 2);
    CHECK(bad_number.has("--top-k expects an integer, got 'many'"));
    auto missing = run_process(aprender() + " eval --checkpoint /nonexistent.safetensors --data x");
    CHECK(missing.status == 1);
    CHECK(missing.has("checkpoint /nonexistent.safetensors does not exist"));
    auto oov = run_process(aprender() + " sample --checkpoint " + ck + " --prompt 'Ωmega'");
    CHECK(oov.status == 2);
    CHECK(oov.has("vocabulary does not contain: 'Ω'"));
    // an existing checkpoint is never replaced without --force
    auto again = run_process(aprender() + " train --data " + (fs::path(ck).parent_path() / "corpus.txt").string() +
                             " --out " + ck + " --steps 1");
    CHECK(again.status == 2);
    CHECK(again.has("exists; pass --force to replace it"));
    // a truncated checkpoint
    fs::path broken = fs::path(ck).parent_path() / "broken.safetensors";
    fs::copy_file(ck, broken, fs::copy_options::overwrite_existing);
    fs::resize_file(broken, fs::file_size(broken) / 2);
    auto trunc = run_process(aprender() + " info --checkpoint " + broken.string());
    CHECK(trunc.status == 1);
    CHECK(trunc.has(broken.string()));
    auto help = run_process(aprender() + " train --help");
    CHECK(help.status == 0);
    CHECK(help.has("usage: aprender train"));
}

TEST_CASE("cli: a fixed --seed trains the same model twice; a run shorter than --warmup works") {
    const std::string& ck = trained_checkpoint();
    fs::path dir = fs::path(ck).parent_path();
    std::string losses[2];
    for (int i = 0; i < 2; ++i) {
        std::string out = (dir / ("again" + std::to_string(i) + ".safetensors")).string();
        auto r = run_process(aprender() + " train --data " + (dir / "corpus.txt").string() + " --out " + out +
                             " --block-size 16 --n-layer 1 --n-head 2 --n-embd 16 --batch 4 --steps 3 --force --quiet");
        REQUIRE_MESSAGE(r.status == 0, r.output);  // --steps 3 with the default --warmup 100
        auto e = run_process(aprender() + " eval --checkpoint " + out + " --data " + (dir / "corpus.txt").string());
        REQUIRE(e.status == 0);
        losses[i] = e.output;
    }
    CHECK(losses[0] == losses[1]);
}
