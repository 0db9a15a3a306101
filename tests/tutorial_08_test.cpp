// 08_finetune run as a student would (--quick --no-pause, a quick base trained on the spot):
// every parameter is trainable and (nearly) every number moves, one full model per domain on
// disk, perplexities before/after, the curves written.
#include "process.h"

#include <doctest/doctest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <utility>
#include <regex>
#include <string>

#include "tests/process.h"
#include "tutorials/common/checkpoint.h"
#include "tutorials/common/lm_eval.h"
#include "tutorials/common/term.h"

TEST_CASE("tutorial: 08_finetune fine-tunes everything and measures forgetting" * doctest::skip(!testing::corpora_present())) {
    std::filesystem::remove_all("/tmp/aprender-test-08");
    auto r = testing::run_process(testing::build_dir() +
                                  "/tutorials/08_finetune --quick --base quick --no-pause --no-color --lang en --out /tmp/aprender-test-08");
    REQUIRE(r.status == 0);
    CHECK(r.has("reaches all 119,296 parameters"));
    CHECK(aprender::tutorial::first_line_wider_than(r.output) == "");  // in 88 columns (tutorial_test.cpp)
    CHECK(r.has("/ 119,296 ("));
    CHECK(r.has("37 / 37"));  // every tensor of the 2-layer GPT changed
    CHECK(r.has("fine-tuned on técnico"));  // the domain's name; its files keep the corpus name
    CHECK(r.has("fine-tuned on financeiro"));
    CHECK(r.has("357,888"));  // 3 domains × 119,296 parameters
    auto model = std::filesystem::file_size("/tmp/aprender-test-08/finetuned_tecnico.safetensors");
    CHECK(model > 119296 * 4);  // the whole model, float32
    for (const char* f : {"loss_tecnico.svg", "loss_tecnico.csv", "loss_financeiro.svg", "overfit.svg", "overfit.csv",
                          "forgetting.csv", "storage.csv"})
        CHECK(std::filesystem::exists(std::string("/tmp/aprender-test-08/") + f));
    auto csv = [](const char* f) { return testing::read_file(std::string("/tmp/aprender-test-08/") + f); };
    const std::string en_storage = csv("storage.csv"), en_forgetting = csv("forgetting.csv");
    CHECK(en_storage.find(",357888,") != std::string::npos);  // plain numbers, whatever the screen shows
    auto pt = testing::run_process(testing::build_dir() +
                                   "/tutorials/08_finetune --quick --base /tmp/aprender-test-08/quick_base.safetensors "
                                   "--no-pause --no-color --lang pt --out /tmp/aprender-test-08");
    CHECK(pt.status == 0);
    CHECK(pt.has("Esquecimento catastrófico"));
    CHECK(aprender::tutorial::first_line_wider_than(pt.output) == "");  // in 88 columns (tutorial_test.cpp)
    CHECK_FALSE(pt.has("Nota:"));  // the same settings: its own models replaced without a question
    CHECK(pt.has("Modelo base: /tmp/aprender-test-08/quick_base.safetensors"));
    CHECK(pt.has("119\u00A0296 parâmetros"));  // a space groups in Portuguese (a comma is its decimal mark)
    CHECK(pt.has("feito por 08_finetune --base quick"));  // the quick base's maker, as a command
    // One name per domain in the whole run: geral, técnico (never the corpus name "general").
    CHECK(pt.has("ajustado em técnico"));
    CHECK(pt.has("ppl técnico  ppl financeiro  ppl geral"));
    CHECK_FALSE(pt.has("general"));
    CHECK_FALSE(pt.has("tecnico:"));
    CHECK_FALSE(pt.has("cross-entropy"));
    // The same numbers in both languages' CSVs (the quick base and the seed are the same).
    CHECK(testing::csv_number_mismatch(en_storage, csv("storage.csv")) == "");
    CHECK(testing::csv_number_mismatch(en_forgetting, csv("forgetting.csv")) == "");
    auto bad = testing::run_process(testing::build_dir() + "/tutorials/08_finetune --no-pause --small 5");
    CHECK(bad.status == 2);
}

TEST_CASE("tutorial: 08 and 10 refuse a wrong base or Encoder file before any work, and read the CLI's checkpoints") {
    const std::string dir = "/tmp/aprender-test-base";
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    {
        std::string text;
        for (int i = 0; i < 200; ++i) text += "O sistema de arquivos guarda os dados em blocos; a memória é rápida.\n";
        std::FILE* f = std::fopen((dir + "/text.txt").c_str(), "w");
        REQUIRE(f);
        std::fputs(text.c_str(), f);
        std::fclose(f);
    }
    const std::string cli = testing::build_dir() + "/aprender train --data " + dir + "/text.txt --block-size 16 "
                            "--n-layer 1 --n-head 2 --n-embd 16 --batch 4 --steps 3 ";
    REQUIRE(testing::run_process(cli + "--out " + dir + "/gpt.safetensors").status == 0);
    REQUIRE(testing::run_process(cli + "--model encoder --out " + dir + "/enc.safetensors").status == 0);
    auto tutorial = [&](const std::string& args) {
        return testing::run_process(testing::build_dir() + "/tutorials/" + args + " --quick --no-pause --no-color "
                                    "--lang en --out " + dir + "/out");
    };
    auto refused = [&](const std::string& args, const std::string& message) {
        auto r = tutorial(args);
        INFO(args, "\n", r.output);
        CHECK(r.status == 2);
        CHECK(r.has(message));
        CHECK_FALSE(r.has("━━"));  // not one section before the refusal
    };
    refused("08_finetune --base nope", "08_finetune: error: --base: no such base model file 'nope'");
    refused("10_lora --base nope", "10_lora: error: --base: no such base model file 'nope'");
    refused("08_finetune --base " + dir, "is a folder; give the checkpoint file inside it");
    refused("08_finetune --base " + dir + "/text.txt", "is not a safetensors file");
    refused("08_finetune --base " + dir + "/enc.safetensors",
            "enc.safetensors is an Encoder checkpoint (a BERT-like model, like 06_bert's encoder.safetensors); "
            "08_finetune and 10_lora fine-tune a GPT base, such as 07's out/07_gpt/base.safetensors");
    refused("10_lora --only-classification --encoder " + dir + "/gpt.safetensors",
            "gpt.safetensors is a GPT checkpoint (a language model, like 07_gpt's base.safetensors); 10_lora's "
            "classification table fine-tunes a pre-trained Encoder, such as 06's out/06_bert/encoder.safetensors");
    refused("10_lora --encoder " + dir + "/enc.safetensors",  // the CLI's Encoder reads characters
            "enc.safetensors has a char tokenizer (" + dir + "/enc.tokenizer); 10_lora's classification table "
            "fine-tunes a pre-trained Encoder with a wordpiece tokenizer");
    CHECK_FALSE(std::filesystem::exists(dir + "/out"));

    // A base found without --base (out/07_gpt/base.safetensors under the current folder) is
    // refused as a named one is, before any section: cut short, or an Encoder.
    const std::string programs = std::filesystem::absolute(testing::build_dir()).string() + "/tutorials/";
    std::filesystem::create_directories(dir + "/cwd/out/07_gpt");
    const std::string gpt = testing::read_file(dir + "/gpt.safetensors");
    const std::pair<std::string, std::string> broken[] = {
        {gpt.substr(0, gpt.size() / 2), "(is the file truncated?)"},
        {testing::read_file(dir + "/enc.safetensors"), "out/07_gpt/base.safetensors is an Encoder checkpoint"}};
    for (const auto& [bytes, why] : broken) {
        std::ofstream(dir + "/cwd/out/07_gpt/base.safetensors", std::ios::binary) << bytes;
        for (const char* program : {"08_finetune", "10_lora"}) {
            auto r = testing::run_process("cd " + dir + "/cwd && " + programs + program +
                                          " --quick --no-pause --no-color --lang en --out found");
            INFO(program, "\n", r.output);
            CHECK(r.status == 2);
            CHECK(r.has("out/07_gpt/base.safetensors, the base model found without --base, cannot be used: "));
            CHECK(r.has(why));
            CHECK(r.has("or train a quick one with --base quick"));
            CHECK_FALSE(r.has("━━"));
            CHECK_FALSE(std::filesystem::exists(dir + "/cwd/found"));
        }
    }

    // The CLI keeps its tokenizer in the folder its metadata names (gpt.tokenizer/): 08 reads it there.
    auto base = aprender::tutorial::load_base_model(dir + "/gpt.safetensors");
    CHECK(base.model->config.vocab_size == base.tokenizer->vocab_size());
    auto ok = tutorial("08_finetune --base " + dir + "/gpt.safetensors --steps 1");
    INFO(ok.output);
    CHECK(ok.status == 0);
    CHECK(ok.has("Base model: " + dir + "/gpt.safetensors (GPT: 1 layers × width 16"));
    CHECK(ok.has("4,400 parameters; made by aprender train"));
    // Other settings keep the fine-tuned models of the first run, and save theirs beside them.
    const std::string first = testing::read_file(dir + "/out/finetuned_tecnico.safetensors");
    REQUIRE_FALSE(first.empty());
    auto other = tutorial("08_finetune --base " + dir + "/gpt.safetensors --steps 2");
    CHECK(other.status == 0);
    CHECK(std::regex_replace(other.output, std::regex("\n  "), " ")
              .find("was made by 08_finetune --quick, 1 steps, seed 42, not with this run's settings") != std::string::npos);
    CHECK(testing::read_file(dir + "/out/finetuned_tecnico.safetensors") == first);
    CHECK(std::filesystem::exists(dir + "/out/quick-2steps-seed42/finetuned_tecnico.safetensors"));
    CHECK(std::filesystem::exists(dir + "/out/quick-2steps-seed42/finetuned_financeiro.safetensors"));
    // ... and a checkpoint whose tokenizer folder went missing is refused in words.
    std::filesystem::rename(dir + "/gpt.tokenizer", dir + "/moved.tokenizer");
    refused("10_lora --base " + dir + "/gpt.safetensors",
            "gpt.safetensors: its tokenizer folder " + dir + "/gpt.tokenizer is missing");
    std::filesystem::remove_all(dir);
}

TEST_CASE("tutorial: a checkpoint's tokenizer folder must lie beside its weights") {
    using aprender::tutorial::checkpoint_tokenizer_dir;
    const std::filesystem::path w = "/tmp/models/base.safetensors";
    CHECK(checkpoint_tokenizer_dir(w, {}) == "/tmp/models/tokenizer");
    CHECK(checkpoint_tokenizer_dir(w, {{"tokenizer", "base.tokenizer"}}) == "/tmp/models/base.tokenizer");
    for (const std::string elsewhere : {"../secret", "/etc", ".."})
        CHECK_THROWS_WITH(checkpoint_tokenizer_dir(w, {{"tokenizer", elsewhere}}),
                          ("/tmp/models/base.safetensors: its metadata names the tokenizer folder '" + elsewhere +
                           "', which is not a folder name beside the weights").c_str());
}
