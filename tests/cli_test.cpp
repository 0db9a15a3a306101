// The `aprender` command line, used as a student would: train → eval → sample → info,
// and every kind of bad input answered with a clear message and a non-zero exit.
#include "nn/safetensors.h"
#include "process.h"

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <utility>
#include <vector>

using testing::run_process;
namespace nn = ::aprender::nn;
namespace fs = std::filesystem;

namespace {

std::string aprender_bin() { return testing::build_dir() + "/aprender"; }

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
        auto r = run_process(aprender_bin() + " train --data " + (dir / "corpus.txt").string() + " --out " + ck +
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
    auto info = run_process(aprender_bin() + " info --checkpoint " + ck);
    CHECK(info.status == 0);
    CHECK(info.has("model gpt"));
    CHECK(info.has("trained_steps  30"));
    CHECK(info.has("tokenizer char with"));
}

TEST_CASE("cli: eval prints loss and perplexity; sample is deterministic for a seed") {
    const std::string& ck = trained_checkpoint();
    fs::path corpus = fs::path(ck).parent_path() / "corpus.txt";
    auto e = run_process(aprender_bin() + " eval --checkpoint " + ck + " --data " + corpus.string());
    CHECK(e.status == 0);
    CHECK(e.has("loss "));
    CHECK(e.has("ppl "));
    auto init = run_process(aprender_bin() + " eval --checkpoint " + (fs::path(ck).parent_path() / "init.safetensors").string() +
                            " --data " + corpus.string());
    double trained = std::stod(e.output.substr(e.output.find("loss ") + 5));
    double untrained = std::stod(init.output.substr(init.output.find("loss ") + 5));
    CHECK(trained < untrained);
    std::string cmd = aprender_bin() + " sample --checkpoint " + ck + " --prompt 'a casa' --max-new-tokens 20 --seed 3";
    auto s1 = run_process(cmd), s2 = run_process(cmd);
    CHECK(s1.status == 0);
    CHECK(s1.output == s2.output);
    CHECK(s1.output.rfind("a casa", 0) == 0);
}

TEST_CASE("cli: bad input gets a clear message and a non-zero exit") {
    const std::string& ck = trained_checkpoint();
    auto unknown = run_process(aprender_bin() + " train --nope");
    CHECK(unknown.status == 2);
    CHECK(unknown.has("unknown option '--nope'"));
    auto no_cmd = run_process(aprender_bin() + " frobnicate");
    CHECK(no_cmd.status == 2);
    CHECK(no_cmd.has("unknown command 'frobnicate'"));
    auto bad_number = run_process(aprender_bin() + " sample --checkpoint " + ck + " --top-k many");
    CHECK(bad_number.status == 2);
    CHECK(bad_number.has("--top-k expects an integer, got 'many'"));
    // an integer past int64 is named as such (it was 'expects an integer', which it is)
    auto huge = run_process(aprender_bin() + " sample --checkpoint " + ck + " --top-k 99999999999999999999");
    CHECK(huge.status == 2);
    CHECK(huge.has("--top-k expects an integer from -2^63 to 2^63 - 1, got '99999999999999999999'"));
    auto tiny = run_process(aprender_bin() + " sample --checkpoint " + ck + " --top-p 1e-999");
    CHECK(tiny.status == 2);
    CHECK(tiny.has("--top-p expects a number a double can hold, got '1e-999'"));
    auto missing = run_process(aprender_bin() + " eval --checkpoint /nonexistent.safetensors --data x");
    CHECK(missing.status == 1);
    CHECK(missing.has("checkpoint /nonexistent.safetensors does not exist"));
    auto oov = run_process(aprender_bin() + " sample --checkpoint " + ck + " --prompt 'Ωmega'");
    CHECK(oov.status == 2);
    CHECK(oov.has("the prompt has characters the vocabulary (char tokenizer,"));
    CHECK(oov.has("would all read as <unk>: 'Ω'"));
    // an existing checkpoint is never replaced without --force
    auto again = run_process(aprender_bin() + " train --data " + (fs::path(ck).parent_path() / "corpus.txt").string() +
                             " --out " + ck + " --steps 1");
    CHECK(again.status == 2);
    CHECK(again.has("exists; pass --force to replace it"));
    // a name the system refuses (over 255 bytes) is named with the system's reason
    std::string long_name = (fs::path(ck).parent_path() / std::string(300, 'a')).string();
    auto too_long = run_process(aprender_bin() + " train --data " + (fs::path(ck).parent_path() / "corpus.txt").string() +
                                " --out " + long_name + " --steps 1");
    CHECK(too_long.status == 1);
    CHECK(too_long.has("error: '" + long_name + "': File name too long"));
    // a truncated checkpoint
    fs::path broken = fs::path(ck).parent_path() / "broken.safetensors";
    fs::copy_file(ck, broken, fs::copy_options::overwrite_existing);
    fs::resize_file(broken, fs::file_size(broken) / 2);
    auto trunc = run_process(aprender_bin() + " info --checkpoint " + broken.string());
    CHECK(trunc.status == 1);
    CHECK(trunc.has(broken.string()));
    // a tokenizer folder named in the metadata must lie beside the checkpoint
    for (std::string elsewhere : {"../elsewhere", "/etc"}) {
        nn::Checkpoint c = nn::load_safetensors(ck);
        c.metadata["tokenizer"] = elsewhere;
        fs::path moved = fs::path(ck).parent_path() / "elsewhere.safetensors";
        nn::save_safetensors(moved.string(), c.tensors, c.metadata);
        auto away = run_process(aprender_bin() + " info --checkpoint " + moved.string());
        CHECK(away.status == 1);
        CHECK(away.has("its metadata names the tokenizer folder '" + elsewhere +
                       "', which is not a folder name beside the checkpoint"));
    }
    auto help = run_process(aprender_bin() + " train --help");
    CHECK(help.status == 0);
    CHECK(help.has("usage: aprender train"));
    // an empty default (the prompt, an optional adapter) is left unsaid, not shown as "(default: )"
    CHECK_FALSE(run_process(aprender_bin() + " sample --help").has("(default: )"));
    CHECK_FALSE(run_process(aprender_bin() + " eval --help").has("(default: )"));
}

TEST_CASE("cli: outputs are checked before training, and nothing saved is replaced without --force") {
    const std::string& ck = trained_checkpoint();
    fs::path dir = fs::path(ck).parent_path(), corpus = dir / "corpus.txt";
    std::string train = aprender_bin() + " train --data " + corpus.string() +
                        " --block-size 16 --n-layer 1 --n-head 2 --n-embd 16 --batch 4 --steps 2 --quiet";
    // --init-out and --out the same file: refused at once (it used to fail after training)
    fs::path same = dir / "same.safetensors";
    auto twice = run_process(train + " --out " + same.string() + " --init-out " + same.string());
    CHECK(twice.status == 2);
    CHECK(twice.has("--out and --init-out both write"));
    CHECK_FALSE(fs::exists(same));
    // a folder is not a checkpoint name, even with --force
    fs::create_directories(dir / "a_folder");
    auto folder = run_process(train + " --force --out " + (dir / "a_folder").string());
    CHECK(folder.status == 2);
    CHECK(folder.has("is a folder; a checkpoint needs a file name"));
    // model.st would write its tokenizer into model.tokenizer/, which model.safetensors uses
    std::string tok_json = (dir / "model.tokenizer" / "tokenizer.json").string();
    std::string before = testing::read_file(tok_json);
    auto shared = run_process(train + " --out " + (dir / "model.st").string());
    CHECK(shared.status == 2);
    CHECK(shared.has("model.tokenizer exists"));
    CHECK(testing::read_file(tok_json) == before);
    // a --log file is the user's too
    fs::path log = dir / "keep.csv";
    std::ofstream(log) << "precious\n";
    auto logged = run_process(train + " --out " + (dir / "logged.safetensors").string() + " --log " + log.string());
    CHECK(logged.status == 2);
    CHECK(logged.has("keep.csv exists; pass --force"));
    CHECK(testing::read_file(log.string()) == "precious\n");
}

TEST_CASE("cli: NaN, negative and out-of-range settings are refused naming the flag") {
    const std::string& ck = trained_checkpoint();
    fs::path dir = fs::path(ck).parent_path(), corpus = dir / "corpus.txt";
    std::string train = aprender_bin() + " train --data " + corpus.string() + " --out " + (dir / "never.safetensors").string() +
                        " --block-size 16 --n-layer 1 --n-head 2 --n-embd 16 --batch 4 --steps 2 --quiet";
    // each command + flags must exit 2 with the message (and the command's name)
    auto refused = [](const std::string& command, const std::string& program,
                      const std::vector<std::pair<std::string, std::string>>& cases) {
        for (const auto& c : cases) {
            const std::string &flags = c.first, &message = c.second;  // INFO's lambda captures them
            auto r = run_process(command + " " + flags);
            INFO(flags, " → ", r.output);
            CHECK(r.status == 2);
            CHECK(r.has(message));
            CHECK(r.has(program + ": "));
        }
    };
    refused(train, "aprender train",
            {{"--lr nan", "--lr must be a positive number"},
             {"--min-lr 1", "--min-lr must be between 0 and --lr"},
             {"--weight-decay -5", "--weight-decay must be a finite number ≥ 0, got -5"},
             {"--weight-decay inf", "--weight-decay must be a finite number ≥ 0, got inf"},
             {"--grad-clip nan", "--grad-clip must be a finite number ≥ 0 (0 = off), got nan"},
             {"--dropout nan", "dropout must be in [0, 1), got nan"},
             {"--block-size 9223372036854775807", "beyond any machine"},
             {"--n-layer 100000000", "more than this machine's"}});
    CHECK_FALSE(fs::exists(dir / "never.safetensors"));
    std::string sample = aprender_bin() + " sample --checkpoint " + ck;
    refused(sample, "aprender sample",
            {{"--temperature nan", "--temperature must be a finite number ≥ 0, got nan"},
             {"--temperature inf", "--temperature must be a finite number ≥ 0, got inf"},
             {"--top-p nan", "--top-p must be in (0, 1]"},
             {"--max-new-tokens 9223372036854775807", "--max-new-tokens must be between 0 and"},
             {"--seed -1", "--seed must be a whole number ≥ 0, got -1"}});  // once read as 2^64 - 1
    // without --prompt a text starts from a newline or, as in this corpus without one, a space
    auto start = run_process(sample + " --max-new-tokens 5");
    CHECK(start.status == 0);
}

TEST_CASE("cli: a validation token file is checked against the vocabulary before training") {
    const std::string& ck = trained_checkpoint();
    fs::path dir = fs::path(ck).parent_path();
    auto write_ids = [](const fs::path& path, const std::vector<uint16_t>& ids) {
        std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(ids.data()), ids.size() * 2);
    };
    std::vector<uint16_t> good(200);
    for (size_t i = 0; i < good.size(); ++i) good[i] = i % 10;
    write_ids(dir / "good.bin", good);
    write_ids(dir / "bad_val.bin", {1, 2, 60000, 3});
    auto r = run_process(aprender_bin() + " train --data " + (dir / "good.bin").string() + " --vocab-size 10 --val " +
                         (dir / "bad_val.bin").string() + " --out " + (dir / "tok.safetensors").string() +
                         " --block-size 8 --n-layer 1 --n-head 2 --n-embd 16 --batch 2 --steps 2 --quiet");
    CHECK(r.status == 1);
    CHECK(r.has("bad_val.bin holds token id 60000 (position 2), outside the vocabulary of 10"));
    CHECK_FALSE(r.has("step"));  // refused before step 1
}

TEST_CASE("cli: a fixed --seed trains the same model twice; a short run gets a short warm-up") {
    const std::string& ck = trained_checkpoint();
    fs::path dir = fs::path(ck).parent_path();
    std::string losses[2];
    for (int i = 0; i < 2; ++i) {
        std::string out = (dir / ("again" + std::to_string(i) + ".safetensors")).string();
        auto r = run_process(aprender_bin() + " train --data " + (dir / "corpus.txt").string() + " --out " + out +
                             " --block-size 16 --n-layer 1 --n-head 2 --n-embd 16 --batch 4 --steps 3 --force --quiet");
        REQUIRE_MESSAGE(r.status == 0, r.output);  // --steps 3: the default --warmup is a tenth of it, 0
        auto e = run_process(aprender_bin() + " eval --checkpoint " + out + " --data " + (dir / "corpus.txt").string());
        REQUIRE(e.status == 0);
        losses[i] = e.output;
    }
    CHECK(losses[0] == losses[1]);
}

TEST_CASE("cli: an output never replaces an input, another output or a device, --force or not") {
    const std::string& ck = trained_checkpoint();
    fs::path dir = fs::path(ck).parent_path(), corpus = dir / "corpus.txt";
    std::string corpus_text = testing::read_file(corpus.string());
    std::string train = aprender_bin() + " train --data " + corpus.string() +
                        " --block-size 16 --n-layer 1 --n-head 2 --n-embd 16 --batch 4 --steps 2 --quiet --force";
    auto over_data = run_process(train + " --out " + corpus.string());
    CHECK(over_data.status == 2);
    CHECK(over_data.has("--out would write " + corpus.string() + ", which --data reads"));
    auto log_over_data = run_process(train + " --out " + (dir / "x.safetensors").string() + " --log " +
                                     (dir / "." / "corpus.txt").string());  // another spelling of the same file
    CHECK(log_over_data.status == 2);
    CHECK(log_over_data.has("which --data reads"));
    CHECK(testing::read_file(corpus.string()) == corpus_text);
    auto log_over_out = run_process(train + " --out " + (dir / "y.safetensors").string() + " --log " +
                                    (dir / "y.safetensors").string());
    CHECK(log_over_out.status == 2);
    CHECK(log_over_out.has("--out and --log both write"));
    // saves rename a new file over the old one: over a pipe (or /dev/null) that would replace it
    fs::path fifo = dir / "a_pipe";
    fs::remove(fifo);
    REQUIRE(run_process("mkfifo " + fifo.string()).status == 0);
    auto over_fifo = run_process(train + " --out " + fifo.string());
    CHECK(over_fifo.status == 2);
    CHECK(over_fifo.has("is not a regular file"));
    CHECK(fs::is_fifo(fifo));
    // an option followed by another option lost its value: not a file named --quiet
    auto lost = run_process(aprender_bin() + " train --data " + corpus.string() + " --out --quiet --steps 2");
    CHECK(lost.status == 2);
    CHECK(lost.has("--out needs a value (PATH) but is followed by the option --quiet"));
    CHECK_FALSE(fs::exists("--quiet"));
    auto empty = run_process(aprender_bin() + " train --data " + corpus.string() + " --out '' --steps 2");
    CHECK(empty.status == 2);
    CHECK(empty.has("--out is empty; it needs a value (PATH)"));
    // options that mean nothing in this run, and seeds below zero
    auto vocab = run_process(train + " --out " + (dir / "z.safetensors").string() + " --vocab-size 5");
    CHECK(vocab.status == 2);
    CHECK(vocab.has("--vocab-size applies only to a token file"));
    auto seed = run_process(train + " --out " + (dir / "z.safetensors").string() + " --seed -1");
    CHECK(seed.status == 2);
    CHECK(seed.has("--seed must be a whole number ≥ 0, got -1"));
    auto warmup = run_process(train + " --out " + (dir / "z.safetensors").string() + " --warmup 5");
    CHECK(warmup.status == 2);
    CHECK(warmup.has("--warmup must be ≥ 0 and less than --steps (2), got 5"));
    CHECK_FALSE(fs::exists(dir / "z.safetensors"));
}

TEST_CASE("cli: a validation text with characters the training text lacks is refused, naming them") {
    const std::string& ck = trained_checkpoint();
    fs::path dir = fs::path(ck).parent_path();
    std::ofstream(dir / "val_omega.txt") << "a casa é azul. Ωmega. o gato é preto. a casa é azul. o gato é preto.";
    auto r = run_process(aprender_bin() + " train --data " + (dir / "corpus.txt").string() + " --val " +
                         (dir / "val_omega.txt").string() + " --out " + (dir / "v.safetensors").string() +
                         " --block-size 16 --n-layer 1 --n-head 2 --n-embd 16 --batch 2 --steps 2 --quiet");
    CHECK(r.status == 2);
    CHECK(r.has("val_omega.txt has characters the vocabulary (char tokenizer"));
    CHECK(r.has("'Ω'"));
    CHECK_FALSE(fs::exists(dir / "v.safetensors"));
}

TEST_CASE("cli: Ctrl-C stops training after the current step and saves the model trained so far") {
    const std::string& ck = trained_checkpoint();
    fs::path dir = fs::path(ck).parent_path(), out = dir / "interrupted.safetensors";
    fs::remove(out);
    // In the background, then SIGINT as a terminal's Ctrl-C sends it; the shell reports the exit code.
    // SIGINT is sent once step 1 is reported, so the run is surely training (not still loading).
    std::string log = (dir / "interrupted.log").string();
    std::string train = aprender_bin() + " train --data " + (dir / "corpus.txt").string() + " --out " + out.string() +
                        " --block-size 16 --n-layer 1 --n-head 2 --n-embd 16 --batch 4 --steps 100000000"
                        " --eval-interval 1000000 2>" + log;
    auto r = run_process(train + " & pid=$!; for i in $(seq 600); do grep -q 'step 1/' " + log +
                         " && break; sleep 0.1; done; kill -INT $pid; wait $pid; echo \"exit=$?\"; cat " + log);
    INFO(r.output);
    CHECK(r.has("exit=130"));
    CHECK(r.has("stopped by Ctrl-C: " + out.string() + " holds the model after "));
    REQUIRE(fs::exists(out));
    auto info = run_process(aprender_bin() + " info --checkpoint " + out.string());
    CHECK(info.status == 0);
}
