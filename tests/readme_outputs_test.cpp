// README.md's claims checked against the programs. The tables of tutorials name flags, and
// the code blocks show `aprender` commands: each flag must be in that program's --help.
//
// README.md quotes what the tutorials print: a line "From `build/tutorials/NN_name ARGS`"
// and, after it, a code block. For the tutorials that run in seconds, this test runs the
// quoted command and checks that the quote's lines appear in what it prints, in order, so
// an excerpt cannot drift from the program unnoticed. ("..." in a quote skips lines.)
//
// Text must match exactly; numbers within 2% (or both below 1e-5 — a residual like 1.1e-07
// may change with the CPU's BLAS kernels), so a faster machine or another CPU passes, and
// a changed method, message or layout fails. 06, 07, 08 and 10 train models or print
// timings: their excerpts are refreshed by hand from `make tour`.
#include <doctest/doctest.h>

#include <cmath>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "tests/process.h"

namespace {

struct Excerpt {
    std::string command;             // e.g. "05_attention --quick --no-pause"
    std::vector<std::string> lines;  // the code block, as quoted
};

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) out.push_back(line);
    return out;
}

// Every "From `build/tutorials/...`" quote of the README, with the code block after it.
std::vector<Excerpt> readme_excerpts() {
    const std::vector<std::string> readme = lines_of(::testing::read_file("README.md"));
    const std::regex from(R"(^From `build/tutorials/([^`]+)`)");
    std::vector<Excerpt> out;
    for (std::size_t i = 0; i < readme.size(); ++i) {
        std::smatch m;
        if (!std::regex_search(readme[i], m, from)) continue;
        std::size_t open = i + 1;
        while (open < readme.size() && readme[open].rfind("```", 0) != 0) ++open;
        Excerpt e{m[1], {}};
        for (std::size_t j = open + 1; j < readme.size() && readme[j].rfind("```", 0) != 0; ++j) e.lines.push_back(readme[j]);
        out.push_back(e);
    }
    return out;
}

// A line with its numbers taken out: the text that must match exactly, and the numbers.
const std::regex kNumber(R"(-?\d+(?:\.\d+)?(?:e[-+]\d+)?)");

std::string skeleton(const std::string& line) { return std::regex_replace(line, kNumber, "#"); }

std::vector<double> numbers(const std::string& line) {
    std::vector<double> out;
    for (auto it = std::sregex_iterator(line.begin(), line.end(), kNumber); it != std::sregex_iterator(); ++it)
        out.push_back(std::stod(it->str()));
    return out;
}

// Does --help offer this flag (as a whole: --out is not offered by --output)?
bool offers(const std::string& help, const std::string& flag) {
    return std::regex_search(help, std::regex(flag + "(?![a-z0-9-])"));
}

bool same_line(const std::string& quoted, const std::string& printed) {
    if (skeleton(quoted) != skeleton(printed)) return false;
    std::vector<double> a = numbers(quoted), b = numbers(printed);
    for (std::size_t k = 0; k < a.size(); ++k) {
        const double x = a[k], y = b[k];
        const bool close = x == y || std::abs(x - y) <= 0.02 * std::max(std::abs(x), std::abs(y)) ||
                           (std::abs(x) < 1e-5 && std::abs(y) < 1e-5);
        if (!close) return false;
    }
    return true;
}

// Runs the quote's command (its files go to a scratch folder) and checks the quote.
void check_excerpt(const Excerpt& e) {
    ::testing::TempDir out;
    auto r = ::testing::run_process(::testing::build_dir() + "/tutorials/" + e.command + " --out " + out.dir.string());
    INFO("README quote of `", e.command, "`");
    REQUIRE(r.status == 0);
    const std::vector<std::string> printed = lines_of(r.output);
    std::size_t at = 0;  // the quote's lines come in the program's order
    for (const std::string& quoted : e.lines) {
        if (quoted.find_first_not_of(' ') == std::string::npos || quoted.find_first_not_of(' ') == quoted.find("...")) continue;
        std::size_t k = at;
        while (k < printed.size() && !same_line(quoted, printed[k])) ++k;
        CHECK_MESSAGE(k < printed.size(), "the README quotes a line the program no longer prints (at this place):\n  ",
                      quoted);
        if (k < printed.size()) at = k + 1;
    }
}

void check_quotes_of(const std::vector<std::string>& tutorials) {
    int checked = 0;
    for (const Excerpt& e : readme_excerpts())
        for (const std::string& name : tutorials)
            if (e.command.rfind(name + " ", 0) == 0) {
                check_excerpt(e);
                ++checked;
            }
    CHECK(checked == (int)tutorials.size());  // each has its quote in the README
}

}  // namespace

TEST_CASE("README: the quoted outputs of 01, 03, 05 and 09 are what they print") {
    check_quotes_of({"01_eliza", "03_autograd", "05_attention", "09_lora_rank"});
}

TEST_CASE("README: the quoted outputs of 02 and 04 (real corpora) are what they print" *
          doctest::skip(!::testing::corpora_present())) {
    check_quotes_of({"02_ngrams", "04_word2vec"});
}

TEST_CASE("README: every flag the table of tutorials names is in that tutorial's --help") {
    const std::regex row(R"(^\| `(\d\d_[a-z0-9_]+)` \|(.*))"), flag(R"((?:^|[^\w-])(--[a-z][a-z0-9-]*))");
    int rows = 0;
    for (const std::string& line : lines_of(::testing::read_file("README.md"))) {
        std::smatch m;
        if (!std::regex_search(line, m, row)) continue;
        ++rows;
        const std::string name = m[1], rest = m[2];
        auto help = ::testing::run_process(::testing::build_dir() + "/tutorials/" + name + " --help");
        REQUIRE(help.status == 0);
        for (auto it = std::sregex_iterator(rest.begin(), rest.end(), flag); it != std::sregex_iterator(); ++it)
            CHECK_MESSAGE(offers(help.output, (*it)[1].str()), "README's row of ", name, " names ", (*it)[1].str(),
                          ", which its --help does not offer");
    }
    CHECK(rows == 10);
}

TEST_CASE("README: every flag of the aprender commands in its code blocks is in that command's --help") {
    std::vector<std::string> commands;  // `aprender ...` lines of code blocks, continuations joined
    bool in_block = false;
    const std::vector<std::string> readme = lines_of(::testing::read_file("README.md"));
    for (std::size_t i = 0; i < readme.size(); ++i) {
        if (readme[i].rfind("```", 0) == 0) { in_block = !in_block; continue; }
        if (!in_block || !std::regex_search(readme[i], std::regex(R"(^\s*(build/)?aprender [a-z])"))) continue;
        std::string line = readme[i];
        while (!line.empty() && line.back() == '\\' && i + 1 < readme.size()) line = line.substr(0, line.size() - 1) + readme[++i];
        commands.push_back(line.substr(0, line.find('#')));  // not the comment
    }
    CHECK(commands.size() >= 10);
    const std::regex words(R"(aprender ([a-z]+)(?: ([a-z]+))?)"), flag(R"((?:^|[^\w-])(--[a-z][a-z0-9-]*))");
    for (const std::string& c : commands) {
        std::smatch m;
        REQUIRE(std::regex_search(c, m, words));
        const std::string command = m[1] == "lora" ? "lora " + m[2].str() : m[1].str();
        auto help = ::testing::run_process(::testing::build_dir() + "/aprender " + command + " --help");
        CHECK_MESSAGE(help.status == 0, "aprender ", command, " --help");
        for (auto it = std::sregex_iterator(c.begin(), c.end(), flag); it != std::sregex_iterator(); ++it)
            CHECK_MESSAGE(offers(help.output, (*it)[1].str()), "README runs `aprender ", command, " ", (*it)[1].str(),
                          "`, which its --help does not offer");
    }
}
