// 08_finetune run as a student would (--quick --no-pause, a quick base trained on the spot):
// every parameter is trainable and (nearly) every number moves, one full model per domain on
// disk, perplexities before/after, the curves written.
#include "process.h"

#include <doctest/doctest.h>

#include <filesystem>
#include <string>

#include "tests/process.h"

TEST_CASE("tutorial: 08_finetune fine-tunes everything and measures forgetting" * doctest::skip(!testing::corpora_present())) {
    std::filesystem::remove_all("/tmp/aprender-test-08");
    auto r = testing::run_process(testing::build_dir() +
                                  "/tutorials/08_finetune --quick --base quick --no-pause --no-color --lang en --out /tmp/aprender-test-08");
    REQUIRE(r.status == 0);
    CHECK(r.has("reaches all 119,296 parameters"));
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
