// check_main.cpp — the program behind `make check`: run the checks linked into it.
//
//   build/exercises/student/ex05            every check of the exercises linked in (one)
//   build/exercises/student/ex05 --brief    one line per exercise, and the first failure
//
// Exit status 0 when every check passes. The last line is "exercise N: PASS ..." or
// "exercise N: not yet ...", which exercises/check.sh reads for the progress summary.
#include "exercises/check.h"

// Some checks reuse tests/gradcheck.h, which includes doctest for its CHECK_GRAD macro:
// doctest's implementation (not its main) must then be linked in, as in tests/main.cpp.
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include <cstdio>
#include <cstring>
#include <set>

using namespace aprender::exercises::check;

int main(int argc, char** argv) {
    bool brief = false;
    for (int i = 1; i < argc; ++i) {
        if (!std::strcmp(argv[i], "--brief")) brief = true;
        else {
            std::fprintf(stderr, "usage: %s [--brief]\n", argv[0]);
            return 2;
        }
    }
    std::set<int> numbers;
    for (const Case& c : registry()) numbers.insert(c.exercise);
    bool all_ok = !numbers.empty();
    for (int n : numbers) {
        const Info& in = info(n);
        if (!brief) std::printf("Exercise %d — %s\nExercício %d — %s\n", n, in.title, n, in.titulo);
        Outcome o = run(n, !brief);
        int total = o.passed + o.failed;
        if (o.ok()) {
            std::printf("exercise %d: PASS (%d/%d checks)\n", n, o.passed, total);
        } else {
            if (brief && !o.failures.empty()) std::printf("  ✗ %s\n", o.failures.front().c_str());
            std::printf("exercise %d: not yet (%d/%d checks pass%s)\n", n, o.passed, total,
                        o.not_implemented ? "; not implemented yet" : "");
            all_ok = false;
        }
    }
    return all_ok ? 0 : 1;
}
