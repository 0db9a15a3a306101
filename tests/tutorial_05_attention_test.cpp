// 05_attention in --quick mode: rows of attention sum to 1, nothing above the diagonal, and
// the trained position "é" looks at the grade ("nota máxima") more than uniform attention would.
#include "process.h"

#include <doctest/doctest.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include <sys/wait.h>

#include "tutorials/common/term.h"

namespace {
std::string run05(const std::string& args, int& status) {
    testing::ProcessResult r = testing::run_process(testing::build_dir() + "/tutorials/05_attention " + args);
    status = r.status;
    return r.output;
}
}  // namespace

TEST_CASE("tutorial: 05_attention --quick learns to look at the grade") {
    int status = -1;
    auto out = run05("--quick --no-pause --no-color --lang en --out /tmp/aprender-test-05", status);
    CHECK(status == 0);
    CHECK(aprender::tutorial::first_line_wider_than(out) == "");  // in 88 columns (tutorial_test.cpp)
    CHECK(out.find("every row sums to 1") != std::string::npos);
    CHECK(out.find("✓; weights above the diagonal") != std::string::npos);
    CHECK(out.find("largest 0.0e+00 ✓") != std::string::npos);
    auto at = out.find("attention(é → nota máxima) = ");
    REQUIRE(at != std::string::npos);
    double w = std::stod(out.substr(at + std::string("attention(é → nota máxima) = ").size()));
    CHECK(w > 0.5);  // uniform over the 8 words would give 2/8 = 0.25
    CHECK(out.find("Held-out accuracy: 6/6") != std::string::npos);
    // The scaling table: without 1/√d the entropy collapses as d grows.
    CHECK(out.find("entropy q·k/√d") != std::string::npos);
    auto pt = run05("--quick --no-pause --no-color --lang pt --out /tmp/aprender-test-05", status);
    CHECK(status == 0);
    CHECK(aprender::tutorial::first_line_wider_than(pt) == "");  // in 88 columns (tutorial_test.cpp)
    CHECK(pt.find("Para onde \"é\" olha?") != std::string::npos);
    CHECK(pt.find("atenção(é → nota máxima) = ") != std::string::npos);
    CHECK(pt.find("chave   aditivo  produto  general  escalado") != std::string::npos);
    CHECK(pt.find("attention(") == std::string::npos);
    CHECK(pt.find("additive") == std::string::npos);
    auto bad = run05("--no-pause --steps -3", status);
    CHECK(status == 2);
}
