// The README's "Autograd in 20 lines", verbatim: if this stops compiling or fitting, the
// README is wrong. The second test keeps "verbatim" true: every line of the README's code
// block (but the include, the using and the print) must be a line of this file.
#include "autograd/ops.h"
#include "tests/process.h"

#include <doctest/doctest.h>

#include <sstream>

using namespace aprender;

TEST_CASE("autograd: the README example fits y = 3x - 1") {
    Generator gen(0);
    Tensor x = Tensor::uniform({64, 1}, -1, 1, gen);             // 64 samples, 1 feature
    Tensor y = x * 3.0 - 1.0 + Tensor::normal({64, 1}, 0, 0.01, gen);
    Tensor w = Tensor::zeros({1, 1}).requires_grad_();           // parameters: leaves that
    Tensor b = Tensor::zeros({1}).requires_grad_();              // want a .grad()
    for (int step = 0; step < 200; ++step) {
        Tensor err = linear(x, w, b) - y;       // records LinearBackward, BinaryBackward...
        Tensor loss = mean(err * err);
        loss.backward();                        // fills w.grad() and b.grad(), frees the graph
        NoGradGuard no_grad;                    // the update itself must not be recorded
        w.copy_from(w - w.grad() * 0.5);
        b.copy_from(b - b.grad() * 0.5);
        w.zero_grad();                          // .grad() accumulates (+=) otherwise
        b.zero_grad();
    }
    CHECK(fmt::format("w = {:.2f}, b = {:.2f}", w.item(), b.item()) == "w = 3.00, b = -1.00");
}

TEST_CASE("autograd: the README example above is the README's code, line for line") {
    const std::string readme = ::testing::read_file("README.md"), self = ::testing::read_file("tests/readme_example_test.cpp");
    const std::size_t section = readme.find("## Autograd in 20 lines");
    REQUIRE(section != std::string::npos);
    const std::size_t open = readme.find("```cpp\n", section), close = readme.find("```", open + 7);
    REQUIRE(close != std::string::npos);
    std::istringstream block(readme.substr(open + 7, close - open - 7));
    int compared = 0;
    for (std::string line; std::getline(block, line);) {
        if (line.empty() || line.rfind("#include", 0) == 0 || line.rfind("using ", 0) == 0 || line.rfind("fmt::print", 0) == 0)
            continue;
        CHECK_MESSAGE(self.find("    " + line + "\n") != std::string::npos, "README line not in this test: ", line);
        ++compared;
    }
    CHECK(compared >= 15);
}
