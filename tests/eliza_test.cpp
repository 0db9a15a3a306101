#include <doctest/doctest.h>

#include "tutorials/common/corpus.h"
#include "tutorials/common/eliza.h"

using namespace aprender::tutorial;
using eliza::Eliza;
using eliza::Script;

namespace {
Script pt() { return Script::load(data_file("eliza/pt.eliza")); }

const char* kTiny = R"(
tag feeling: happy sad
reflect: i = you
reflect: my = your
key: am 5
  decomp: 0 i am /feeling 0
    reasmb: Why are you (4) (5)?
    reasmb: Still (4)?
  decomp: 0 am 2
    reasmb: Two words: (3).
key: my 2
  decomp: 0 my 0
    reasmb: Your (3)?
memory: my
  decomp: 0 my 0
    reasmb: Earlier you said your (3).
key: car 1
  decomp: 0
    reasmb: =machine
key: machine 1
  decomp: [a|the] machine 0
    reasmb: Machines again.
  decomp: 0
    reasmb: NEWKEY
none:
  reasmb: Go on.
  reasmb: I see.
)";
}  // namespace

TEST_CASE("eliza: the lecture's two sentences, exactly") {
    Eliza e(pt());
    CHECK(e.respond("Eu estou feliz hoje.").text == "Por que você está feliz hoje?");
    Eliza fresh(pt());
    auto r = fresh.respond("Nota baixa em TP558 me deixa triste.");
    CHECK(r.text == "Por que você está triste?");
    REQUIRE(r.trace.parts.size() == 3);
    CHECK(r.trace.parts[0] == "nota baixa em TP558 me deixa");  // the cause, matched and ignored
}

TEST_CASE("eliza: accents and capitals in the input do not matter") {
    Eliza e(pt());
    CHECK(e.respond("EU ESTOU FELIZ HOJE").text == "Por que você está FELIZ HOJE?");
    Eliza e2(pt());
    CHECK(e2.respond("tô feliz").text == "Por que você está feliz?");  // pre-transformation
}

TEST_CASE("eliza: patterns — 0, n, alternatives, tags, parts") {
    Eliza e(Script::parse(kTiny, "tiny"));
    auto r = e.respond("Well I am happy today");
    CHECK(r.text == "Why are you happy today?");
    CHECK(r.trace.keyword == "am");
    CHECK(r.trace.decomposition == "0 i am /feeling 0");
    CHECK(e.respond("so am very tired").text == "Two words: very tired.");  // n = exactly 2
    CHECK(e.respond("the car is a machine").text == "Go on.");  // [a|the] must start: no match, NEWKEY → none
}

TEST_CASE("eliza: reassemblies cycle on reuse") {
    Eliza e(Script::parse(kTiny, "tiny"));
    CHECK(e.respond("I am sad").text == "Why are you sad?");
    CHECK(e.respond("I am sad").text == "Still sad?");
    CHECK(e.respond("I am sad").text == "Why are you sad?");
}

TEST_CASE("eliza: =KEY links and the keystack order by rank") {
    Eliza e(Script::parse(kTiny, "tiny"));
    auto r = e.respond("a machine and my car");  // my (2) outranks car/machine (1)
    CHECK(r.trace.keystack.front().first == "my");
    CHECK(r.text == "Your car?");
    auto link = e.respond("the machine car");
    CHECK(link.text == "Machines again.");
}

TEST_CASE("eliza: memory is stored and recalled when nothing matches") {
    Eliza e(Script::parse(kTiny, "tiny"));
    auto r = e.respond("my cat is grumpy");
    CHECK(r.trace.memory_stored == "Earlier you said your cat is grumpy.");
    CHECK(e.respond("hmm").text == "Earlier you said your cat is grumpy.");
    CHECK(e.respond("hmm").text == "Go on.");
    auto none = e.respond("Pizza. Hot.");  // no keyword: each clause dropped, the words still read
    CHECK(none.trace.keystack.empty());
    CHECK(none.trace.source == eliza::Trace::Source::none);
    CHECK(none.trace.read == std::vector<std::string>{"pizza", "hot"});
}

TEST_CASE("eliza: clauses after the keyword's clause are dropped") {
    Eliza e(Script::parse(kTiny, "tiny"));
    CHECK(e.respond("Hello there, I am sad, my dog").text == "Why are you sad?");
}

TEST_CASE("eliza: malformed scripts give line-numbered errors") {
    auto error_of = [](const char* text) {
        try {
            Script::parse(text, "bad.eliza");
        } catch (const eliza::ScriptError& e) {
            return std::string(e.what());
        }
        return std::string("no error");
    };
    CHECK(error_of("key: a 1\nreasmb: x\nnone:\nreasmb: y\n") == "bad.eliza:2: reasmb before any decomp");
    CHECK(error_of("key: a x\n").find("bad.eliza:1: rank 'x'") == 0);
    CHECK(error_of("key: a 1\ndecomp: 0 a\nreasmb: (3)\n").find("bad.eliza:3: (3) cites a part") == 0);
    CHECK(error_of("key: a 1\ndecomp: 0 /nope 0\nreasmb: x\nnone:\nreasmb: y\n").find("bad.eliza:2: unknown tag") == 0);
    CHECK(error_of("key: a 1\ndecomp: 0\nreasmb: =b\nnone:\nreasmb: y\n").find("bad.eliza:3: '=b' links") == 0);
    CHECK(error_of("frobnicate: 1\n").find("bad.eliza:1: unknown directive") == 0);
    CHECK(error_of("key: a 1\ndecomp: 0\nreasmb: x\n").find("none:") != std::string::npos);
}

TEST_CASE("eliza: a script that is not UTF-8 is refused with its line (fuzz: eliza_script)") {
    // Found by tests/fuzz/eliza_script.cpp: a byte 0xA7 in a reassembly was accepted and came
    // back in ELIZA's reply, since only the words of patterns went through the tokenizer.
    const char* text = "key:am 1\n decomp:0\n   reasmb:\xa7\nnone:\n  reasmb:?\n";
    try {
        Script::parse(text, "bad.eliza");
        FAIL("parse accepted a script that is not UTF-8");
    } catch (const eliza::ScriptError& e) {
        CHECK(e.line == 3);
        CHECK(std::string(e.what()).find("bad.eliza:3: not valid UTF-8: byte 11 of the line (0xA7)") == 0);
    }
}

TEST_CASE("eliza: both committed scripts load") {
    CHECK_NOTHROW(Script::load(data_file("eliza/pt.eliza")));
    CHECK_NOTHROW(Script::load(data_file("eliza/en.eliza")));
    Eliza en(Script::load(data_file("eliza/en.eliza")));
    CHECK(en.respond("I'm sad today.").text == "Why are you sad today?");
}

TEST_CASE("eliza: a pattern of many 0s on a long sentence answers at once (failed spans are remembered)") {
    // Twelve 0s before a word that never comes: plain backtracking tries every way of
    // cutting 40 words into 12 spans (billions) before giving up; remembering which
    // (element, word) pairs already failed makes it a few thousand steps.
    const char* script = R"(
key: x 1
  decomp: 0 0 0 0 0 0 0 0 0 0 0 0 x zzz
    reasmb: Never.
  decomp: 0 x 0 w
    reasmb: Found (3) then w.
none:
  reasmb: Go on.
)";
    Eliza e(Script::parse(script, "zeros"));
    std::string words = "x";
    for (int i = 0; i < 40; ++i) words += " w";
    CHECK(e.respond(words).text == "Found w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w then w.");
}
