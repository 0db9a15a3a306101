// 06_bert in --quick mode: a WordPiece that keeps accents, masking rates within ±1% of BERT's
// recipe, "capital" among the top-5 fillers of "Roma é a [MASK] da Itália.", and a too-long
// input refused.
#include "process.h"

#include <doctest/doctest.h>

#include <cstdio>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <string>

#include <sys/wait.h>

#include <fmt/format.h>

#include "tutorials/06_bert/narration.h"
#include "tutorials/common/term.h"

namespace {
std::string run06(const std::string& args, int& status) {
    testing::ProcessResult r = testing::run_process(testing::build_dir() + "/tutorials/06_bert " + args);
    status = r.status;
    return r.output;
}
// The percentage printed after `label` in the masking table.
double rate(const std::string& out, const std::string& label) {
    auto at = out.find(label);
    REQUIRE(at != std::string::npos);
    auto pct = out.find('%', out.find('%', at) + 1);  // skip the recipe column
    auto start = out.rfind(' ', pct) + 1;
    return std::stod(out.substr(start, pct - start));
}
}  // namespace

TEST_CASE("tutorial: 06_bert --quick masks like BERT and finds the capital") {
    int status = -1;
    auto out = run06("--quick --no-pause --no-color --lang en --out /tmp/aprender-test-06", status);
    CHECK(status == 0);
    CHECK(aprender::tutorial::first_line_wider_than(out) == "");  // in 88 columns (tutorial_test.cpp)
    // Its WordPiece keeps accents: "é" (is) is not turned into "e" (and).
    CHECK(out.find(" é a capital da ") != std::string::npos);
    CHECK(out.find("keeps its accents") != std::string::npos);
    // the example sentence is one that masking changed, shown without its padding
    auto ex = out.find("before and after masking:\n");
    REQUIRE(ex != std::string::npos);
    auto l1 = out.find('\n', ex) + 1, l2 = out.find('\n', l1) + 1, l3 = out.find('\n', l2);
    std::string before = out.substr(l1, l2 - l1 - 1), after = out.substr(l2, l3 - l2);
    CHECK(before != after);
    CHECK(before.find("[PAD]") == std::string::npos);
    CHECK(before.size() > 10);
    CHECK(std::abs(rate(out, "selected / selectable tokens") - 15.0) <= 1.0);
    CHECK(std::abs(rate(out, "→ [MASK] / selected") - 80.0) <= 1.0);
    CHECK(std::abs(rate(out, "→ random / selected") - 10.0) <= 1.0);
    CHECK(std::abs(rate(out, "→ unchanged / selected") - 10.0) <= 1.0);
    auto at = out.find("rank of \"capital\": ");
    REQUIRE(at != std::string::npos);
    char r = out[at + std::string("rank of \"capital\": ").size()];
    CHECK(r >= '1');
    CHECK(r <= '5');
    CHECK(out.find("0 sentences contain both") != std::string::npos);
    CHECK(out.find("is longer than its 32 positions") != std::string::npos);
    // Saved as the pre-trained base of 10_lora's classification table, and reloaded identically.
    CHECK(std::filesystem::exists("/tmp/aprender-test-06/encoder.safetensors"));
    CHECK(std::filesystem::exists("/tmp/aprender-test-06/tokenizer/vocab.txt"));
    CHECK(out.find("Reloaded from disk: max |Δ logit| = 0.00e+00 ✓") != std::string::npos);
    // the command line reads it as one of its own checkpoints (tokenizer folder from the metadata)
    auto info = testing::run_process(testing::build_dir() + "/aprender info --checkpoint /tmp/aprender-test-06/encoder.safetensors");
    CHECK_MESSAGE(info.status == 0, info.output);
    auto bad = run06("--no-pause --steps x", status);
    CHECK(status == 2);
}

TEST_CASE("tutorial: 06_bert says the Encoder's refusal in Portuguese, the library's message in English") {
    // The Encoder (nn/) throws in English; the Portuguese narration words the same refusal.
    const auto& text = aprender::tutorial::bert_narration::refused;
    const std::string library = "Encoder: input of 40 tokens is longer than its 32 positions (max_len); ...";
    CHECK(fmt::format(fmt::runtime(text.en), library, 40, 32) == library);
    CHECK(fmt::format(fmt::runtime(text.pt), library, 40, 32) ==
          "Encoder: a entrada de 40 tokens é maior que as suas 32 posições (max_len); modelos no estilo do "
          "BERT não conseguem ler além da sua tabela de posições");
}
