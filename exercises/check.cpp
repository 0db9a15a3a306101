// check.cpp — the registry of checks, the table of exercises, and the expectations.
#include "exercises/check.h"

#include "exercises/exercise.h"
#include "tutorials/common/corpus.h"

#include <cstdio>

namespace aprender::exercises::check {

const char* volatile current_check = nullptr;

std::vector<Case>& registry() {
    static std::vector<Case> cases;
    return cases;
}

Registrar::Registrar(int exercise, const char* name, void (*fn)()) { registry().push_back({exercise, name, fn}); }

const std::vector<Info>& all_exercises() {
    static const std::vector<Info> table = {
        {1, "eliza", "ELIZA: a rule that keeps the cause", "ELIZA: uma regra que guarda a causa"},
        {2, "ngram_add_k", "n-grams: add-k smoothing and tuning k", "n-gramas: suavização add-k e ajuste de k"},
        {3, "autograd_op", "autograd: forward and backward of a new op", "autograd: forward e backward de uma nova op"},
        {4, "sgns", "word2vec: the SGNS loss and its gradient", "word2vec: a perda SGNS e seu gradiente"},
        {5, "attention", "attention: scaled dot-product with the causal mask",
         "atenção: produto escalar escalado com máscara causal"},
        {6, "bert_masking", "BERT: the 80/10/10 masker", "BERT: o mascaramento 80/10/10"},
        {7, "sampling", "GPT: top-k and top-p sampling", "GPT: amostragem top-k e top-p"},
        {8, "rank", "rank by Gaussian elimination (the lecture's ΔW)", "posto por eliminação gaussiana (o ΔW da aula)"},
        {9, "lora_forward", "LoRA: forward pass, merge and unmerge", "LoRA: forward, merge e unmerge"},
        {10, "lora_accounting", "LoRA: trainable parameters and memory", "LoRA: parâmetros treináveis e memória"},
    };
    return table;
}

const Info& info(int exercise) {
    for (const Info& i : all_exercises())
        if (i.number == exercise) return i;
    throw std::out_of_range(fmt::format("there is no exercise {} (they are numbered 1..{})", exercise,
                                        all_exercises().size()));
}

Outcome run(int exercise, bool verbose) {
    Outcome out;
    out.exercise = exercise;
    bool told_todo = false;  // say where the TODO is once, not once per check
    for (const Case& c : registry()) {
        if (c.exercise != exercise) continue;
        current_check = c.name.c_str();  // named by the crash handler if the student's code crashes or loops
        std::string message;
        try {
            c.fn();
        } catch (const SetupProblem& e) {  // the other checks would only say the same
            out.setup_problem = e.what();
            break;
        } catch (const NotImplemented& e) {
            out.not_implemented = true;
            if (told_todo) message = std::string(e.what()) + " (as above)";
            else message = fmt::format("{}\n      hint:     open the file above, find TODO(exercise {}) and write the code "
                                  "(exercises/{:02d}_{}/README.md explains what it should do)",
                                  e.what(), e.exercise, exercise, info(exercise).slug);
            told_todo = true;
        } catch (const Failure& e) {
            message = e.what();
        } catch (const std::exception& e) {
            message = fmt::format("your code threw an exception: {}\n      hint:     read the message; "
                                  "check sizes and indices against the statement",
                                  e.what());
        } catch (...) {  // `throw 42;` is legal C++: it must not end the program with "terminate called"
            message = "your code threw something that is not a std::exception\n      hint:     throw "
                      "std::runtime_error(\"...\") (or let the library's own errors through)";
        }
        if (message.empty()) {
            out.passed++;
            if (verbose) std::printf("  ✓ %s\n", c.name.c_str());
        } else {
            out.failed++;
            out.failures.push_back(c.name + ": " + message);
            if (verbose) std::printf("  ✗ %s\n      %s\n", c.name.c_str(), message.c_str());
        }
        std::fflush(stdout);
    }
    current_check = nullptr;
    return out;
}

void setup_problem(const std::string& what) { throw SetupProblem(what); }

std::string read_project_data(const std::string& relative) {
    try {
        return tutorial::read_data_file(relative);
    } catch (const std::exception& e) {
        setup_problem(e.what());
    }
}

void fail(const std::string& what, const std::string& expected, const std::string& got, const std::string& hint) {
    throw Failure(fmt::format("{}\n      expected: {}\n      got:      {}\n      hint:     {}", what, expected, got,
                              hint));
}

void expect_true(bool ok, const std::string& what, const std::string& expected, const std::string& got,
                 const std::string& hint) {
    if (!ok) fail(what, expected, got, hint);
}

void expect_near(double got, double expected, double tol, const std::string& what, const std::string& hint) {
    if (!(std::fabs(got - expected) <= tol))  // also catches NaN
        fail(what, fmt::format("{:.6g} (± {:.2g})", expected, tol), fmt::format("{:.6g}", got), hint);
}

namespace {
std::string list(const std::vector<double>& v) {
    std::string s = "[";
    for (size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + fmt::format("{:.5g}", v[i]);
    return s + "]";
}
}  // namespace

void expect_all_near(const std::vector<double>& got, const std::vector<double>& expected, double tol,
                     const std::string& what, const std::string& hint) {
    if (got.size() != expected.size())
        fail(what + " (number of values)", fmt::format("{}", expected.size()), fmt::format("{}", got.size()), hint);
    for (size_t i = 0; i < got.size(); ++i)
        if (!(std::fabs(got[i] - expected[i]) <= tol)) {
            std::string exp = expected.size() <= 12 ? list(expected) : fmt::format("{:.6g} at [{}]", expected[i], i);
            std::string g = got.size() <= 12 ? list(got) : fmt::format("{:.6g} at [{}]", got[i], i);
            fail(fmt::format("{} (first difference at element {}: expected {:.6g}, got {:.6g})", what, i, expected[i],
                             got[i]),
                 exp, g, hint);
        }
}

}  // namespace aprender::exercises::check
