// The benchmarks (bench/) as a user runs them: they find data/ from any folder, as the
// tutorials do (tutorials/common/data_dir.h), and refuse a flag that would change nothing
// while their output claimed it.
#include <doctest/doctest.h>

#include <filesystem>
#include <sstream>
#include <string>

#include "tests/process.h"

TEST_CASE("tutorial: bench programs find data/ from any folder, and --tf32 only goes with --device cuda") {
    namespace fs = std::filesystem;
    const std::string bench = fs::absolute(testing::build_dir() + "/bench").string();
    if (fs::exists("data/cache/tokenizers/gpt2/encoder.json") && fs::exists("data/cache/tokenizers/gpt2/vocab.bpe")) {
        auto away = testing::run_process("cd / && " + bench + "/tokenizer_bench --vocab-size 257");
        INFO(away.output);
        CHECK(away.status == 0);
        CHECK(away.has("encode GPT-2 (50257)"));
        CHECK_FALSE(away.has("absent"));
    }
    auto none = testing::run_process("APRENDER_DATA=/nonexistent " + bench + "/tokenizer_bench --vocab-size 257");
    CHECK(none.status == 0);
    CHECK(none.has("GPT-2 files absent from /nonexistent/cache/tokenizers/gpt2 (run scripts/fetch-tokenizer-files.sh)"));

    for (const char* args : {"--tf32", "--tf32 --device cpu"}) {
        auto r = testing::run_process(bench + "/gpt_step --steps 1 --warmup 0 " + args);
        INFO(args, "\n", r.output);
        CHECK(r.status == 2);
        CHECK(r.has("gpt_step: --tf32 allows TF32 tensor cores, which only CUDA GPUs have: give it with --device cuda"));
        CHECK_FALSE(r.has("tf32=1"));
    }
    // bench/gpu.sh, the one script that passes --tf32, passes it with --device cuda.
    std::istringstream gpu(testing::read_file("bench/gpu.sh"));
    int calls = 0;
    for (std::string line, next; std::getline(gpu, line);) {
        if (line.find("gpt_step\" ") == std::string::npos) continue;
        ++calls;
        while (!line.empty() && line.back() == '\\' && std::getline(gpu, next)) line += next;  // the whole command
        CHECK_MESSAGE(line.find("--device cuda") != std::string::npos, line);
        CHECK(line.find("$flag") != std::string::npos);  // where --tf32 goes
    }
    CHECK(calls == 1);
}
