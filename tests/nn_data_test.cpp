// Tests for nn/data: the sequential sampler's documented windows, the random sampler's
// determinism and range, and clear errors for too-short token files.
#include "autograd/random.h"
#include "nn/data.h"
#include "tokenizer/token_file.h"

#include <doctest/doctest.h>

#include <filesystem>
#include <numeric>
#include <unistd.h>

using namespace aprender;
using namespace aprender::nn;

namespace {
std::vector<int32_t> iota_tokens(int n) {
    std::vector<int32_t> v(n);
    std::iota(v.begin(), v.end(), 100);  // token at position p is 100 + p
    return v;
}
}  // namespace

TEST_CASE("nn: sequential sampler produces exactly the documented windows") {
    // N = 10 tokens (100..109), B = 2, T = 3: batch k, window j starts at k·6 + j·3,
    // and token i of a window is tok[(start + i) mod 10].
    BatchSampler s(iota_tokens(10), 2, 3, SamplerMode::sequential);
    Batch b0 = s.next();
    CHECK(b0.x.shape() == Shape{2, 3});
    CHECK(b0.x.dtype() == DType::i32);
    CHECK(b0.x.to_vector<int32_t>() == std::vector<int32_t>{100, 101, 102, 103, 104, 105});
    CHECK(b0.y.to_vector<int32_t>() == std::vector<int32_t>{101, 102, 103, 104, 105, 106});
    // batch 1: starts 6 and 9; the second window wraps: 9, 0, 1 → target 0, 1, 2
    Batch b1 = s.next();
    CHECK(s.window_starts(1) == std::vector<int64_t>{6, 9});
    CHECK(b1.x.to_vector<int32_t>() == std::vector<int32_t>{106, 107, 108, 109, 100, 101});
    CHECK(b1.y.to_vector<int32_t>() == std::vector<int32_t>{107, 108, 109, 100, 101, 102});
    // batch 2: starts 12 mod 10 = 2 and 15 mod 10 = 5
    Batch b2 = s.next();
    CHECK(b2.x.to_vector<int32_t>() == std::vector<int32_t>{102, 103, 104, 105, 106, 107});
    CHECK(s.batches_drawn() == 3);
    CHECK(s.epoch_batches() == 2);  // ceil(10 / 6)

    // the formula, checked for many batches against a direct transcription
    BatchSampler big(iota_tokens(37), 3, 5, SamplerMode::sequential);
    for (int64_t k = 0; k < 20; ++k) {
        Batch b = big.batch_at(k);
        auto x = b.x.to_vector<int32_t>(), y = b.y.to_vector<int32_t>();
        for (int64_t j = 0; j < 3; ++j)
            for (int64_t i = 0; i < 5; ++i) {
                int64_t start = k * 3 * 5 + j * 5;
                CHECK(x[j * 5 + i] == 100 + (start + i) % 37);
                CHECK(y[j * 5 + i] == 100 + (start + i + 1) % 37);
            }
    }
}

TEST_CASE("nn: random sampler is deterministic for a seed and stays inside the file") {
    const int N = 50, T = 8;
    BatchSampler a(iota_tokens(N), 5, T, SamplerMode::random, 42), b(iota_tokens(N), 5, T, SamplerMode::random, 42);
    BatchSampler c(iota_tokens(N), 5, T, SamplerMode::random, 43);
    bool any_differs = false;
    for (int k = 0; k < 50; ++k) {
        Batch ba = a.next(), bb = b.next(), bc = c.next();
        auto x = ba.x.to_vector<int32_t>(), y = ba.y.to_vector<int32_t>();
        CHECK(x == bb.x.to_vector<int32_t>());
        CHECK(y == bb.y.to_vector<int32_t>());
        any_differs = any_differs || x != bc.x.to_vector<int32_t>();
        for (int j = 0; j < 5; ++j) {
            int start = x[j * T] - 100;
            CHECK(start >= 0);
            CHECK(start + T + 1 <= N);  // the whole window lies inside the file
            for (int i = 0; i < T; ++i) {
                CHECK(x[j * T + i] == 100 + start + i);  // consecutive tokens, no wrap
                CHECK(y[j * T + i] == 100 + start + i + 1);
            }
        }
    }
    CHECK(any_differs);  // another seed, other windows
    // the documented formula: start = floor(u · (N − T)), u = philox::uniform(k·B4 + j, seed)
    auto starts = a.window_starts(7);
    for (int j = 0; j < 5; ++j)
        CHECK(starts[j] == (int64_t)(philox::uniform(7 * 8 + j, 42) * (N - T)));
    // seek resumes: batch 7 again
    a.seek(7);
    CHECK(a.next().x.to_vector<int32_t>() == b.batch_at(7).x.to_vector<int32_t>());
    CHECK(a.generator().offset == 8 * 8);
    // the smallest file: exactly T+1 tokens, only one possible window
    BatchSampler tiny(iota_tokens(T + 1), 3, T, SamplerMode::random, 1);
    CHECK(tiny.next().x.to_vector<int32_t>()[2 * T] == 100);
}

TEST_CASE("nn: samplers read token files and reject files that are too short") {
    auto dir = std::filesystem::temp_directory_path() / ("aprender_data_" + std::to_string(getpid()));
    std::filesystem::create_directories(dir);
    std::string p16 = (dir / "train.bin").string(), p32 = (dir / "train.u32.bin").string();
    std::vector<int32_t> ids = {1, 2, 3, 4, 5, 6, 7, 8, 9};
    tokenizer::write_token_file(p16, ids, 10);
    tokenizer::write_token_file(p32, {70000, 70001, 70002, 70003}, 70004);
    CHECK(std::filesystem::file_size(p16) == 9 * 2);  // uint16
    CHECK(std::filesystem::file_size(p32) == 4 * 4);  // uint32

    BatchSampler s = BatchSampler::from_file(p16, 1, 4, SamplerMode::sequential);
    CHECK(s.next().x.to_vector<int32_t>() == std::vector<int32_t>{1, 2, 3, 4});
    BatchSampler w = BatchSampler::from_file(p32, 1, 3, SamplerMode::sequential);
    CHECK(w.next().y.to_vector<int32_t>() == std::vector<int32_t>{70001, 70002, 70003});

    CHECK_THROWS_WITH(BatchSampler::from_file(p16, 2, 9), doctest::Contains("has 9 tokens, but one training window needs block_size + 1 = 10"));
    CHECK_THROWS_WITH(BatchSampler::from_file(p16, 2, 9), doctest::Contains("train.bin"));
    CHECK_THROWS_WITH(BatchSampler::from_file(dir.string(), 1, 4), doctest::Contains("is a folder, not a file"));
    CHECK_THROWS_WITH(BatchSampler(ids, 0, 4), doctest::Contains("must be >= 1"));
    CHECK_THROWS_WITH(parse_sampler_mode("shuffled"), doctest::Contains("expected random or sequential"));
    std::filesystem::remove_all(dir);
}
