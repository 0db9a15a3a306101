// check.h — the exercises' checks: small, named, and talkative when they fail.
//
// A check is a function registered for one exercise:
//
//     EXERCISE_CHECK(5, "the causal mask hides the future") {
//         expect_near(w[1], 0.0, 1e-6, "weight of query 0 on key 1",
//                     "fill scores[i][j] with -inf for j > i before the softmax");
//     }
//
// An expect_* that fails throws Failure, whose message says what was checked, the
// expected value, the value got, and a hint — never just "assertion failed". The first
// failed expectation ends its check; the other checks still run.
#pragma once

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cmath>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

namespace aprender::exercises::check {

struct Failure : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// The exercise cannot be checked on this machine — a data file of the project is missing, say —
// which is no fault of the student's code: not a failed check. run() stops at the first one,
// and the program says what to fix instead of a verdict (check_main.cpp: exit status 3).
struct SetupProblem : std::runtime_error {
    using std::runtime_error::runtime_error;
};
[[noreturn]] void setup_problem(const std::string& what);

// The text of data/<relative> (the project's committed data, found as the tutorials find it:
// $APRENDER_DATA, or walking up from the current directory or from the program): a file that
// is not there is a SetupProblem.
std::string read_project_data(const std::string& relative);

struct Case {
    int exercise;
    std::string name;
    std::function<void()> fn;
};
std::vector<Case>& registry();
struct Registrar {
    Registrar(int exercise, const char* name, void (*fn)());
};

struct Info {
    int number;
    const char* slug;    // folder: exercises/<NN>_<slug>/
    const char* title;   // English
    const char* titulo;  // Português
};
const Info& info(int exercise);  // throws for an unknown number
const std::vector<Info>& all_exercises();

// The result of running one exercise's checks.
struct Outcome {
    int exercise = 0;
    int passed = 0, failed = 0;
    bool not_implemented = false;  // some check hit a NotImplemented stub
    std::vector<std::string> failures;  // "check name: message", one per failed check
    std::string setup_problem;          // why the checks could not run here ("" when they could)
    bool ok() const { return failed == 0 && passed > 0 && setup_problem.empty(); }
};
// Run the checks registered for `exercise`; print each (✓/✗ with the message) when verbose.
// The check running now (null between checks): check_main's signal handler names it
// when the student's code crashes, or is stopped by check.sh's timeout.
extern const char* volatile current_check;

Outcome run(int exercise, bool verbose);

// ---- expectations -------------------------------------------------------------------
[[noreturn]] void fail(const std::string& what, const std::string& expected, const std::string& got,
                       const std::string& hint);

void expect_true(bool ok, const std::string& what, const std::string& expected, const std::string& got,
                 const std::string& hint);
void expect_near(double got, double expected, double tol, const std::string& what, const std::string& hint);
// Element by element; the message names the first element that differs.
void expect_all_near(const std::vector<double>& got, const std::vector<double>& expected, double tol,
                     const std::string& what, const std::string& hint);

template <class T, class U>
void expect_eq(const T& got, const U& expected, const std::string& what, const std::string& hint) {
    if (!(got == expected)) fail(what, fmt::format("{}", expected), fmt::format("{}", got), hint);
}

}  // namespace aprender::exercises::check

#define APRENDER_EX_CAT2(a, b) a##b
#define APRENDER_EX_CAT(a, b) APRENDER_EX_CAT2(a, b)
#define EXERCISE_CHECK(n, name)                                                                        \
    static void APRENDER_EX_CAT(exercise_check_, __LINE__)();                                          \
    static ::aprender::exercises::check::Registrar APRENDER_EX_CAT(exercise_registrar_, __LINE__)(     \
        (n), (name), &APRENDER_EX_CAT(exercise_check_, __LINE__));                                     \
    static void APRENDER_EX_CAT(exercise_check_, __LINE__)()
