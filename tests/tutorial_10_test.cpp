// 10_lora run as a student would (--quick --no-pause, a quick base trained on the spot):
// exact trainable counts, small adapter files, merged = unmerged, swap = base when disabled.
#include "process.h"

#include <doctest/doctest.h>

#include <filesystem>
#include <regex>
#include <string>

#include "nn/safetensors.h"
#include "tests/process.h"
#include "tutorials/common/term.h"

namespace {
testing::ProcessResult run10(const std::string& args) {
    return testing::run_process(testing::build_dir() + "/tutorials/10_lora " + args);
}
// The number in the (last) row that starts with `label` and column `col` (0 = first number after it).
std::string cell(const std::string& out, const std::string& label, int col) {
    auto p = out.rfind(label);  // the last table that has the row
    if (p == std::string::npos) return "";
    std::string line = out.substr(p + label.size(), out.find('\n', p) - p - label.size());
    std::regex num("[0-9][0-9,.]*");
    int i = 0;
    for (auto it = std::sregex_iterator(line.begin(), line.end(), num); it != std::sregex_iterator(); ++it, ++i)
        if (i == col) return it->str();
    return "";
}
}  // namespace

TEST_CASE("tutorial: 10_lora trains adapters, swaps, merges and measures" * doctest::skip(!testing::corpora_present())) {
    std::filesystem::remove_all("/tmp/aprender-test-10");
    auto r = run10("--quick --base quick --no-pause --no-color --lang en --out /tmp/aprender-test-10");
    REQUIRE(r.status == 0);
    CHECK(aprender::tutorial::first_line_wider_than(r.output) == "");  // in 88 columns (tutorial_test.cpp)
    // Steps 1-6 (step 7's classification table has rows of the same names).
    const std::string gen = r.output.substr(0, r.output.find("━━ 7."));
    // The quick base: 2 layers × 64, q_proj/v_proj are 64 × 64 → r·(64 + 64) per matrix, 4 matrices.
    CHECK(cell(gen, "LoRA r=1 q,v", 0) == "512");
    CHECK(cell(gen, "LoRA r=4 q,v", 0) == "2,048");
    CHECK(cell(gen, "LoRA r=8 q,v", 0) == "4,096");
    CHECK(cell(gen, "LoRA r=2 q,k,v,o", 0) == "2,048");
    CHECK(cell(gen, "full fine-tuning", 0) == "119,296");
    // Adapter files are much smaller than the model.
    auto full = std::filesystem::file_size("/tmp/aprender-test-10/tecnico_full.safetensors");
    auto adapter = std::filesystem::file_size("/tmp/aprender-test-10/adapters/tecnico_lora_r4_qv/adapter_model.safetensors");
    CHECK(adapter * 20 < full);
    CHECK(std::filesystem::exists("/tmp/aprender-test-10/adapters/tecnico_lora_r4_qv/adapter_config.json"));
    CHECK(r.has("base_model.model.h.0.attn.q_proj.lora_A.weight"));
    CHECK(r.has("[4,64]; its config says r = 4, lora_alpha = 8"));
    CHECK(r.has("Disabled reproduces the base exactly: max |Δlogits| = 0 ✓"));
    CHECK(r.has("Merged vs unmerged: max |Δ| = "));
    {
        // Merged vs base: a difference is claimed only when the medians differ by more than the
        // spread measured, and the sentence gives the numbers it is based on.
        const std::string flat = std::regex_replace(r.output, std::regex("\n  "), " ");
        CHECK(flat.find("Each row is the median of 9 interleaved runs") != std::string::npos);
        std::smatch m;
        REQUIRE(std::regex_search(flat, m, std::regex("Merged vs base: ([0-9.]+) vs ([0-9.]+) ms per forward \\(medians\\), "
                                                      "([0-9.]+) ms (apart|slower|faster) — (within|more than) the "
                                                      "runs' own spread of ([0-9.]+) ms")));
        const double merged = std::stod(m[1]), base = std::stod(m[2]), apart = std::stod(m[3]), spread = std::stod(m[6]);
        CHECK(std::abs(apart - std::abs(merged - base)) < 0.0015);  // each printed to 0.001
        CHECK((m[4] == "apart") == (m[5] == "within"));
        if (std::abs(apart - spread) > 0.0015) CHECK((m[5] == "within") == (apart < spread));
    }
    CHECK_FALSE(r.has("✗"));
    // Step 7: the lecture's classification table (after `make data`), or a clear skip message.
    CHECK((r.has("Model & Method") || r.has("skipped (no labelled data)")));
    for (const char* f : {"methods_tecnico.csv", "methods_financeiro.csv", "swap.csv", "delta_spectrum.svg", "phi_B.svg"})
        CHECK(std::filesystem::exists(std::string("/tmp/aprender-test-10/") + f));
    // The CSV carries plain numbers (count, percent, bytes), not the screen's "119,296", "100%", "480.4 kB".
    const auto methods = testing::parse_csv(testing::read_file("/tmp/aprender-test-10/methods_tecnico.csv"));
    REQUIRE(methods.size() == 9);  // header, base, full, BitFit, 4 × LoRA q,v, LoRA q,k,v,o
    CHECK(methods[0][3] == "file [bytes]");
    CHECK(methods[2][0] == "full fine-tuning");
    CHECK(methods[2][1] == "119296");
    CHECK(methods[2][2] == "100");
    CHECK(methods[2][3] == std::to_string(full));
    for (std::size_t c = 1; c < methods[2].size(); ++c) CHECK(testing::csv_number(methods[2][c]));
    CHECK(methods[1][3] == "");  // the base row has no file of its own: "—" on screen, empty here
    for (const char* f : {"methods_tecnico.csv", "methods_financeiro.csv", "swap.csv", "classification.csv"})
        if (std::filesystem::exists(std::string("/tmp/aprender-test-10/") + f))
            CHECK(testing::csv_non_number(testing::read_file(std::string("/tmp/aprender-test-10/") + f)) == "");
    // Each model and adapter records what made it (model_files.h).
    const std::string r4 = "/tmp/aprender-test-10/adapters/tecnico_lora_r4_qv/adapter_model.safetensors";
    const auto r4_meta = aprender::nn::read_safetensors_header(r4).metadata;
    CHECK(r4_meta.at("made_by") == "10_lora --quick");
    CHECK(r4_meta.at("steps") == "25");
    CHECK(r4_meta.at("seed") == "42");
    CHECK(r4_meta.at("format") == "pt");  // PEFT's, still there

    // The same settings again (in Portuguese, on the base just trained) replace its models
    // and adapters without a question; other settings keep them and save beside them.
    auto again = run10("--quick --base /tmp/aprender-test-10/quick_base.safetensors --no-pause --no-color --lang pt "
                       "--out /tmp/aprender-test-10");
    CHECK(again.status == 0);
    CHECK_FALSE(again.has("Nota:"));
    CHECK(again.has("gravado: /tmp/aprender-test-10/adapters/tecnico_lora_r4_qv/\n"));
    CHECK(again.has("adapter_config.json  adapter_model.safetensors\n"));
    const std::string kept_full = testing::read_file("/tmp/aprender-test-10/tecnico_full.safetensors"),
                      kept_r4 = testing::read_file(r4);
    REQUIRE_FALSE(kept_full.empty());
    auto other = run10("--quick --steps 2 --base /tmp/aprender-test-10/quick_base.safetensors --no-pause --no-color "
                       "--lang en --out /tmp/aprender-test-10");
    CHECK(other.status == 0);
    CHECK(std::regex_replace(other.output, std::regex("\n  "), " ")
              .find("was made by 10_lora --quick, 25 steps, seed 42, not with this run's settings") != std::string::npos);
    CHECK(testing::read_file("/tmp/aprender-test-10/tecnico_full.safetensors") == kept_full);
    CHECK(testing::read_file(r4) == kept_r4);
    const std::string beside = "/tmp/aprender-test-10/quick-2steps-seed42/";
    for (const char* f : {"tecnico_full.safetensors", "financeiro_bitfit.safetensors",
                          "adapters/tecnico_lora_r4_qv/adapter_model.safetensors",
                          "adapters/financeiro_lora_r2_qkvo/adapter_config.json"})
        CHECK(std::filesystem::exists(beside + f));
    CHECK(other.has("wrote: " + beside + "adapters/tecnico_lora_r4_qv/\n"));
    auto bad = run10("--no-pause --steps 0");
    CHECK(bad.status == 2);
    auto nobase = run10("--no-pause --base /nonexistent.safetensors");
    CHECK(nobase.status == 2);
    CHECK(nobase.has("no such base model file"));
}
