// The `aprender tokenize` command end to end: train, encode to a token file, decode back,
// and a clear non-zero exit on bad input. Runs the built binary (APRENDER_BUILD or build/).
#include "process.h"

#include <doctest/doctest.h>

#include "tokenizer/json_file.h"
#include "tokenizer/token_file.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

namespace {
std::string cli() {
    const char* build = std::getenv("APRENDER_BUILD");
    return std::string(build ? build : "build") + "/aprender";
}
// Output is discarded unless the arguments redirect it themselves.
int run(const std::string& args) {
    const bool redirected = args.find('>') != std::string::npos;
    return std::system((cli() + " " + args + (redirected ? "" : " >/dev/null") + " 2>/dev/null").c_str());
}
}  // namespace

TEST_CASE("tokenizer: aprender tokenize train, encode .bin, decode" * doctest::skip(!std::filesystem::exists(cli()))) {
    auto dir = (std::filesystem::temp_directory_path() / "aprender_test_cli").string();
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    const std::string text = "A constituição não é só papel. A constituição garante direitos.\nÉ isso!\n";
    { std::ofstream(dir + "/corpus.txt", std::ios::binary) << text; }
    REQUIRE(run("tokenize train --type bpe --vocab-size 300 --input " + dir + "/corpus.txt --out " + dir + "/tok") == 0);
    REQUIRE(run("tokenize encode --tokenizer " + dir + "/tok --input " + dir + "/corpus.txt --output " + dir + "/train.bin") == 0);
    auto ids = aprender::tokenizer::read_token_file(dir + "/train.bin");
    CHECK(ids.size() < text.size());
    REQUIRE(run("tokenize decode --tokenizer " + dir + "/tok --input " + dir + "/train.bin > " + dir + "/back.txt") == 0);
    CHECK(aprender::tokenizer::read_text_file(dir + "/back.txt") == text);
    // bad input: clear error, non-zero exit
    CHECK(run("tokenize train --type bpe --vocab-size 10 --input " + dir + "/corpus.txt --out " + dir + "/t2") != 0);
    CHECK(run("tokenize decode --tokenizer " + dir + "/tok --input " + dir + "/corpus.txt") != 0);  // text is not ids
    CHECK(run("tokenize encode --tokenizer " + dir + "/nothing --input " + dir + "/corpus.txt") != 0);
    // what is saved stays unless --force: the ids file, the corpus itself, a tokenizer folder
    const std::string bin_before = aprender::tokenizer::read_text_file(dir + "/train.bin");
    const std::string encode = "tokenize encode --tokenizer " + dir + "/tok --input " + dir + "/corpus.txt --output ";
    CHECK(run(encode + dir + "/train.bin") == 2 << 8);
    CHECK(aprender::tokenizer::read_text_file(dir + "/train.bin") == bin_before);
    CHECK(run(encode + dir + "/corpus.txt --force") == 2 << 8);  // never the input, even with --force
    CHECK(aprender::tokenizer::read_text_file(dir + "/corpus.txt") == text);
    CHECK(run(encode + dir + "/train.bin --force") == 0);
    const std::string vocab_before = aprender::tokenizer::read_text_file(dir + "/tok/vocab.json");
    CHECK(run("tokenize train --type char --input " + dir + "/corpus.txt --out " + dir + "/tok") == 2 << 8);
    CHECK(aprender::tokenizer::read_text_file(dir + "/tok/vocab.json") == vocab_before);
    CHECK(run("tokenize train --type char --input " + dir + "/corpus.txt --out " + dir + "/tok --force") == 0);
    CHECK_FALSE(std::filesystem::exists(dir + "/tok/merges.txt"));  // the BPE's files went with it
    // a --min-count no word reaches would leave only the special tokens
    CHECK(run("tokenize train --type word --min-count 50 --input " + dir + "/corpus.txt --out " + dir + "/few") == 2 << 8);
    CHECK_FALSE(std::filesystem::exists(dir + "/few/tokenizer.json"));
    // --show spells characters that would garble the terminal line: DEL, a right-to-left override
    { std::ofstream(dir + "/odd.txt", std::ios::binary) << "a\x7f\xe2\x80\xae" "b"; }
    REQUIRE(run("tokenize train --type char --input " + dir + "/odd.txt --out " + dir + "/odd --force") == 0);
    REQUIRE(run("tokenize encode --tokenizer " + dir + "/odd --input " + dir + "/odd.txt --show > " + dir + "/shown.txt") == 0);
    std::string shown = aprender::tokenizer::read_text_file(dir + "/shown.txt");
    CHECK(shown.find("<0x7F>") != std::string::npos);
    CHECK(shown.find("<U+202E>") != std::string::npos);
    // in a file, no colour codes: the tokens are split by '│'
    CHECK(shown.find("\x1b[") == std::string::npos);
    CHECK(shown.find("│") != std::string::npos);
    CHECK(shown.find("\xe2\x80\xae") == std::string::npos);
    // text that is not UTF-8 (a Latin-1 file) is refused, saying where; a character the
    // char vocabulary lacks is refused rather than encoded as <unk>
    { std::ofstream(dir + "/latin1.txt", std::ios::binary) << "constitui\xe7\xe3o"; }
    auto refused = [](const std::string& args, const std::string& message) {
        auto r = testing::run_process(cli() + " " + args);
        INFO(args, " → ", r.output);
        CHECK(r.status == 2);
        CHECK(r.has(message));
    };
    refused("tokenize train --type bpe --vocab-size 260 --input " + dir + "/latin1.txt --out " + dir + "/l1",
            "latin1.txt is not valid UTF-8: byte 9 (0xE7)");
    refused("tokenize encode --tokenizer " + dir + "/odd --input " + dir + "/corpus.txt",
            "corpus.txt has characters the vocabulary (char tokenizer");
    // a flag for another action or kind is refused, not ignored
    refused("tokenize decode --tokenizer " + dir + "/tok --input " + dir + "/train.bin --output " + dir + "/never.txt",
            "--output applies only to tokenize encode");
    CHECK_FALSE(std::filesystem::exists(dir + "/never.txt"));
    refused("tokenize train --type bpe --lowercase --input " + dir + "/corpus.txt --out " + dir + "/lc",
            "--lowercase applies only to --type word or wordpiece");
}

TEST_CASE("tokenizer: aprender tokenize train --type wordpiece --keep-accents" * doctest::skip(!std::filesystem::exists(cli()))) {
    auto dir = (std::filesystem::temp_directory_path() / "aprender_test_cli_accents").string();
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    { std::ofstream(dir + "/corpus.txt", std::ios::binary) << "Roma é a capital da Itália. Você e a ação.\n"; }
    { std::ofstream(dir + "/e.txt", std::ios::binary) << "é e"; }
    auto ids_of = [&](const std::string& tok) {  // the ids of "é e", as text
        REQUIRE(run("tokenize encode --tokenizer " + dir + "/" + tok + " --input " + dir + "/e.txt --output " + dir + "/" + tok + ".ids") == 0);
        return aprender::tokenizer::read_text_file(dir + "/" + tok + ".ids");
    };
    const std::string train = "tokenize train --type wordpiece --vocab-size 100 --input " + dir + "/corpus.txt --lowercase ";
    REQUIRE(run(train + "--keep-accents --out " + dir + "/kept") == 0);
    REQUIRE(run(train + "--out " + dir + "/stripped") == 0);
    auto kept = aprender::tokenizer::read_json_file(dir + "/kept/tokenizer.json");
    CHECK(kept.at("lowercase") == true);
    CHECK(kept.at("strip_accents") == false);
    CHECK(aprender::tokenizer::read_json_file(dir + "/stripped/tokenizer.json").at("strip_accents") == true);
    auto k = ids_of("kept"), s = ids_of("stripped");
    CHECK(k.substr(0, k.find(' ')) != k.substr(k.find(' ') + 1, k.find('\n') - k.find(' ') - 1));  // "é" ≠ "e"
    CHECK(s.substr(0, s.find(' ')) == s.substr(s.find(' ') + 1, s.find('\n') - s.find(' ') - 1));  // "é" = "e"
    REQUIRE(run("tokenize --help > " + dir + "/help.txt") == 0);
    CHECK(aprender::tokenizer::read_text_file(dir + "/help.txt").find("--keep-accents") != std::string::npos);
}
