// check_main.cpp — the program behind `make check`: run the checks linked into it.
//
//   build/exercises/student/ex05            every check of the exercises linked in (one)
//   build/exercises/student/ex05 --brief    one line per exercise, and the first failure
//
// Exit status 0 when every check passes, 1 when one does not, 2 for a bad command line, 3
// when the checks cannot run on this machine (a data file of the project missing: check.h's
// SetupProblem). The last line is "exercise N: PASS ...", "exercise N: not yet ..." or
// "exercise N: cannot be checked here: ...", which exercises/check.sh reads for the progress
// summary.
#include "exercises/check.h"

// Some checks reuse tests/gradcheck.h, which includes doctest for its CHECK_GRAD macro:
// doctest's implementation (not its main) must then be linked in, as in tests/main.cpp.
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include <csignal>
#include <cstdio>
#include <cstring>
#include <set>
#include <unistd.h>

using namespace aprender::exercises::check;

namespace {

// A crash (or check.sh's timeout) in the student's code: say in which check, then die of
// the same signal so the exit status still tells what happened. Only write(2) and
// strlen are used here: a signal handler may not call printf.
void say_where_and_die(int sig) {
    const char* what = sig == SIGSEGV   ? "crashed (segmentation fault: a bad pointer or index?)"
                       : sig == SIGFPE  ? "crashed (arithmetic error: an integer division by zero?)"
                       : sig == SIGABRT ? "crashed (abort: a failed assert or an uncaught exception?)"
                       : sig == SIGBUS  ? "crashed (bus error)"
                                        : "was stopped (too slow: an endless loop?)";
    const char* check = current_check;
    auto put = [](const char* s) { (void)!write(STDOUT_FILENO, s, std::strlen(s)); };
    put("\n  ✗ ");
    put(check ? check : "(between checks)");
    put(": your code ");
    put(what);
    put("\n");
    std::signal(sig, SIG_DFL);
    std::raise(sig);
}

}  // namespace

int main(int argc, char** argv) {
    std::setvbuf(stdout, nullptr, _IOLBF, 0);  // whole lines out before any crash
    for (int sig : {SIGSEGV, SIGFPE, SIGABRT, SIGBUS, SIGTERM}) std::signal(sig, say_where_and_die);
    bool brief = false;
    const char* name = std::strrchr(argv[0], '/') ? std::strrchr(argv[0], '/') + 1 : argv[0];
    for (int i = 1; i < argc; ++i) {
        if (!std::strcmp(argv[i], "--brief")) brief = true;
        else if (!std::strcmp(argv[i], "--help") || !std::strcmp(argv[i], "-h")) {
            std::printf("usage: %s [--brief]\n\nRuns the checks of the exercise linked into this program (make check "
                        "builds it).\n  --brief   one line per exercise and its first failure\n",
                        argv[0]);
            return 0;
        } else {
            std::fprintf(stderr, "%s: error: %s '%s' (usage: %s [--brief]; see --help)\n", name,
                         argv[i][0] == '-' ? "unknown flag" : "unexpected argument", argv[i], name);
            return 2;
        }
    }
    std::set<int> numbers;
    for (const Case& c : registry()) numbers.insert(c.exercise);
    bool all_ok = !numbers.empty(), setup_ok = true;
    for (int n : numbers) {
        const Info& in = info(n);
        if (!brief) std::printf("Exercise %d — %s\nExercício %d — %s\n", n, in.title, n, in.titulo);
        Outcome o = run(n, !brief);
        int total = o.passed + o.failed;
        if (!o.setup_problem.empty()) {  // not a verdict on the student's code
            std::printf("exercise %d: cannot be checked here: %s\n", n, o.setup_problem.c_str());
            setup_ok = false;
        } else if (o.ok()) {
            std::printf("exercise %d: PASS (%d/%d checks)\n", n, o.passed, total);
        } else {
            if (brief && !o.failures.empty()) std::printf("  ✗ %s\n", o.failures.front().c_str());
            std::printf("exercise %d: not yet (%d/%d checks pass%s)\n", n, o.passed, total,
                        o.not_implemented ? "; not implemented yet" : "");
            all_ok = false;
        }
    }
    return !setup_ok ? 3 : all_ok ? 0 : 1;
}
