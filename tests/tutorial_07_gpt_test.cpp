// 07_gpt in --quick mode: trains, beats the bigram on the test characters, saves a base
// model that loads back with identical logits.
#include "process.h"

#include <doctest/doctest.h>

#include <cstdio>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <regex>
#include <regex>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include <sys/wait.h>

#include "nn/safetensors.h"
#include "tutorials/common/lm_eval.h"
#include "tutorials/common/term.h"

namespace {
std::string run07(const std::string& args, int& status) {
    testing::ProcessResult r = testing::run_process(testing::build_dir() + "/tutorials/07_gpt " + args);
    status = r.status;
    return r.output;
}
}  // namespace

TEST_CASE("tutorial: 07_gpt --quick beats the bigram and saves a base model" * doctest::skip(!testing::corpora_present())) {
    int status = -1;
    auto out = run07("--quick --no-pause --no-color --lang en --out /tmp/aprender-test-07", status);
    CHECK(status == 0);
    CHECK(aprender::tutorial::first_line_wider_than(out) == "");  // in 88 columns (tutorial_test.cpp)
    CHECK(out.find("GPT vs bigram: GPT better ✓") != std::string::npos);
    CHECK(out.find("bits/char") != std::string::npos);
    CHECK(out.find("reloaded: max |Δ logit| = 0.00e+00 ✓") != std::string::npos);
    CHECK(out.find("T = 1.5") != std::string::npos);
    // counts of five digits or more read as in the tables: grouped (the sentence may wrap
    // anywhere: the corpus path before it can be long)
    CHECK(std::regex_search(out, std::regex(R"(\d{1,3},\d{3}\s+training\s+characters)")));
    CHECK(std::filesystem::exists("/tmp/aprender-test-07/loss.svg"));
    // The cost step says what its attention term counts: the full T × T, half of it masked away
    // (--quick: 4·L·T·C = 4·2·32·64).
    const std::string flat = std::regex_replace(out, std::regex(R"(\s+)"), " ");
    CHECK(flat.find("The 4·L·T·C term (16.38 k here) counts attention's two products") != std::string::npos);
    CHECK(flat.find("about half of that term is computed and then discarded") != std::string::npos);
    CHECK(flat.find("Kernels that skip the masked half need about 2·L·T·C") != std::string::npos);
    // The model comparison's CSV: the count alone ("117248"), where the screen says "117,248 parameters".
    for (const auto& row : testing::parse_csv(testing::read_file("/tmp/aprender-test-07/bits_per_char.csv")))
        if (row.size() > 1 && (row[0] == "GPT" || row[0] == "trigram (KN)")) CHECK(testing::csv_number(row[1]));
    auto base = aprender::tutorial::load_base_model("/tmp/aprender-test-07/base.safetensors");
    CHECK(base.model->config.vocab_size == base.tokenizer->vocab_size());
    CHECK(base.metadata.at("tokenizer") == "tokenizer");  // its folder, as the command line names it
    CHECK(base.metadata.at("tokenizer_type") == "char");
    // and the command line reads the tutorial's base as one of its own checkpoints
    auto sampled = testing::run_process(testing::build_dir() + "/aprender sample --checkpoint "
                                        "/tmp/aprender-test-07/base.safetensors --max-new-tokens 20 --prompt 'O '");
    CHECK_MESSAGE(sampled.status == 0, sampled.output);

    // The loss curves: the validation point at x = 0 is the untrained model (measured before the
    // first update, like the training batch plotted at x = 0), the last one the trained model.
    std::istringstream csv(testing::read_file("/tmp/aprender-test-07/loss.csv"));
    std::string line;
    std::vector<std::pair<double, double>> val;
    double first_train = 0;
    std::getline(csv, line);  // header: series,x,y
    while (std::getline(csv, line)) {
        auto c1 = line.find(','), c2 = line.rfind(',');
        if (c1 == std::string::npos || c1 == c2) continue;
        std::string series = line.substr(0, c1);
        double x = std::stod(line.substr(c1 + 1, c2 - c1 - 1)), y = std::stod(line.substr(c2 + 1));
        if (series == "validation") val.emplace_back(x, y);
        if (series == "train (batch)" && x == 0) first_train = y;
    }
    REQUIRE(val.size() >= 2);
    CHECK(val.front().first == 0);
    CHECK(val.back().first == 400);  // --quick trains 400 steps
    CHECK(std::abs(val.front().second - first_train) < 0.3);  // both before any update: near ln(vocab)
    CHECK(val.back().second < val.front().second - 1);
}

TEST_CASE("tutorial: 07_gpt rejects bad flags") {
    int status = -1;
    auto out = run07("--no-pause --steps zero", status);
    CHECK(status == 2);
    CHECK(out.find("--steps") != std::string::npos);
    CHECK_THROWS_WITH_AS(aprender::tutorial::load_base_model("/nonexistent/base.safetensors"),
                         doctest::Contains("no base model"), std::runtime_error);
}

TEST_CASE("tutorial: 07_gpt keeps a base made with other settings, and replaces its own rerun without a question") {
    const std::string dir = "/tmp/aprender-test-07-keep";
    std::filesystem::remove_all(dir);
    int status = -1;
    auto run = [&](const std::string& args) {  // as one line: the narration wraps
        return std::regex_replace(run07("--quick --no-pause --no-color --lang en --out " + dir + " " + args, status),
                                  std::regex("\n  (?=[^ ━])"), " ");
    };
    auto made_by = [](const std::string& path) {
        auto m = aprender::nn::read_safetensors_header(path).metadata;
        return m.at("made_by") + " " + m.at("steps") + " " + m.at("seed");
    };
    run("--steps 12");
    REQUIRE(status == 0);
    CHECK(made_by(dir + "/base.safetensors") == "07_gpt --quick 12 42");
    auto out = run("--steps 12");  // a rerun (make tour): replaced, nothing asked or said
    CHECK(status == 0);
    CHECK(out.find("Note:") == std::string::npos);
    CHECK(out.find("wrote: " + dir + "/base.safetensors") != std::string::npos);
    const std::string first = testing::read_file(dir + "/base.safetensors");

    out = run("--steps 14");  // other settings: the base stays, this run's goes beside it
    CHECK(status == 0);
    CHECK(out.find("Note: " + dir + "/base.safetensors was made by 07_gpt --quick, 12 steps, seed 42, not with this "
                   "run's settings (07_gpt --quick, 14 steps, seed 42).") != std::string::npos);
    CHECK(out.find("━━ 1.") > out.find("Note:"));  // said before any work
    CHECK(out.find("stays the base of 08 and 10") != std::string::npos);
    CHECK(out.find("wrote: " + dir + "/quick-14steps-seed42/base.safetensors") != std::string::npos);
    CHECK(testing::read_file(dir + "/base.safetensors") == first);
    CHECK(made_by(dir + "/quick-14steps-seed42/base.safetensors") == "07_gpt --quick 14 42");
    CHECK(aprender::tutorial::load_base_model(dir + "/quick-14steps-seed42/base.safetensors").model);
    run("--steps 14 --seed 3");  // the seed is a setting too
    CHECK(std::filesystem::exists(dir + "/quick-14steps-seed3/base.safetensors"));
    CHECK(testing::read_file(dir + "/base.safetensors") == first);

    out = run("--steps 14 --force");  // asked for: replaced
    CHECK(status == 0);
    CHECK(out.find("Note:") == std::string::npos);
    CHECK(made_by(dir + "/base.safetensors") == "07_gpt --quick 14 42");

    // A file that is not one of ours is kept too, and said so.
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    {
        std::FILE* f = std::fopen((dir + "/base.safetensors").c_str(), "w");
        REQUIRE(f);
        std::fputs("my notes\n", f);
        std::fclose(f);
    }
    out = run("--steps 12 --lang pt");
    CHECK(status == 0);
    CHECK(out.find("foi feito por outro programa") != std::string::npos);
    CHECK(testing::read_file(dir + "/base.safetensors") == "my notes\n");
    CHECK(std::filesystem::exists(dir + "/quick-12steps-seed42/tokenizer"));
    std::filesystem::remove_all(dir);
}
