// 09_lora_rank run as a student would (--quick --no-pause): the slide's matrix has rank 2,
// its singular values match a float64 closed form, B = 0 leaves the logits unchanged.
#include <doctest/doctest.h>

#include <cmath>
#include <filesystem>
#include <string>

#include <fmt/format.h>

#include "tests/process.h"
#include "tutorials/common/term.h"

namespace {
testing::ProcessResult run09(const std::string& args) {
    return testing::run_process(testing::build_dir() + "/tutorials/09_lora_rank " + args);
}
bool has(const testing::ProcessResult& r, const std::string& s) { return r.has(s); }
}  // namespace

TEST_CASE("tutorial: 09_lora_rank computes the rank, the SVD and the initialisation") {
    std::filesystem::remove_all("/tmp/aprender-test-09");
    auto r = run09("--quick --no-pause --no-color --lang en --out /tmp/aprender-test-09");
    REQUIRE(r.status == 0);
    CHECK(aprender::tutorial::first_line_wider_than(r.output) == "");  // in 88 columns (tutorial_test.cpp)
    CHECK(has(r, "Pivot columns: 1, 3 ⇒ rank = 2."));
    CHECK(has(r, "rank(ΔW) = 2"));
    CHECK(has(r, "Dependent: column 2 = 2*column 1"));
    CHECK(has(r, "max |B·A − ΔW| = 0 ✓ exact"));
    // float64 reference: the σ² of ΔW are the roots of λ² − 15λ + 5 (and 0).
    double s1 = std::sqrt((15 + std::sqrt(205.0)) / 2), s2 = std::sqrt((15 - std::sqrt(205.0)) / 2);
    CHECK(has(r, fmt::format("σ1 = {:.6f}", s1)));
    CHECK(has(r, fmt::format("σ2 = {:.6f}", s2)));
    CHECK(has(r, "σ3 = 0.000000"));
    CHECK(has(r, fmt::format("‖ΔW − B·A‖_F = {:.6f} = σ2", s2)));
    CHECK(has(r, "Numerical rank"));
    CHECK(has(r, "16,777,216"));
    CHECK(has(r, "4.72M for r = 1 and 37.75M for r = 8"));
    CHECK(has(r, "max |Δlogits| = 0 over"));
    CHECK(has(r, "trainable params: 512 || all params: 29,056 || trainable%: 1.7621"));  // PEFT's line
    CHECK(has(r, "h.0.attn.q_proj"));
    CHECK_FALSE(has(r, "✗"));
    CHECK(std::filesystem::exists("/tmp/aprender-test-09/error_vs_rank.svg"));
    CHECK(std::filesystem::exists("/tmp/aprender-test-09/error_vs_rank.csv"));
    CHECK(std::filesystem::exists("/tmp/aprender-test-09/parameter_counts.csv"));
    const std::string en_counts = testing::read_file("/tmp/aprender-test-09/parameter_counts.csv");
    auto pt = run09("--quick --no-pause --no-color --lang pt --out /tmp/aprender-test-09");
    CHECK(pt.status == 0);
    CHECK(aprender::tutorial::first_line_wider_than(pt.output) == "");  // in 88 columns (tutorial_test.cpp)
    CHECK(has(pt, "O slide diz r = 1; a matriz diz r = 2"));
    // Everything the Portuguese run says is Portuguese, the library's English words included.
    CHECK(has(pt, "Dependente: coluna 2 = 2*coluna 1"));
    CHECK(has(pt, "posto(ΔW) = 2"));
    CHECK(has(pt, "parâmetros treináveis: 512 || todos os parâmetros: 29\u00A0056 || % treinável: 1.7621"));
    CHECK(has(pt, "16\u00A0777\u00A0216"));  // the screen groups counts as Portuguese reads them...
    CHECK_FALSE(has(pt, "column"));
    CHECK_FALSE(has(pt, "trainable params"));
    // ...and the CSV carries the same plain numbers in both languages.
    const std::string pt_counts = testing::read_file("/tmp/aprender-test-09/parameter_counts.csv");
    CHECK(pt_counts.find(",16777216,") != std::string::npos);
    CHECK(testing::csv_number_mismatch(en_counts, pt_counts) == "");
    auto bad = run09("--no-pause --size 3");
    CHECK(bad.status == 2);
    CHECK(has(bad, "--size"));
}
