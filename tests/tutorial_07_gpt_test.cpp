// 07_gpt in --quick mode: trains, beats the bigram on the test characters, saves a base
// model that loads back with identical logits.
#include "process.h"

#include <doctest/doctest.h>

#include <cstdio>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include <sys/wait.h>

#include "tutorials/common/lm_eval.h"

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
    CHECK(out.find("GPT vs bigram: GPT better ✓") != std::string::npos);
    CHECK(out.find("bits/char") != std::string::npos);
    CHECK(out.find("reloaded: max |Δ logit| = 0.00e+00 ✓") != std::string::npos);
    CHECK(out.find("T = 1.5") != std::string::npos);
    CHECK(std::filesystem::exists("/tmp/aprender-test-07/loss.svg"));
    // The model comparison's CSV: the count alone ("117248"), where the screen says "117248 parameters".
    for (const auto& row : testing::parse_csv(testing::read_file("/tmp/aprender-test-07/bits_per_char.csv")))
        if (row.size() > 1 && (row[0] == "GPT" || row[0] == "trigram (KN)")) CHECK(testing::csv_number(row[1]));
    auto base = aprender::tutorial::load_base_model("/tmp/aprender-test-07/base.safetensors");
    CHECK(base.model->config.vocab_size == base.tokenizer->vocab_size());
    CHECK(base.metadata.at("tokenizer") == "char");

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
