// 04_word2vec in --quick mode: the SGNS gradient matches the hand formula, "rainha" ranks
// first for rei − homem + mulher on the synthetic corpus, vectors export in word2vec format.
#include "process.h"

#include <doctest/doctest.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <regex>
#include <string>

#include <sys/wait.h>

#include "tutorials/common/term.h"

namespace {
std::string run04(const std::string& args, int& status) {
    testing::ProcessResult r = testing::run_process(testing::build_dir() + "/tutorials/04_word2vec " + args);
    status = r.status;
    return r.output;
}
}  // namespace

TEST_CASE("tutorial: 04_word2vec --quick finds rainha") {
    int status = -1;
    auto out = run04("--quick --no-pause --no-color --lang en --out /tmp/aprender-test-04", status);
    CHECK(status == 0);
    CHECK(aprender::tutorial::first_line_wider_than(out) == "");  // in 88 columns (tutorial_test.cpp)
    CHECK(out.find("the two agree to") != std::string::npos);
    CHECK(out.find("✗") == std::string::npos);  // the hand gradient and autograd's agree (< 1e-5)
    // the real-corpus training shows its progress (plain lines in a pipe) and what it did
    CHECK(out.find("SGNS ██████████████████████████████ 100% loss ") != std::string::npos);
    CHECK(out.find("(word, context) pairs in") != std::string::npos);
    // what subsampling drops and how the analogy fares on the real corpus are measured, not
    // asserted (the sentences wrap anywhere, so read them with single spaces)
    std::string flat = std::regex_replace(out, std::regex(R"(\s+)"), " ");
    CHECK(std::regex_search(flat, std::regex(R"(most often: "[^"]+" \d+%, "[^"]+" \d+%, "[^"]+" \d+% of their)")));
    CHECK(std::regex_search(flat, std::regex(R"(words of the corpus above, (the question cannot even be asked: no )"
                                             R"(vector for "|"rainha" is only number \d+ of the \d+ words|"rainha" does come first))")));
    auto at = out.find("rank of \"rainha\" (3CosAdd): ");
    REQUIRE(at != std::string::npos);
    char r = out[at + std::string("rank of \"rainha\" (3CosAdd): ").size()];
    CHECK(r >= '1');
    CHECK(r <= '2');  // first or near first
    // The PCA groups are labelled in the session's language (the words stay Portuguese).
    CHECK(out.find("rainha      (") != std::string::npos);
    CHECK(out.find("female, royal") != std::string::npos);
    CHECK(out.find("feminino") == std::string::npos);
    CHECK(testing::read_file("/tmp/aprender-test-04/pca.csv").find("rainha,\"female, royal\",") != std::string::npos);
    CHECK(out.find("rank of \"rainha\" (3CosMul): ") != std::string::npos);
    // the sentence that says it (a wrapped line's break and indent match the format's spaces)
    auto b = out.find("Among barracuda's ");
    REQUIRE(b != std::string::npos);
    int fish = -1, car = -1;
    CHECK(std::sscanf(out.c_str() + b, "Among barracuda's %*d nearest neighbours — fish words: %d, car words: %d",
                      &fish, &car) == 2);
    CHECK(fish >= 1);  // both senses among its neighbours
    CHECK(car >= 1);
    std::ifstream v("/tmp/aprender-test-04/vectors.txt");
    std::size_t words = 0, dim = 0;
    v >> words >> dim;
    CHECK(words > 50);
    CHECK(dim == 24);
    // the vectors the tutorial compares: unit length (so other tools find the same neighbours)
    std::string word;
    double norm = 0, x = 0;
    v >> word;
    for (std::size_t j = 0; j < dim && v >> x; ++j) norm += x * x;
    CHECK(std::abs(norm - 1.0) < 1e-4);
    auto bad = run04("--no-pause --epochs 0", status);
    CHECK(status == 2);
}
