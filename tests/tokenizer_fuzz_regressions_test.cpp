// Regression tests for the tokenizer bugs that `make fuzz` found (tests/fuzz/tokenizer_*.cpp).
// Each input is the fuzzer's minimized one, written out here, so the bug stays fixed even
// where clang and libFuzzer are not installed.
#include <doctest/doctest.h>

#include "tokenizer/bpe.h"
#include "tokenizer/tokenizer.h"
#include "tokenizer/wordpiece.h"

#include <filesystem>
#include <fstream>
#include <map>

using namespace aprender::tokenizer;

namespace {

// A fresh folder holding `files` (name -> contents).
std::string folder(const std::string& name, const std::map<std::string, std::string>& files) {
    auto dir = std::filesystem::temp_directory_path() / ("aprender_test_fuzz_" + name);
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    for (const auto& [file, text] : files) std::ofstream(dir / file, std::ios::binary) << text;
    return dir.string();
}

}  // namespace

TEST_CASE("tokenizer fuzz: BpeTokenizer::load of a tokenizer.json that is not an object is our error") {
    // Was nlohmann's type_error 306 "cannot use value() with number", from j.value("type", "").
    auto dir = folder("bpe_not_object", {{"tokenizer.json", "5"}});
    CHECK_THROWS_WITH_AS(BpeTokenizer::load(dir), doctest::Contains("tokenizer.json is not a BPE tokenizer"), TokenizerError);
    dir = folder("bpe_type_number", {{"tokenizer.json", R"({"type": 1})"}});
    CHECK_THROWS_WITH_AS(BpeTokenizer::load(dir), doctest::Contains("tokenizer.json is not a BPE tokenizer"), TokenizerError);
}

TEST_CASE("tokenizer fuzz: WordPiece max_chars_per_word must be an integer from 1 to 1000") {
    // 1e30 was converted to int64_t: undefined behaviour (UBSan: "1e+30 is outside the range
    // of representable values of type 'long'"); 5.5 quietly became 5; 2^64 - 1 became -1.
    for (const char* bad : {"1e30", "5.5", "18446744073709551615", "-3", "0", "1001", "\"7\"", "null"}) {
        CAPTURE(bad);
        auto dir = folder("wp_max_chars", {{"tokenizer.json", std::string(R"({"type":"wordpiece","lowercase":true,"max_chars_per_word":)") + bad + "}"},
                                           {"vocab.txt", "[UNK]\na\n"}});
        CHECK_THROWS_WITH_AS(WordPieceTokenizer::load(dir),
                             doctest::Contains("\"max_chars_per_word\" must be an integer from 1 to 1000, got "),
                             TokenizerError);
    }
    auto dir = folder("wp_max_chars_ok", {{"tokenizer.json", R"({"type":"wordpiece","lowercase":true,"max_chars_per_word":3})"},
                                          {"vocab.txt", "[UNK]\na\n##a\n"}});
    CHECK(WordPieceTokenizer::load(dir).encode("aaa aaaa") == std::vector<int32_t>{1, 2, 2, 0});
}

TEST_CASE("tokenizer fuzz: a vocab.json id past INT64_MAX is named as written, not wrapped round to -1") {
    auto dir = folder("bpe_huge_id", {{"vocab.json", R"({"a": 18446744073709551615})"}, {"merges.txt", ""}});
    CHECK_THROWS_WITH_AS(BpeTokenizer::load_gpt2(dir + "/vocab.json", dir + "/merges.txt"),
                         doctest::Contains("id 18446744073709551615 of 'a' is outside 0..0"), TokenizerError);
    dir = folder("bpe_negative_id", {{"vocab.json", R"({"a": -1})"}, {"merges.txt", ""}});
    CHECK_THROWS_WITH_AS(BpeTokenizer::load_gpt2(dir + "/vocab.json", dir + "/merges.txt"),
                         doctest::Contains("id -1 of 'a' is outside 0..0"), TokenizerError);
}
