// The `aprender tokenize` command end to end: train, encode to a token file, decode back,
// and a clear non-zero exit on bad input. Runs the built binary (APRENDER_BUILD or build/).
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
}
