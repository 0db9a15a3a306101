// eliza.h — Weizenbaum's ELIZA (1966), faithful to "ELIZA — A Computer Program for the
// Study of Natural Language Communication between Man and Machine" (CACM 9(1)).
//
// How a reply is made (the paper's algorithm):
//   1. The input is split into words; pre-transformations rewrite words ("tô" → "estou").
//   2. Scanning left to right, the first clause (text between , . ! ? ; :) that holds a
//      keyword is kept; the rest is thrown away.
//   3. Each keyword found goes onto the KEYSTACK: on top if its rank is higher than the
//      top's, else at the bottom.
//   4. The top keyword's decomposition rules are tried in order. A pattern is words and
//      numbers: 0 = any number of words, n = exactly n words, [a|b] = one of these words,
//      /tag = any word of a tag class ("/sentimento" = feliz, triste, ...). Each pattern
//      element matches one PART of the input, numbered from 1.
//   5. The rule's next reassembly (they CYCLE: each use moves to the next one) is filled
//      in: "(3)" cites part 3 after REFLECTION ("eu estou" → "você está"). A reassembly
//      "=KEY" continues with KEY's rules; "NEWKEY" moves on to the next keyword.
//   6. MEMORY: when the memory keyword is the top keyword, one of its transformations is
//      also stored in a queue; when later no keyword matches, the oldest memory is said.
//   7. Otherwise the NONE rules answer ("Continue, por favor.").
//
// The script (rules) is data: see data/eliza/pt.eliza for the format, documented at its top.
#pragma once

#include <deque>
#include <filesystem>
#include <map>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace aprender::tutorial::eliza {

// A malformed script: "data/eliza/pt.eliza:12: reasmb before any decomp".
struct ScriptError : std::runtime_error {
    ScriptError(const std::string& source, int line, const std::string& message);
    std::string source;
    int line;
};

// One element of a decomposition pattern.
struct Element {
    enum class Kind { any, count, word, alternatives, tag };
    Kind kind = Kind::any;
    int count = 0;                   // Kind::count: exactly this many words
    std::vector<std::string> words;  // Kind::word (one) or Kind::alternatives
    std::string tag;                 // Kind::tag: the class name, without '/'
};

struct Reassembly {
    enum class Kind { text, link, newkey };
    Kind kind = Kind::text;
    std::string text;  // Kind::text: the template; Kind::link: the key linked to
    int line = 0;
};

struct Decomposition {
    std::string source;  // the pattern as written
    int line = 0;
    std::vector<Element> pattern;
    std::vector<Reassembly> reassemblies;
};

struct Keyword {
    std::string word;  // lower-case; "/tag" makes every word of the tag a keyword
    int rank = 0;
    int line = 0;
    std::vector<Decomposition> decompositions;
};

// A multi-word rewrite: pre-transformations and reflections.
struct Rewrite {
    std::vector<std::string> from, to;
};

struct Script {
    std::string source;  // file name, for messages
    std::string language, greeting, goodbye;
    std::vector<std::string> quit_words;
    std::vector<Rewrite> pre, reflect;
    std::map<std::string, std::vector<std::string>> tags;
    std::vector<Keyword> keywords;
    Keyword memory;  // word empty when the script has no MEMORY
    Keyword none;    // one decomposition "0"

    // Parse and validate; every problem is a ScriptError with its line.
    static Script parse(std::string_view text, const std::string& source);
    static Script load(const std::filesystem::path& path);

    const Keyword* find_keyword(std::string_view word) const;  // "/tag" keys included
    const Keyword* find_key_named(std::string_view name) const;  // exact name, for =KEY
};

// How a reply came about: what --trace prints.
struct Trace {
    std::vector<std::string> words;  // the clause used, after pre-transformations
    std::vector<std::string> read;   // the words scanned, after them: all of the input's when
                                     // no keyword was found
    std::vector<std::pair<std::string, int>> keystack;  // keyword (as in input), rank
    std::string keyword;             // the keyword whose rule answered
    int rank = 0;
    std::vector<std::string> links;  // =KEY / NEWKEY steps taken on the way
    std::string decomposition;       // the pattern that matched
    int decomposition_line = 0;
    std::vector<std::string> parts;  // parts (1), (2), ... as matched, original case
    std::string reassembly;          // the template used
    int reassembly_index = 0;        // 1-based, of reassembly_count (cycling)
    int reassembly_count = 0;
    enum class Source { keyword, memory, none } source = Source::none;
    std::string memory_stored;       // a memory formed by this input
};

struct Reply {
    std::string text;
    Trace trace;
    bool goodbye = false;  // the input was a quit word
};

class Eliza {
public:
    explicit Eliza(Script script);
    Reply respond(std::string_view input);
    const Script& script() const { return script_; }
    const std::deque<std::string>& memories() const { return memory_; }

private:
    struct Word {
        std::string text;  // as typed (case kept), or the rewrite's word
        std::string key;   // lower-case, NFC: what rules compare
    };
    using Words = std::vector<Word>;
    using Parts = std::vector<std::pair<std::size_t, std::size_t>>;  // [begin, end) per element

    bool match(const std::vector<Element>& pattern, const Words& words, Parts& parts) const;
    // match_from: can elements e.. take words w..? (memoised in `failed`); match_element
    // tries element e itself and recurses into match_from for the rest.
    bool match_from(const std::vector<Element>& pattern, std::size_t e, const Words& words,
                    std::size_t w, Parts& parts, std::vector<char>& failed) const;
    bool match_element(const std::vector<Element>& pattern, std::size_t e, const Words& words,
                       std::size_t w, Parts& parts, std::vector<char>& failed) const;
    bool element_accepts(const Element& el, const Word& w) const;
    std::string reassemble(const std::string& tmpl, const Words& words, const Parts& parts) const;
    Words reflect(const Words& part) const;
    // Try one keyword's rules; true with reply filled when one answered.
    bool try_keyword(const Keyword& key, const Words& words, Reply& reply, int depth);
    const Reassembly& next_reassembly(const Decomposition& d, Trace& trace);

    Script script_;
    std::map<const Decomposition*, std::size_t> cycle_;  // next reassembly of each rule
    std::deque<std::string> memory_;
};

// Helpers shared with the tests.
std::vector<std::string> split_pattern_text(std::string_view text);
std::string tidy_sentence(std::string text);  // spaces before punctuation, capital first letter

}  // namespace aprender::tutorial::eliza
