// Checks of exercise 1: the rule parses, and ELIZA's replies keep the cause.
#include "exercises/01_eliza/deixa_rule.h"
#include "exercises/check.h"
#include "tutorials/common/eliza.h"


using namespace aprender::exercises;
using namespace aprender::exercises::check;
namespace eliza = aprender::tutorial::eliza;

namespace {

std::string lower(std::string s) {
    for (char& c : s)
        if (c >= 'A' && c <= 'Z') c = char(c - 'A' + 'a');
    return s;
}

eliza::Script script_with_rule() {
    std::string script = read_project_data("eliza/pt.eliza");  // missing: a setup problem, not a failed check
    std::string rule = deixa_rule();
    try {
        return eliza::Script::parse(script + "\n" + rule + "\n", "pt.eliza + deixa_rule()");
    } catch (const eliza::ScriptError& e) {
        fail("parsing your rule (appended to data/eliza/pt.eliza)", "a valid script", e.what(),
             "the format is at the top of data/eliza/pt.eliza: key: WORD RANK / decomp: PATTERN / reasmb: TEXT");
    }
}

void expect_cause(eliza::Eliza& bot, const std::string& input, const std::string& cause, const std::string& feeling) {
    std::string reply = bot.respond(input).text;
    expect_true(lower(reply).find(lower(cause)) != std::string::npos, "ELIZA's reply to \"" + input + "\"",
                "a reply that mentions the cause \"" + cause + "\"", "\"" + reply + "\"",
                "cite the part of the pattern that matched the words before \"me deixa\" — (1) when the pattern "
                "starts with 0; every reassembly of the rule must cite it (they are used in turn)");
    expect_true(reply.find(feeling) != std::string::npos, "ELIZA's reply to \"" + input + "\"",
                "a reply that mentions the feeling \"" + feeling + "\"", "\"" + reply + "\"",
                "cite the part matched by /sentimento too (count the pattern's elements: 0 me deixa /sentimento 0)");
}

}  // namespace

EXERCISE_CHECK(1, "the rule parses and adds a keyword") {
    eliza::Script s = script_with_rule();
    expect_true(s.keywords.size() > 0 && s.find_keyword("deixa") != nullptr, "keywords of the script",
                "a keyword \"deixa\"", "no such keyword", "start the fragment with: key: deixa RANK");
}

EXERCISE_CHECK(1, "the lecture's example keeps its cause") {
    eliza::Eliza bot(script_with_rule());
    std::string input = "Nota baixa em TP558 me deixa triste.";
    std::string reply = bot.respond(input).text;
    expect_true(reply != "Por que você está triste?", "ELIZA's reply to \"" + input + "\"",
                "something better than the lecture's reply", "\"" + reply + "\" (the cause is lost)",
                "give the keyword \"deixa\" a rank above 4, the rank of the /sentimento keyword");
    eliza::Eliza fresh(script_with_rule());
    expect_cause(fresh, input, "nota baixa em TP558", "triste");
}

EXERCISE_CHECK(1, "every reassembly keeps the cause (they cycle)") {
    eliza::Eliza bot(script_with_rule());
    const char* causes[] = {"o trabalho", "a chuva", "o barulho do trânsito", "a prova de cálculo", "o meu chefe",
                            "a fila do banco"};
    const char* feelings[] = {"cansado", "deprimido", "nervoso", "ansiosa", "irritado", "entediada"};
    for (int i = 0; i < 6; ++i)
        expect_cause(bot, std::string(causes[i]) + " me deixa " + feelings[i] + ".",
                     i == 4 ? std::string("o seu chefe") : std::string(causes[i]), feelings[i]);
}

EXERCISE_CHECK(1, "the cause is reflected (minha → sua)") {
    eliza::Eliza bot(script_with_rule());
    expect_cause(bot, "Minha mãe me deixa preocupada.", "sua mãe", "preocupada");
}

EXERCISE_CHECK(1, "the other rules still work") {
    eliza::Eliza bot(script_with_rule());
    std::string reply = bot.respond("Eu estou feliz hoje.").text;
    expect_eq(reply, std::string("Por que você está feliz hoje?"), "ELIZA's reply to \"Eu estou feliz hoje.\"",
              "add one key; do not change the script's other rules (a rank above 10 would also steal \"estou\")");
    eliza::Eliza bot2(script_with_rule());
    std::string r2 = bot2.respond("Isso me deixa pensando.").text;
    expect_true(!r2.empty(), "ELIZA's reply to \"Isso me deixa pensando.\" (no feeling word)", "some reply",
                "an empty reply", "a sentence without a feeling must still get an answer");
}
