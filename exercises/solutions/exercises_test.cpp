// The exercises in the main suite (this file is not in the student kit):
//  * every exercise's checks pass on the reference solutions (so neither rots);
//  * every untouched skeleton fails every one of its checks with "not implemented yet";
//  * a plausible wrong answer (exercises/solutions/trivial/) fails every exercise;
//  * each exercise has its statement (en + pt), skeleton with TODO(exercise N), checks;
//  * the student kit holds no solutions.
#include "exercises/check.h"
#include "tests/process.h"

#include <doctest/doctest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace fs = std::filesystem;
using namespace aprender::exercises::check;

namespace {

std::string folder(int n) { return fmt::format("exercises/{:02d}_{}", n, info(n).slug); }

std::string read(const fs::path& p) {
    std::ifstream in(p);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

void solution_passes(int n) {
    Outcome o = run(n, false);
    std::string failures;
    for (const std::string& f : o.failures) failures += "\n" + f;
    INFO("exercise ", n, " against exercises/solutions/:", failures);
    CHECK(o.passed >= 4);  // every exercise has several checks
    CHECK(o.failed == 0);
}

}  // namespace

TEST_CASE("exercises: 1 (ELIZA) passes its checks on the reference solution") { solution_passes(1); }
TEST_CASE("exercises: 2 (add-k) passes its checks on the reference solution") { solution_passes(2); }
TEST_CASE("exercises: 3 (autograd op) passes its checks on the reference solution") { solution_passes(3); }
TEST_CASE("exercises: 4 (SGNS) passes its checks on the reference solution") { solution_passes(4); }
TEST_CASE("exercises: 5 (attention) passes its checks on the reference solution") { solution_passes(5); }
TEST_CASE("exercises: 6 (BERT masking) passes its checks on the reference solution") { solution_passes(6); }
TEST_CASE("exercises: 7 (sampling) passes its checks on the reference solution") { solution_passes(7); }
TEST_CASE("exercises: 8 (rank) passes its checks on the reference solution") { solution_passes(8); }
TEST_CASE("exercises: 9 (LoRA forward) passes its checks on the reference solution") { solution_passes(9); }
TEST_CASE("exercises: 10 (LoRA accounting) passes its checks on the reference solution") { solution_passes(10); }

TEST_CASE("exercises: each has a bilingual statement, a skeleton with its TODO, checks and a solution") {
    CHECK(all_exercises().size() == 10);
    for (const Info& e : all_exercises()) {
        std::string dir = folder(e.number);
        INFO(dir);
        REQUIRE(fs::is_directory(dir));
        std::string statement = read(dir + "/README.md");
        CHECK(statement.find("English") != std::string::npos);
        CHECK(statement.find("Português") != std::string::npos);
        CHECK(statement.find(fmt::format("make check EX={}", e.number)) != std::string::npos);
        std::string skeletons;
        for (const auto& f : fs::directory_iterator(dir))
            if (f.path().extension() == ".cpp") skeletons += read(f.path());
        CHECK(skeletons.find(fmt::format("TODO(exercise {})", e.number)) != std::string::npos);
        CHECK(skeletons.find("APRENDER_TODO") != std::string::npos);
        CHECK(fs::exists(fmt::format("exercises/checks/{:02d}_{}.cpp", e.number, e.slug)));
        CHECK(fs::exists(fmt::format("exercises/solutions/{:02d}_{}.cpp", e.number, e.slug)));
    }
}

TEST_CASE("exercises: every untouched skeleton fails all its checks, saying 'not implemented yet'") {
    for (const Info& e : all_exercises()) {
        std::string bin = fmt::format("{}/exercises/student/ex{:02d}", testing::build_dir(), e.number);
        INFO(bin);
        REQUIRE(fs::exists(bin));
        testing::ProcessResult r = testing::run_process(bin);
        INFO(r.output);
        CHECK(r.status == 1);
        CHECK(r.has("not implemented yet"));
        CHECK(r.has(fmt::format("TODO(exercise {})", e.number)));
        CHECK(r.has("hint:"));
        CHECK(r.has(fmt::format("exercise {}: not yet (0/", e.number)));  // not one check passes
        CHECK(!r.has("✓"));
    }
}

TEST_CASE("exercises: a program finds the project's data from anywhere, and says so when it is really missing") {
    const std::string bin = fs::absolute(testing::build_dir() + "/exercises/student/ex01").string();
    REQUIRE(fs::exists(bin));
    // Outside the repository (ELIZA's check reads data/eliza/pt.eliza): found beside the program.
    testing::ProcessResult away = testing::run_process("cd / && " + bin + " --brief");
    INFO(away.output);
    CHECK(away.status == 1);
    CHECK(away.has("not implemented yet"));  // the skeleton's verdict, not a missing file
    CHECK_FALSE(away.has("not found"));
    // Really missing: a setup problem (exit 3), not a failed check.
    testing::ProcessResult missing = testing::run_process("APRENDER_DATA=/nonexistent " + bin);
    INFO(missing.output);
    CHECK(missing.status == 3);
    CHECK(missing.has("exercise 1: cannot be checked here: committed data file '/nonexistent/eliza/pt.eliza' not found"));
    CHECK(missing.has("set APRENDER_DATA"));
    CHECK_FALSE(missing.has("✗"));
    CHECK_FALSE(missing.has("not yet"));
    // A bad command line names what was wrong.
    testing::ProcessResult bogus = testing::run_process(bin + " --bogus");
    CHECK(bogus.status == 2);
    CHECK(bogus.has("ex01: error: unknown flag '--bogus' (usage: ex01 [--brief]"));
    CHECK(testing::run_process(bin + " extra").has("unexpected argument 'extra'"));
}

TEST_CASE("exercises: a plausible wrong answer (zeros, the input, ...) fails every exercise") {
    // exercises/solutions/trivial/NN_*.cpp: one wrong-but-compiling answer per exercise.
    for (const Info& e : all_exercises()) {
        std::string bin = fmt::format("{}/exercises/trivial/ex{:02d}", testing::build_dir(), e.number);
        INFO(bin);
        REQUIRE(fs::exists(bin));
        testing::ProcessResult r = testing::run_process(bin);
        INFO(r.output);
        CHECK(r.status == 1);
        CHECK(r.has(fmt::format("exercise {}: not yet", e.number)));
        CHECK(!r.has("not implemented yet"));
        CHECK(r.has("expected:"));
        CHECK(r.has("got:"));
        CHECK(r.has("hint:"));
    }
}

TEST_CASE("exercises: a failed check prints what, expected, got and a hint") {
    try {
        expect_near(0.0, 0.15, 0.004, "fraction selected", "select with probability rate");
        FAIL("expect_near did not fail");
    } catch (const Failure& f) {
        std::string m = f.what();
        CHECK(m.find("fraction selected") != std::string::npos);
        CHECK(m.find("expected: 0.15") != std::string::npos);
        CHECK(m.find("got:      0") != std::string::npos);
        CHECK(m.find("hint:     select with probability rate") != std::string::npos);
    }
}

TEST_CASE("exercises: the student kit has the exercises and no solutions") {
    fs::path out = fs::temp_directory_path() / fmt::format("aprender-kit-test-{}", ::getpid());
    testing::ProcessResult r = testing::run_process("exercises/make_kit.sh " + out.string());
    INFO(r.output);
    REQUIRE(r.status == 0);
    fs::path kit = out / "aprender-exercises";
    CHECK(fs::exists(out / "aprender-exercises.tar.gz"));
    CHECK(!fs::exists(kit / "exercises/solutions"));
    CHECK(fs::exists(kit / "Makefile"));
    CHECK(fs::exists(kit / "exercises/exercises.mk"));
    CHECK(fs::exists(kit / "exercises/checks/05_attention.cpp"));
    CHECK(fs::exists(kit / "exercises/05_attention/attention.cpp"));
    CHECK(fs::exists(kit / "autograd/ops.h"));
    testing::ProcessResult t = testing::run_process("tar -tzf " + (out / "aprender-exercises.tar.gz").string());
    CHECK(!t.has("solutions/"));
    CHECK(t.has("exercises/README.md"));
    // a kit folder may hold a student's work: kept unless --force
    std::string work = (kit / "exercises/05_attention/attention.cpp").string();
    std::ofstream(work, std::ios::app) << "// my work\n";
    testing::ProcessResult again = testing::run_process("exercises/make_kit.sh " + out.string());
    CHECK(again.status == 2);
    CHECK(again.has("already exists"));
    CHECK(read(work).find("// my work") != std::string::npos);
    CHECK(testing::run_process("exercises/make_kit.sh " + out.string() + " --force").status == 0);
    CHECK(read(work).find("// my work") == std::string::npos);
    fs::remove_all(out);
}

TEST_CASE("exercises: check.sh never calls a crash, a loop or an early exit(0) a pass") {
    // Stand-in programs for exercise 10 (check.sh runs BUILD/exercises/student/ex10; MAKE=true
    // skips the build), each misbehaving the way a student's code can.
    testing::TempDir tmp("aprender_check_sh");
    fs::create_directories(tmp / "exercises/student");
    std::string bin = tmp / "exercises/student/ex10";
    auto run_with = [&](const std::string& body) {
        { std::ofstream(bin) << "#!/bin/sh\n" << body << "\n"; }
        fs::permissions(bin, fs::perms::owner_all);
        return testing::run_process("EX=10 MAKE=true TIMEOUT=2 BUILD=" + tmp.dir.string() + " exercises/check.sh");
    };
    auto passed = run_with("echo 'exercise 10: PASS (4/4 checks)'");
    CHECK(passed.has("progress: 1/1 exercises pass"));
    auto early = run_with("exit 0");  // exit(0) before the verdict
    CHECK(early.has("ended early"));
    CHECK(early.has("progress: 0/1"));
    auto crash = run_with("kill -SEGV $$");
    CHECK(crash.has("crashed (SIGSEGV)"));
    auto loop = run_with("sleep 30");
    CHECK(loop.has("stopped after 2 s"));
    CHECK(testing::run_process("SOLUTIONS=yes exercises/check.sh").has("SOLUTIONS must be 1"));
}
