// 10_lora's step 7, the lecture's comparison table in miniature, on a hand-made labelled set
// (so that it runs without `make data` and gives the same numbers everywhere): the table is
// printed in the lecture's layout, with the exact trainable counts of a quick Encoder
// (2 layers × width 64, 5 classes); and the LibreOffice extractor's self-test on a hand-made
// help page.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <regex>
#include <string>
#include <vector>

#include "nn/safetensors.h"
#include "tests/process.h"
#include "tutorials/common/term.h"

namespace {
// The first number after `label` on its line (col 0), or the col-th.
std::string cell(const std::string& out, const std::string& label, int col) {
    auto p = out.rfind(label);
    if (p == std::string::npos) return "";
    std::string line = out.substr(p + label.size(), out.find('\n', p) - p - label.size());
    std::regex num("[0-9][0-9,.]*");
    int i = 0;
    for (auto it = std::sregex_iterator(line.begin(), line.end(), num); it != std::sregex_iterator(); ++it, ++i)
        if (i == col) return it->str();
    return "";
}

// label<TAB>paragraph lines: 20-word paragraphs mixing common words with each module's words.
void write_tsv(const std::string& path, int per_class, uint64_t seed) {
    const std::vector<std::pair<std::string, std::vector<std::string>>> classes{
        {"scalc", {"planilha", "célula", "fórmula", "coluna", "soma", "gráfico"}},
        {"swriter", {"documento", "parágrafo", "página", "texto", "estilo", "capítulo"}},
        {"simpress", {"slide", "apresentação", "transição", "animação", "tela", "slides"}},
        {"sbasic", {"macro", "função", "variável", "sub", "retorna", "basic"}},
        {"sdatabase", {"banco", "tabela", "consulta", "registro", "campo", "relatório"}},
        {"smath", {"fórmula", "matriz", "símbolo", "expoente", "integral", "raiz"}}};  // not among the 5: ignored
    const std::vector<std::string> common{"o", "a", "de", "para", "com", "você", "pode", "usar", "clique", "menu",
                                          "selecione", "no", "em", "que", "uma", "um", "e", "os", "as", "comando"};
    std::mt19937_64 rng(seed);
    std::ofstream out(path);
    for (const auto& [label, words] : classes)
        for (int i = 0; i < per_class; ++i) {
            out << label << '\t';
            for (int w = 0; w < 20; ++w) {
                const auto& pool = w % 4 == 1 ? words : common;
                out << (w ? " " : "") << pool[rng() % pool.size()];
            }
            out << ".\n";
        }
}
}  // namespace

TEST_CASE("tutorial: 10_lora prints the lecture's classification table with exact trainable counts") {
    const std::string root = "/tmp/aprender-test-10cls";
    std::filesystem::remove_all(root);
    std::filesystem::create_directories(root + "/data/cache/corpora");
    write_tsv(root + "/data/cache/corpora/libreoffice.train.tsv", 80, 1);
    write_tsv(root + "/data/cache/corpora/libreoffice.val.tsv", 10, 2);
    write_tsv(root + "/data/cache/corpora/libreoffice.test.tsv", 12, 3);
    auto r = testing::run_process("APRENDER_DATA=" + root + "/data " + testing::build_dir() +
                                  "/tutorials/10_lora --only-classification --quick --encoder quick --no-pause "
                                  "--no-color --lang en --out " + root + "/out");
    REQUIRE(r.status == 0);
    CHECK(aprender::tutorial::first_line_wider_than(r.output) == "");  // in 88 columns (tutorial_test.cpp)
    CHECK(r.has("Pre-training a quick one now"));
    // The table names the base after what made it (its metadata), and the line before says so.
    CHECK(std::regex_replace(r.output, std::regex("\n  "), " ")
              .find("(made by 10_lora --encoder quick, 60 steps, seed 42; the table calls it Enc_10_quick)") !=
          std::string::npos);
    CHECK(r.has("Model & Method"));
    CHECK(r.has("# Trainable Parameters"));
    CHECK(r.has("Accuracy (test, %)"));
    CHECK(r.has("Single runs (seed 42)"));
    // The head on [CLS]: dense 64×64 + 64, linear 64×5 + 5 = 4,485, trained by every method.
    CHECK(cell(r.output, "Enc_10_quick (head only, frozen Encoder)", 0) == "4,485");
    // LoRA on W_q, W_v of 2 layers: 4 matrices × r·(64 + 64), plus the head.
    CHECK(cell(r.output, "Enc_10_quick (LoRA r=1 q,v)", 0) == "4,997");
    CHECK(cell(r.output, "Enc_10_quick (LoRA r=2 q,v)", 0) == "5,509");
    CHECK(cell(r.output, "Enc_10_quick (LoRA r=4 q,v)", 0) == "6,533");
    CHECK(cell(r.output, "Enc_10_quick (LoRA r=8 q,v)", 0) == "8,581");
    // BitFit: per layer LayerNorms 2×64, q,k,v,o 4×64, MLP 256 + 64 = 704; ×2 + ln_f 64 = 1,472; + head.
    CHECK(cell(r.output, "Enc_10_quick (BitFit)", 0) == "5,957");
    CHECK(std::filesystem::exists(root + "/out/classification.csv"));
    CHECK(std::filesystem::exists(root + "/out/quick_encoder/encoder.safetensors"));
    CHECK(std::filesystem::exists(root + "/out/quick_encoder/tokenizer/vocab.txt"));
    // Accuracies are percentages on the test split (--quick trains too little to assert learning).
    for (const char* row : {"Enc_10_quick (FT)", "Enc_10_quick (BitFit)", "Enc_10_quick (LoRA r=1 q,v)", "Enc_10_quick (LoRA r=8 q,v)"}) {
        auto acc = cell(r.output, row, 1);
        REQUIRE_FALSE(acc.empty());
        CHECK(std::stod(acc) >= 0.0);
        CHECK(std::stod(acc) <= 100.0);
    }
    CHECK(std::stod(cell(r.output, "Enc_10_quick (FT)", 0)) > 0);  // (the FT count depends on the trained vocabulary)
    CHECK(testing::csv_non_number(testing::read_file(root + "/out/classification.csv")) == "");

    // Over two seeds the screen shows "mean ± std"; the CSV has the two numbers in two columns.
    // The same Encoder, its metadata saying 06_bert --quick made it: named so, not "Enc_06".
    const std::string weights = root + "/out/quick_encoder/encoder.safetensors";
    auto ckpt = aprender::nn::load_safetensors(weights);
    ckpt.metadata["made_by"] = "06_bert --quick";
    aprender::nn::save_safetensors(weights, ckpt.tensors, ckpt.metadata);
    auto seeds = testing::run_process("APRENDER_DATA=" + root + "/data " + testing::build_dir() +
                                      "/tutorials/10_lora --only-classification --quick --seeds 2 --encoder " + root +
                                      "/out/quick_encoder/encoder.safetensors --no-pause --no-color --lang pt --out " +
                                      root + "/seeds");
    REQUIRE(seeds.status == 0);
    CHECK(seeds.has(" ± "));
    const auto two = testing::parse_csv(testing::read_file(root + "/seeds/classification.csv"));
    REQUIRE(two.size() == 9);  // header, chance, head only, FT, BitFit, 4 × LoRA
    CHECK(two[0] == std::vector<std::string>{"Modelo & Método", "# Parâmetros Treináveis", "Acurácia (teste, %)",
                                             "Acurácia (teste, %) (desvio padrão)"});
    CHECK(two[1][3] == "");  // chance is one number, not a mean over runs
    CHECK(two[3][0] == "Enc_06_quick (FT)");
    for (std::size_t row = 2; row < two.size(); ++row)
        for (std::size_t c = 1; c < 4; ++c) CHECK(testing::csv_number(two[row][c]));

    // Without the labelled set the step says what to run, and the tutorial still succeeds.
    std::filesystem::remove_all(root + "/data/cache");
    auto skip = testing::run_process("APRENDER_DATA=" + root + "/data " + testing::build_dir() +
                                     "/tutorials/10_lora --only-classification --quick --no-pause --no-color --lang en "
                                     "--out " + root + "/out2");
    CHECK(skip.status == 0);
    CHECK(skip.has("skipped (no labelled data)"));
    CHECK(skip.has("make data"));
    auto bad = testing::run_process(testing::build_dir() + "/tutorials/10_lora --no-pause --encoder /nonexistent.safetensors");
    CHECK(bad.status == 2);
    CHECK(bad.has("no such Encoder file"));
}

TEST_CASE("data: the LibreOffice extractor passes its self-test on a hand-made help page" *
          doctest::skip(std::system("command -v python3 >/dev/null 2>&1") != 0)) {  // counted as skipped
    auto r = testing::run_process("python3 scripts/libreoffice_tsv.py --self-test");
    CHECK(r.status == 0);
    CHECK(r.has("self-test: ok"));
}
