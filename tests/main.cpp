// The test runner: doctest's own main, plus one listener that ends the run with the
// line CI reads, exactly "N passed, N failed, N skipped" (counted in test cases).
//
// Skipped = registered test cases that did not run: those marked doctest::skip (GPU
// tests without a GPU, tests whose reference files were not fetched) and those left
// out by a filter such as -tc="tokenizer*".
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include <cstdio>
#include <cstdlib>

namespace {

doctest::TestRunStats g_stats{};  // filled at the end of the run, printed by main()

struct SummaryLine : doctest::IReporter {
    explicit SummaryLine(const doctest::ContextOptions&) {}
    void test_run_end(const doctest::TestRunStats& s) override { g_stats = s; }
    // The rest of the interface: nothing to add to doctest's console reporter.
    void report_query(const doctest::QueryData&) override {}
    void test_run_start() override {}
    void test_case_start(const doctest::TestCaseData&) override {}
    void test_case_reenter(const doctest::TestCaseData&) override {}
    void test_case_end(const doctest::CurrentTestCaseStats&) override {}
    void test_case_exception(const doctest::TestCaseException&) override {}
    void subcase_start(const doctest::SubcaseSignature&) override {}
    void subcase_end() override {}
    void log_assert(const doctest::AssertData&) override {}
    void log_message(const doctest::MessageData&) override {}
    void test_case_skipped(const doctest::TestCaseData&) override {}
};

REGISTER_LISTENER("summary-line", 1, SummaryLine);

}  // namespace

int main(int argc, char** argv) {
    // The programs the tests start pick their language from the locale when not told
    // (tutorials' --lang, their errors): pin it, so a machine set to pt_BR runs the same
    // checks. A test that wants another locale says so on its command line.
    setenv("LC_ALL", "C.UTF-8", 1);
    doctest::Context context;
    context.applyCommandLine(argc, argv);
    int rc = context.run();
    if (context.shouldExit()) return rc;  // --help, --list-test-cases, ...
    // Printed after doctest's own summary so that it is the very last line.
    unsigned ran = g_stats.numTestCasesPassingFilters, failed = g_stats.numTestCasesFailed;
    std::printf("%u passed, %u failed, %u skipped\n", ran - failed, failed, g_stats.numTestCases - ran);
    return rc;
}
