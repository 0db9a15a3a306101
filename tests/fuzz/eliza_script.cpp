// Fuzz target: an ELIZA script, the file a student gives 01_eliza with --script FILE
// (tutorials/common/eliza.h; the format is documented at the top of data/eliza/pt.eliza),
// and what the student then types.
//
// Input: two files (fuzz::split_files): "script.eliza", and "say.txt" whose lines are typed
// one after another (a conversation: rules cycle and memories pile up between lines).
//
// Checks, for any bytes: Script::parse either succeeds or throws a ScriptError with the
// line; a script that parses answers every line (also empty, punctuation-only or invalid
// UTF-8 lines, appended below) with a reply that is valid UTF-8, without a crash or a hang.
#include "tests/fuzz/fuzz.h"

#include "tokenizer/unicode.h"
#include "tutorials/common/corpus.h"
#include "tutorials/common/eliza.h"

#include <sstream>

using namespace aprender;
namespace eliza = aprender::tutorial::eliza;

FUZZ_SEEDS(const std::string& dir) {
    const std::string say = "Eu tô triste hoje\nminha mãe não gosta de mim, acho\nI am sad\nmy mother hates me\ntchau\n";
    for (const char* lang : {"pt", "en"})
        fuzz::write_seed(dir, lang, fuzz::join_files({{"script.eliza", tutorial::read_data_file(std::string("eliza/") + lang + ".eliza")},
                                                      {"say.txt", say}}));
    // A small one that uses every directive, so mutations start from all of them.
    fuzz::write_seed(dir, "small", fuzz::join_files({{"script.eliza", R"(language: en
greeting: Hello.
goodbye: Bye.
quit: bye
pre: dont = don't
reflect: i am = you are
reflect: my = your
tag family: mother father
key: /family 3
  decomp: 0 my /family 0
    reasmb: Tell me more about your (2) (3).
    reasmb: =sorry
key: sorry 1
  decomp: 0
    reasmb: No need to apologise.
    reasmb: NEWKEY
key: i 2
  decomp: 0 i [am|feel] 1 0
    reasmb: Why do you say (2) (3) (4)?
memory: my
  decomp: 0 my 0
    reasmb: Earlier you said your (2).
none:
  reasmb: Go on.
)"},
                                                     {"say.txt", say}}));
}

FUZZ_TARGET(const std::string& bytes) {
    fuzz::Files files = fuzz::split_files(bytes);
    eliza::Script script;
    if (!fuzz::expect_clean_error([&] { script = eliza::Script::parse(files["script.eliza"], "fuzz.eliza"); })) return;
    eliza::Eliza bot(script);

    std::vector<std::string> lines;
    std::istringstream in(files["say.txt"]);
    for (std::string line; std::getline(in, line) && lines.size() < 50;) lines.push_back(line);
    for (const char* edge : {"", " ", ",.!?;:", "\xff\xfe", "(1) (2) =x NEWKEY 0"}) lines.push_back(edge);
    for (const auto& line : lines) {
        eliza::Reply reply;
        if (!fuzz::expect_clean_error([&] { reply = bot.respond(line); })) continue;
        if (!tokenizer::is_valid_utf8(reply.text)) fuzz::fail("a reply that is not valid UTF-8");
    }
}
