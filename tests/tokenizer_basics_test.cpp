// Tests for the shared pieces: Unicode helpers, word splitting, token files, and the
// character and word tokenizers.
#include <doctest/doctest.h>

#include "tokenizer/char.h"
#include "tokenizer/json_file.h"
#include "tokenizer/token_file.h"
#include "tokenizer/tokenizer.h"
#include "tokenizer/unicode.h"
#include "tokenizer/word.h"

#include <cstdio>
#include <sys/stat.h>
#include <filesystem>
#include <fstream>

using namespace aprender::tokenizer;

namespace {
std::string temp_dir(const std::string& name) {
    auto dir = std::filesystem::temp_directory_path() / ("aprender_test_" + name);
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    return dir.string();
}
}  // namespace

TEST_CASE("tokenizer: unicode lower, nfc and validation") {
    CHECK(lower("ÉÇÃO Constituição") == "éção constituição");
    CHECK(nfc("e\xCC\x81") == "é");                      // e + combining acute -> é
    CHECK(strip_accents("Constituição") == "Constituicao");
    size_t bad = 99;
    CHECK(is_valid_utf8("ação"));
    CHECK_FALSE(is_valid_utf8("ab\xFF", &bad));
    CHECK(bad == 2);
    CHECK_FALSE(is_valid_utf8("\xED\xA0\x80"));  // a UTF-16 surrogate is not UTF-8
    CHECK_FALSE(is_valid_utf8("\xC0\xAF"));      // overlong "/"
    CHECK_THROWS_WITH_AS(nfc("ok\xC3"), "invalid UTF-8 in text at byte 2 (0xC3)", TokenizerError);
    CHECK(decode_utf8("ãé") == std::vector<char32_t>{U'ã', U'é'});
    CHECK(encode_utf8(std::vector<char32_t>{U'ç', U'😀'}) == "ç😀");
    CHECK_THROWS_AS(encode_utf8(char32_t(0xD800)), TokenizerError);
}

TEST_CASE("tokenizer: normalizing stays linear: a run of more than 30 combining marks gets a joiner (stream-safe text)") {
    // a + (acute, dot below) x 40: 80 marks on one letter. NFC sorts each run of marks by
    // combining class, and a sort of a 100 000-mark run would take minutes; Unicode's
    // stream-safe format caps runs at 30 by inserting U+034F COMBINING GRAPHEME JOINER.
    std::string zalgo = "a";
    for (int i = 0; i < 40; ++i) zalgo += "\xCC\x81\xCC\xA3";
    std::string n = nfc(zalgo);
    auto cps = decode_utf8(n);
    int run = 0, longest = 0, joiners = 0;
    for (char32_t cp : cps) {
        if (cp == 0x34F) ++joiners, run = 0;
        else if (cp >= 0x300 && cp < 0x370) longest = std::max(longest, ++run);
        else run = 0;
    }
    CHECK(joiners == 2);  // after marks 30 and 60 (á takes the first acute: 79 marks remain)
    CHECK(longest <= 30);
    CHECK(nfc("e\xCC\x81 coração") == "é coração");  // ordinary text is untouched
}

TEST_CASE("tokenizer: split_words keeps words whole and punctuation apart") {
    using V = std::vector<std::string>;
    CHECK(split_words("Olá, Mundo! TP558 é legal.") == V{"Olá", ",", "Mundo", "!", "TP558", "é", "legal", "."});
    CHECK(split_words("ÉGUA  Água\tação", true) == V{"égua", "água", "ação"});
    CHECK(split_words("ac\xCC\xA7\xC3\xA3o") == V{"ação"});  // decomposed ç is composed first
    CHECK(split_words("guarda-chuva (2024)...") == V{"guarda", "-", "chuva", "(", "2024", ")", ".", ".", "."});
    CHECK(split_words("   ").empty());
    CHECK_THROWS_WITH_AS(split_words("abc \xFF"), "invalid UTF-8 in text at byte 4 (0xFF)", TokenizerError);
}

TEST_CASE("tokenizer: word tokenizer vocabulary, unk, decode, save/load") {
    auto tok = WordTokenizer::train("o gato viu o rato. O rato fugiu!", {.lowercase = true, .min_count = 2});
    CHECK(tok.id_to_token(0) == "<unk>");
    CHECK(tok.id_to_token(1) == "o");  // most frequent
    CHECK(tok.id_to_token(2) == "rato");
    CHECK(tok.vocab_size() == 3);
    auto ids = tok.encode("O rato e o gato");
    CHECK(ids == std::vector<int32_t>{1, 2, 0, 1, 0});
    CHECK(tok.decode({1, 2, 0}) == "o rato <unk>");
    auto full = WordTokenizer::train("Olá, mundo! (sim)");
    CHECK(full.decode(full.encode("Olá, mundo! (sim)")) == "Olá, mundo! (sim)");
    CHECK_THROWS_WITH_AS(tok.decode({7}), "unknown token id 7 (vocabulary has ids 0..2)", TokenizerError);
    CHECK_THROWS_AS(WordTokenizer::train("  \n "), TokenizerError);
    auto dir = temp_dir("word");
    tok.save(dir);
    auto back = load(dir);
    CHECK(back->type() == "word");
    CHECK(back->encode("O rato e o gato") == ids);
}

TEST_CASE("tokenizer: char tokenizer treats ã as one token") {
    auto tok = CharTokenizer::train("A constituição não é só papel.");
    auto ids = tok.encode("não");
    REQUIRE(ids.size() == 3);
    CHECK(tok.id_to_token(ids[1]) == "ã");
    CHECK(tok.encode("na\xCC\x83o") == ids);  // decomposed ã: same single token
    CHECK(tok.decode(tok.encode("papel é só")) == "papel é só");
    CHECK(tok.encode("x")[0] == tok.unk_id());
    CHECK(tok.decode(tok.encode("x")) == "\xEF\xBF\xBD");
    CHECK_THROWS_WITH_AS(tok.encode("n\xC3"), "invalid UTF-8 in text at byte 1 (0xC3)", TokenizerError);
    CHECK_THROWS_AS(tok.decode({-1}), TokenizerError);
    CHECK_THROWS_AS(CharTokenizer::train(""), TokenizerError);
    auto dir = temp_dir("char");
    tok.save(dir);
    auto back = load(dir);
    CHECK(back->type() == "char");
    CHECK(back->vocab_size() == tok.vocab_size());
    CHECK(back->encode("constituição") == tok.encode("constituição"));
}

TEST_CASE("tokenizer: token and text files never replace a device or a pipe by a file") {
    auto dir = std::filesystem::temp_directory_path() / "aprender_tok_fifo";
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    const std::string pipe = (dir / "a_pipe").string();
    REQUIRE(mkfifo(pipe.c_str(), 0600) == 0);
    CHECK_THROWS_WITH(aprender::tokenizer::write_token_file(pipe, {1, 2, 3}, 10), doctest::Contains("not a regular file"));
    CHECK_THROWS_WITH(aprender::tokenizer::write_text_file(pipe, "x"), doctest::Contains("not a regular file"));
    CHECK(std::filesystem::is_fifo(pipe));
    std::filesystem::remove_all(dir);
}

TEST_CASE("tokenizer: a tokenizer.json without its fields names them, in words") {
    auto dir = std::filesystem::temp_directory_path() / "aprender_tok_fields";
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    auto message = [&](const std::string& json) {
        std::ofstream(dir / "tokenizer.json") << json;
        try {
            aprender::tokenizer::load(dir.string());
        } catch (const aprender::tokenizer::TokenizerError& e) {
            return std::string(e.what());
        }
        return std::string("(loaded)");
    };
    std::string missing = message(R"({"type": "char"})");
    CHECK(missing.find("tokenizer.json: missing field \"tokens\"") != std::string::npos);
    std::string wrong = message(R"({"type": "char", "tokens": [1, 2]})");
    CHECK(wrong.find("a field has the wrong type (type must be string, but is number)") != std::string::npos);
    std::string broken = message(R"({"type": "char", )");
    CHECK(broken.find("is not valid JSON: ") != std::string::npos);
    for (const auto& m : {missing, wrong, broken}) CHECK(m.find("[json.exception") == std::string::npos);
    std::filesystem::remove_all(dir);
}

TEST_CASE("tokenizer: token files round trip, uint16 and uint32") {
    auto dir = temp_dir("tokfile");
    std::vector<int32_t> ids{0, 1, 50256, 65535};
    write_token_file(dir + "/train.bin", ids, 65536);
    CHECK(std::filesystem::file_size(dir + "/train.bin") == 8);
    CHECK(read_token_file(dir + "/train.bin") == ids);
    std::vector<int32_t> big{0, 70000, 199999};
    CHECK_THROWS_AS(write_token_file(dir + "/big.bin", big, 200000), TokenizerError);
    write_token_file(dir + "/big.u32.bin", big, 200000);
    CHECK(std::filesystem::file_size(dir + "/big.u32.bin") == 12);
    CHECK(read_token_file(dir + "/big.u32.bin") == big);
    CHECK_THROWS_WITH_AS(write_token_file(dir + "/x.bin", {5}, 5), doctest::Contains("id 5 at position 0 is outside [0, 5)"), TokenizerError);
    { std::ofstream(dir + "/odd.bin", std::ios::binary) << "abc"; }
    CHECK_THROWS_AS(read_token_file(dir + "/odd.bin"), TokenizerError);
    CHECK_THROWS_AS(read_token_file(dir + "/missing.bin"), TokenizerError);
    // little-endian on disk
    std::ifstream in(dir + "/train.bin", std::ios::binary);
    unsigned char b[4];
    in.read(reinterpret_cast<char*>(b), 4);
    CHECK(b[2] == 1);
    CHECK(b[3] == 0);
}
