// The build's promises on paper: scripts/deps.sh installs a list of Debian packages "with the
// reason we depend on each; README.md repeats the list". This keeps the two lists the same.
#include <doctest/doctest.h>

#include <regex>
#include <set>
#include <sstream>
#include <string>

#include "tests/process.h"

TEST_CASE("build: every package scripts/deps.sh installs is in README's Dependencies table, and back") {
    std::set<std::string> script, readme;
    std::istringstream deps(::testing::read_file("scripts/deps.sh"));
    bool in_list = false;
    for (std::string line; std::getline(deps, line);) {
        if (line.rfind("PACKAGES=(", 0) == 0) in_list = true;
        else if (in_list && line.rfind(")", 0) == 0) break;
        else if (in_list) {
            std::smatch m;
            if (std::regex_search(line, m, std::regex(R"(^\s*([a-z0-9][a-z0-9.+-]*))"))) script.insert(m[1]);
        }
    }
    const std::string text = ::testing::read_file("README.md");
    const std::size_t from = text.find("## Dependencies"), to = text.find("\n## ", from + 1);
    REQUIRE(from != std::string::npos);
    std::istringstream table(text.substr(from, to - from));
    for (std::string line; std::getline(table, line);) {
        std::smatch m;
        if (std::regex_search(line, m, std::regex(R"(^\| `([a-z0-9][a-z0-9.+-]*)` \|)"))) readme.insert(m[1]);
    }
    CHECK(script.size() >= 8);  // the parse found the list
    for (const std::string& p : script) CHECK_MESSAGE(readme.count(p), "scripts/deps.sh installs ", p, ", README's table lacks it");
    for (const std::string& p : readme) CHECK_MESSAGE(script.count(p), "README lists ", p, ", scripts/deps.sh does not install it");
}
