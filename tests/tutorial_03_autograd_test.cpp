// 03_autograd in --quick mode: the chain rule agrees with finite differences and with the
// Tensor engine, x·x accumulates to 2x, the classifier learns.
#include "process.h"

#include <doctest/doctest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include <sys/wait.h>

#include "tutorials/common/term.h"

namespace {
std::string run03(const std::string& args, int& status) {
    testing::ProcessResult r = testing::run_process(testing::build_dir() + "/tutorials/03_autograd " + args);
    status = r.status;
    return r.output;
}
bool has(const std::string& out, const std::string& s) { return out.find(s) != std::string::npos; }
}  // namespace

TEST_CASE("tutorial: 03_autograd --quick shows the chain rule and trains the classifier") {
    int status = -1;
    auto out = run03("--quick --no-pause --no-color --lang en --out /tmp/aprender-test-03", status);
    CHECK(status == 0);
    CHECK(aprender::tutorial::first_line_wider_than(out) == "");  // in 88 columns (tutorial_test.cpp)
    CHECK(has(out, "o                =    0.7071"));
    CHECK(has(out, "∂o/∂w1  = 1.000000"));
    CHECK(has(out, "∂o/∂x1  = -1.500000"));
    CHECK(has(out, "grad with  =  : 3   ✗ wrong"));
    CHECK(has(out, "grad with += : 6   ✓ (2x = 6)"));
    CHECK(has(out, "x.grad(): 6 → 12"));
    CHECK(has(out, "max |difference| = 0.0e+00 ✓"));  // tensors vs the scalar engine
    CHECK(has(out, "Held-out accuracy 15/15"));
    CHECK(std::filesystem::exists("/tmp/aprender-test-03/neuron.dot"));
    CHECK(std::filesystem::exists("/tmp/aprender-test-03/classifier_loss.svg"));
    auto bad = run03("--no-pause --steps 0", status);
    CHECK(status == 2);
}
