// 01_eliza — rules (1966): Weizenbaum's ELIZA on a Portuguese script, its trace, and the
// limitation the lecture shows. The engine is tutorials/common/eliza.{h,cpp}; the scripts
// are data/eliza/{pt,en}.eliza; every sentence this program says is in narration.h.
#include <iostream>

#include <fmt/format.h>

#include "tokenizer/error.h"
#include "tutorials/common/corpus.h"
#include "tutorials/common/eliza.h"
#include "tutorials/common/runner.h"
#include "tutorials/01_eliza/narration.h"

namespace tut = aprender::tutorial;
namespace N = aprender::tutorial::eliza_narration;
using tut::eliza::Eliza;
using tut::eliza::Reply;
using tut::eliza::Script;
using tut::eliza::Trace;

namespace {

const tut::TutorialInfo kInfo{
    "01_eliza", N::title, N::summary,
    {{"--trace", "", N::flag_trace},
     {"--chat", "", N::flag_chat},
     {"--script", "FILE", N::flag_script},
     {"--say", "TEXT", N::flag_say}},
    /*runs_on_gpu=*/false,
    /*ignores=*/{"--seed", "--quick", "--out"}};  // no randomness, fast already, writes no file

void print_trace(tut::Tutorial& t, const Trace& tr) {
    auto& o = t.out();
    const auto& s = t.style();
    auto row = [&](const tut::Text& label, const std::string& value) {
        o << tut::hang("    " + s.dim(tut::pad_right(t.tr(label), 14)) + " ", value);  // long values hang under themselves
    };
    std::string words, stack, parts, links;
    for (const auto& w : tr.words) words += (words.empty() ? "" : " ") + w;
    for (const auto& [k, r] : tr.keystack) stack += (stack.empty() ? "" : " · ") + fmt::format("{} ({})", k, r);
    for (std::size_t i = 0; i < tr.parts.size(); ++i) parts += fmt::format("({}) \"{}\"  ", i + 1, tr.parts[i]);
    for (const auto& l : tr.links) links += (links.empty() ? "" : " → ") + l;
    if (tr.keystack.empty()) {
        // No keyword anywhere: every clause but the last was dropped, so `words` would show
        // little or nothing. Show what was read, and say why the reply is a fallback.
        std::string read;
        for (const auto& w : tr.read) read += (read.empty() ? "" : " ") + w;
        row(N::t_words, read.empty() ? "—" : read + "  " + s.dim(t.tr(N::t_none_is_keyword)));
        row(N::t_keystack, "— " + t.tr(N::t_no_keyword));
    } else {
        row(N::t_words, words);
        row(N::t_keystack, stack);
    }
    const tut::Text& src = tr.source == Trace::Source::keyword ? N::t_src_keyword
                           : tr.source == Trace::Source::memory
                               ? (tr.keystack.empty() ? N::t_src_memory_no_keyword : N::t_src_memory)
                               : (tr.keystack.empty() ? N::t_src_none_no_keyword : N::t_src_none);
    row(N::t_source, t.tr(src));
    if (!tr.links.empty()) row(N::t_links, links);
    if (tr.source != Trace::Source::memory) {
        if (tr.source == Trace::Source::keyword)
            row(N::t_keyword, s.accent(tr.keyword) + fmt::format("  {} {}", t.tr(N::t_rank), tr.rank));
        row(N::t_decomp, fmt::format("{}  ({} {})", s.bold(tr.decomposition), t.tr(N::t_line), tr.decomposition_line));
        row(N::t_parts, parts);
        row(N::t_reasmb, fmt::format("\"{}\"  ({} {} {})", tr.reassembly, tr.reassembly_index, t.tr(N::t_of),
                                     tr.reassembly_count));
    }
    if (!tr.memory_stored.empty()) row(N::t_memory, "\"" + tr.memory_stored + "\"");
}

// One exchange: the user's line, ELIZA's reply, and the trace when asked (or forced).
Reply exchange(tut::Tutorial& t, Eliza& eliza, const std::string& input, bool trace) {
    Reply r = eliza.respond(input);
    t.out() << tut::hang("  " + t.style().dim(t.tr(N::user) + ":") + " ", input);
    t.out() << tut::hang("  " + t.style().accent("ELIZA:") + " ", t.style().bold(r.text));
    if (trace) print_trace(t, r.trace);
    return r;
}

Script load_script(tut::Tutorial& t, const std::string& lang) {
    if (t.options().has("--script")) return Script::load(t.options().get("--script", ""));
    return Script::load(tut::data_file("eliza/" + lang + ".eliza"));
}

void chat(tut::Tutorial& t, Eliza& eliza, bool trace) {
    std::string quit;  // the script's own quit words
    for (const auto& w : eliza.script().quit_words) quit += (quit.empty() ? "" : ", ") + w;
    t.step(N::chat, quit.empty() ? "—" : quit);
    t.out() << "  " << t.style().accent("ELIZA:") << " " << eliza.script().greeting << "\n";
    std::string line;
    while (true) {
        t.out() << "  " << t.tr(N::user) << "> " << std::flush;
        if (!std::getline(std::cin, line) || line.find_first_not_of(" \t") == std::string::npos) break;
        try {
            Reply r = eliza.respond(line);
            t.out() << tut::hang("  " + t.style().accent("ELIZA:") + " ", r.text);
            if (trace) print_trace(t, r.trace);
            if (r.goodbye) return;
        } catch (const aprender::tokenizer::TokenizerError& e) {
            t.out() << "  " << t.style().warn(e.what()) << "\n";  // e.g. invalid UTF-8: say so, go on
        }
    }
    t.out() << "\n  " << t.style().accent("ELIZA:") << " " << eliza.script().goodbye << "\n";
}

void tour(tut::Tutorial& t, bool trace) {
    Script pt = load_script(t, "pt");
    t.step(N::intro, pt.source, pt.keywords.size(), pt.tags.size(), pt.reflect.size());
    Eliza eliza(pt);

    t.step(N::lecture_example);
    Reply first = exchange(t, eliza, "Eu estou feliz hoje.", trace);

    t.step(N::how_it_fired);
    print_trace(t, first.trace);

    t.step(N::feelings);
    const auto& feelings = pt.tags.count("sentimento") ? pt.tags.at("sentimento") : std::vector<std::string>{};
    std::string list = "/sentimento = {";
    for (std::size_t i = 0; i < feelings.size(); ++i) list += (i ? ", " : "") + feelings[i];
    t.print_wrapped(list + "}");

    t.step(N::cycling);
    Eliza fresh(pt);
    for (int i = 0; i < 3; ++i) exchange(t, fresh, "Eu estou triste.", trace);

    t.step(N::memory);
    Eliza with_memory(pt);
    Reply stored = exchange(t, with_memory, "Minha nota em TP558 foi baixa.", trace);
    if (!trace && !stored.trace.memory_stored.empty())  // --trace already showed it
        t.out() << tut::hang("    " + t.style().dim(t.tr(N::memory_stored)) + " ",
                             t.style().dim("\"" + stored.trace.memory_stored + "\""));  // hangs under its quote
    exchange(t, with_memory, "Hum.", trace);
    exchange(t, with_memory, "Hum.", trace);

    t.step(N::limitation);
    Eliza sad(pt);
    Reply lim = exchange(t, sad, "Nota baixa em TP558 me deixa triste.", true);
    // Checked, not assumed: a --script of the user's own may have a reassembly that cites (1).
    if (!lim.trace.parts.empty())
        t.say(lim.trace.reassembly.find("(1)") == std::string::npos ? N::cause_ignored : N::cause_echoed,
              lim.trace.parts.front());

    if (!t.options().has("--script")) {
        t.step(N::english);
        Eliza en(Script::load(tut::data_file("eliza/en.eliza")));
        exchange(t, en, "I am sad today.", trace);
        exchange(t, en, "My mother does not understand me.", trace);
        exchange(t, en, "You are a machine.", trace);
    }
    t.out() << "\n";
    t.say(N::outro);
}

}  // namespace

int main(int argc, char** argv) {
    return tut::run(kInfo, argc, argv, [](tut::Tutorial& t) {
        bool trace = t.options().has("--trace");
        std::string lang = t.lang() == tut::Lang::pt ? "pt" : "en";
        if (t.options().has("--say")) {
            Eliza eliza(load_script(t, lang));
            exchange(t, eliza, t.options().get("--say", ""), trace);
        } else if (t.options().has("--chat")) {
            Eliza eliza(load_script(t, lang));
            chat(t, eliza, trace);
        } else {
            tour(t, trace);
        }
    });
}
