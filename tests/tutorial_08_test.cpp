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
    CHECK(r.has("fine-tuned on tecnico"));
    CHECK(r.has("fine-tuned on financeiro"));
    CHECK(r.has("357,888"));  // 3 domains × 119,296 parameters
    auto model = std::filesystem::file_size("/tmp/aprender-test-08/finetuned_tecnico.safetensors");
    CHECK(model > 119296 * 4);  // the whole model, float32
    for (const char* f : {"loss_tecnico.svg", "loss_tecnico.csv", "loss_financeiro.svg", "overfit.svg", "overfit.csv",
                          "forgetting.csv", "storage.csv"})
        CHECK(std::filesystem::exists(std::string("/tmp/aprender-test-08/") + f));
    auto pt = testing::run_process(testing::build_dir() +
                                   "/tutorials/08_finetune --quick --base /tmp/aprender-test-08/quick_base.safetensors "
                                   "--no-pause --no-color --lang pt --out /tmp/aprender-test-08");
    CHECK(pt.status == 0);
    CHECK(pt.has("Esquecimento catastrófico"));
    CHECK(pt.has("Modelo base: /tmp/aprender-test-08/quick_base.safetensors"));
    CHECK(pt.has("119\u00A0296 parâmetros"));  // a space groups in Portuguese (a comma is its decimal mark)
    auto bad = testing::run_process(testing::build_dir() + "/tutorials/08_finetune --no-pause --small 5");
    CHECK(bad.status == 2);
}
