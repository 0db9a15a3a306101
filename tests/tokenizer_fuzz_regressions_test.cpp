// Regression tests for the tokenizer bugs that `make fuzz` found (tests/fuzz/tokenizer_*.cpp).
// Each input is the fuzzer's minimized one, written out here, so the bug stays fixed even
// where clang and libFuzzer are not installed.
#include <doctest/doctest.h>

#include "tokenizer/bpe.h"
#include "tokenizer/byte_unicode.h"
#include "tokenizer/tokenizer.h"
#include "tokenizer/unicode.h"
#include "tokenizer/wordpiece.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>

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

namespace {

// vocab.json with the 256 single bytes (ids 0..255, as GPT-2's visible characters) and then
// `extra` (JSON members, such as "\"¡¡\": 256"); merges.txt with just the version line.
std::string gpt2_folder(const std::string& name, const std::string& extra) {
    std::string vocab = "{";
    for (int b = 0; b < 256; ++b) vocab += nlohmann::json(visible_from_bytes(std::string(1, char(b)))).dump() + ": " + std::to_string(b) + ", ";
    return folder(name, {{"vocab.json", vocab + extra + "}"}, {"merges.txt", "#version: 0.2\n"}});
}

}  // namespace

TEST_CASE("tokenizer fuzz: a BPE special token with bytes that are not UTF-8 is refused when loaded, not when saved") {
    // "¡¡" reads as the bytes A1 A1, which no merge makes: a special token, whose text save()
    // then wrote into tokenizer.json: nlohmann's type_error 316 "invalid UTF-8 byte".
    auto dir = gpt2_folder("bpe_special_not_utf8", "\"¡¡\": 256");
    CHECK_THROWS_WITH_AS(BpeTokenizer::load_gpt2(dir + "/vocab.json", dir + "/merges.txt"),
                         doctest::Contains("special token '¡¡' (id 256) is not valid UTF-8 text"), TokenizerError);
}

TEST_CASE("tokenizer fuzz: a BPE special token with the bytes of an ordinary token is refused") {
    // "€" (not GPT-2 visible characters: kept as text, a special token) and "âĤ¬" (the
    // visible form of the same three bytes) loaded as two tokens with the same bytes; save()
    // then wrote the key "€" twice, and the folder it wrote did not load.
    auto dir = gpt2_folder("bpe_special_twice", "\"€\": 256, \"âĤ¬\": 257");
    CHECK_THROWS_WITH_AS(BpeTokenizer::load_gpt2(dir + "/vocab.json", dir + "/merges.txt"),
                         doctest::Contains("has the same bytes as vocabulary entry 256"), TokenizerError);
    // The same mistake from the trainer: a special token that is already an ordinary token.
    CHECK_THROWS_WITH_AS(BpeTokenizer::train("abc abc", 300, {.special_tokens = {"a"}}),
                         doctest::Contains("special token 'a' (id 259) has the same bytes as vocabulary entry 97"), TokenizerError);
}

TEST_CASE("tokenizer fuzz: BPE special tokens that look like GPT-2's visible bytes survive save and load") {
    // "Ġx" written as it is would read back as the bytes " x"; it is written as visible bytes.
    auto tok = BpeTokenizer::train("a b a b", 260, {.special_tokens = {"Ġx", "<|endoftext|>"}});
    auto dir = folder("bpe_special_visible", {});
    tok.save(dir);
    auto back = BpeTokenizer::load(dir);
    CHECK(back.special_tokens() == tok.special_tokens());
    CHECK(back.encode("a Ġx b<|endoftext|>", true) == tok.encode("a Ġx b<|endoftext|>", true));
    CHECK(back.special_token_id("Ġx") == tok.special_token_id("Ġx"));
}

TEST_CASE("tokenizer fuzz: nfc is idempotent when one character decomposes into several marks") {
    // "a" + 30 x U+0344 (which decomposes into U+0308 U+0301): the stream-safe step counted
    // 30 marks, NFC made 60 of them, and a second nfc() cut that run with a U+034F joiner.
    std::string text = "a";
    for (int i = 0; i < 30; ++i) text += "\xCD\x84";
    const std::string once = nfc(text);
    CHECK(nfc(once) == once);
    int run = 0, longest = 0;
    for (char32_t cp : decode_utf8(once)) longest = std::max(longest, run = (cp == 0x308 || cp == 0x301) ? run + 1 : 0);
    CHECK(longest <= 30);
}

TEST_CASE("tokenizer fuzz: WordPiece skips candidates longer than its longest token (1000-letter words stay fast)") {
    // Found while sizing the fuzz targets, not by one: each 1000-emoji word (the most
    // max_chars_per_word allows) built and looked up half a million candidates of up to
    // 4 KB, 0.14 s a word at -O2; now a few thousand.
    WordPieceTokenizer tok({"[UNK]", "\xF0\x9F\x99\x82", "##\xF0\x9F\x99\x82"}, false, 1000);
    std::string word;
    for (int i = 0; i < 1000; ++i) word += "\xF0\x9F\x99\x82";
    std::string text;
    for (int i = 0; i < 20; ++i) text += word + " ";
    auto start = std::chrono::steady_clock::now();
    auto ids = tok.encode(text);
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    CHECK(ids.size() == 20000);
    CHECK(ids[0] == 1);
    CHECK(ids[1] == 2);
    CHECK(seconds < 0.5);  // was about 3 s
}
