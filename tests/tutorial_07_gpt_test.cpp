// 07_gpt in --quick mode: trains, beats the bigram on the test characters, saves a base
// model that loads back with identical logits.
#include "process.h"

#include <doctest/doctest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

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
    auto base = aprender::tutorial::load_base_model("/tmp/aprender-test-07/base.safetensors");
    CHECK(base.model->config.vocab_size == base.tokenizer->vocab_size());
    CHECK(base.metadata.at("tokenizer") == "char");
}

TEST_CASE("tutorial: 07_gpt rejects bad flags") {
    int status = -1;
    auto out = run07("--no-pause --steps zero", status);
    CHECK(status == 2);
    CHECK(out.find("--steps") != std::string::npos);
    CHECK_THROWS_WITH_AS(aprender::tutorial::load_base_model("/nonexistent/base.safetensors"),
                         doctest::Contains("no base model"), std::runtime_error);
}
