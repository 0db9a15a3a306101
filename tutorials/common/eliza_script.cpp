// eliza_script.cpp — reading and validating an ELIZA script (the rules are data).
#include <algorithm>
#include <cctype>
#include <regex>
#include <set>
#include <sstream>

#include <fmt/format.h>

#include "tokenizer/error.h"
#include "tokenizer/unicode.h"
#include "tokenizer/word.h"
#include "tutorials/common/corpus.h"
#include "tutorials/common/eliza.h"

namespace aprender::tutorial::eliza {

namespace {

std::string trim(std::string_view s) {
    auto b = s.find_first_not_of(" \t\r");
    if (b == std::string_view::npos) return "";
    auto e = s.find_last_not_of(" \t\r");
    return std::string(s.substr(b, e - b + 1));
}

// Words the way the engine sees the user's input: split_words, lower-cased, NFC.
std::vector<std::string> words_of(std::string_view text) {
    return tokenizer::split_words(text, /*lowercase=*/true);
}

bool all_digits(std::string_view s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c); });
}

class Parser {
public:
    Parser(std::string_view text, const std::string& source) : text_(text) { s_.source = source; }

    Script run() {
        std::istringstream in{std::string(text_)};
        std::string raw;
        while (std::getline(in, raw)) {
            ++line_;
            // Checked here, for every line: only the words that reach the tokenizer would be
            // checked otherwise, and a reply text would carry a broken byte to the terminal.
            std::size_t bad = 0;
            if (!tokenizer::is_valid_utf8(raw, &bad))
                fail(fmt::format("not valid UTF-8: byte {} of the line (0x{:02X}) starts no character", bad + 1,
                                 static_cast<unsigned char>(raw[bad])));
            std::string l = trim(raw);
            if (l.empty() || l[0] == '#') continue;
            line(l);
        }
        finish();
        return std::move(s_);
    }

private:
    [[noreturn]] void fail(const std::string& message, int at = 0) const {
        throw ScriptError(s_.source, at ? at : line_, message);
    }

    void line(const std::string& l) {
        auto colon = l.find(':');
        if (colon == std::string::npos)
            fail(fmt::format("expected 'directive: value', got '{}'", l));
        std::string head = trim(l.substr(0, colon)), value = trim(l.substr(colon + 1));
        std::istringstream hs(head);
        std::string directive, name, extra;
        hs >> directive >> name >> extra;

        if (directive == "tag") {
            if (name.empty() || !extra.empty()) fail("write a tag as 'tag NAME: word word ...'");
            auto words = words_of(value);
            if (words.empty()) fail(fmt::format("tag '{}' has no words", name));
            if (!s_.tags.emplace(tokenizer::lower(name), words).second) fail(fmt::format("tag '{}' defined twice", name));
            return;
        }
        if (!name.empty()) fail(fmt::format("unexpected '{}' before ':'", head));
        if (directive == "language") s_.language = value;
        else if (directive == "greeting") s_.greeting = value;
        else if (directive == "goodbye") s_.goodbye = value;
        else if (directive == "quit") s_.quit_words = words_of(value);
        else if (directive == "pre") s_.pre.push_back(rewrite(value));
        else if (directive == "reflect") s_.reflect.push_back(rewrite(value));
        else if (directive == "key") key(value);
        else if (directive == "memory") {
            if (!s_.memory.word.empty()) fail("only one memory: block is allowed (as in Weizenbaum's ELIZA)");
            auto w = words_of(value);
            if (w.size() != 1) fail("memory: needs exactly one keyword");
            s_.memory.word = w[0];
            s_.memory.line = line_;
            current_ = &s_.memory;
        } else if (directive == "none") {
            if (seen_none_) fail("none: defined twice");
            seen_none_ = true;
            s_.none.word = "none";
            s_.none.line = line_;
            s_.none.decompositions.push_back({"0", line_, {Element{}}, {}});  // matches anything
            current_ = &s_.none;
        } else if (directive == "decomp") decomp(value);
        else if (directive == "reasmb") reasmb(value);
        else fail(fmt::format("unknown directive '{}' (known: language greeting goodbye quit pre "
                              "reflect tag key decomp reasmb memory none)", directive));
    }

    Rewrite rewrite(const std::string& value) {
        auto eq = value.find('=');
        if (eq == std::string::npos) fail("a rewrite needs '=': 'pre: words = words'");
        Rewrite r{words_of(value.substr(0, eq)), words_of(value.substr(eq + 1))};
        if (r.from.empty()) fail("nothing to rewrite on the left of '='");
        return r;
    }

    void key(const std::string& value) {
        std::istringstream vs(value);
        std::string word, rank, extra;
        vs >> word >> rank >> extra;
        if (word.empty() || rank.empty() || !extra.empty()) fail("write a keyword as 'key: WORD RANK'");
        if (!all_digits(rank)) fail(fmt::format("rank '{}' is not a non-negative integer", rank));
        Keyword k;
        if (word[0] == '/') k.word = "/" + tokenizer::lower(word.substr(1));
        else {
            auto w = words_of(word);
            if (w.size() != 1) fail(fmt::format("keyword '{}' is not a single word", word));
            k.word = w[0];
        }
        k.rank = small_number(rank, "rank");
        k.line = line_;
        for (const auto& other : s_.keywords)
            if (other.word == k.word) fail(fmt::format("keyword '{}' defined twice (first at line {})", k.word, other.line));
        s_.keywords.push_back(std::move(k));
        current_ = &s_.keywords.back();
    }

    void decomp(const std::string& value) {
        if (!current_) fail("decomp before any key:/memory:");
        if (current_ == &s_.none) fail("none: takes reasmb lines only (its decomposition is always 0)");
        Decomposition d;
        d.source = value;
        d.line = line_;
        for (const auto& tok : split_pattern_text(value)) d.pattern.push_back(element(tok));
        if (d.pattern.empty()) fail("empty decomposition pattern");
        current_->decompositions.push_back(std::move(d));
    }

    // A number of the script (all digits, checked by the caller) that fits an int, or an
    // error naming the line: std::stoi's own message is just "stoi".
    int small_number(const std::string& digits, const char* what) {
        if (digits.size() > 6) fail(fmt::format("{} '{}' is too large", what, digits));
        return std::stoi(digits);
    }

    Element element(const std::string& tok) {
        Element e;
        if (all_digits(tok)) {
            int n = small_number(tok, "word count");
            e.kind = n == 0 ? Element::Kind::any : Element::Kind::count;
            e.count = n;
        } else if (tok.front() == '[') {
            if (tok.back() != ']' || tok.size() < 3) fail(fmt::format("alternatives '{}' must look like [a|b|c]", tok));
            e.kind = Element::Kind::alternatives;
            std::string inner = tok.substr(1, tok.size() - 2);
            std::istringstream alts(inner);
            std::string alt;
            while (std::getline(alts, alt, '|')) {
                auto w = words_of(alt);
                if (w.size() != 1) fail(fmt::format("alternative '{}' in '{}' is not a single word", alt, tok));
                e.words.push_back(w[0]);
            }
        } else if (tok.front() == '/') {
            e.kind = Element::Kind::tag;
            e.tag = tokenizer::lower(tok.substr(1));
            tag_uses_.push_back({e.tag, line_});
        } else {
            auto w = words_of(tok);
            if (w.size() != 1) fail(fmt::format("pattern word '{}' is not a single word", tok));
            e.kind = Element::Kind::word;
            e.words = {w[0]};
        }
        return e;
    }

    void reasmb(const std::string& value) {
        if (!current_ || current_->decompositions.empty()) fail("reasmb before any decomp");
        auto& d = current_->decompositions.back();
        Reassembly r;
        r.line = line_;
        if (value.empty()) fail("empty reassembly");
        if (value == "NEWKEY") r.kind = Reassembly::Kind::newkey;
        else if (value[0] == '=') {
            r.kind = Reassembly::Kind::link;
            r.text = trim(value.substr(1));
            if (r.text.empty()) fail("'=' must name a keyword: '=KEY'");
            links_.push_back({tokenizer::lower(r.text), line_});
        } else {
            r.text = value;
            static const std::regex ref(R"(\((\d+)\))");
            for (std::sregex_iterator it(value.begin(), value.end(), ref), end; it != end; ++it) {
                int k = small_number((*it)[1], "part number");
                if (k < 1 || k > static_cast<int>(d.pattern.size()))
                    fail(fmt::format("({}) cites a part that '{}' does not have (it has {} parts)", k,
                                     d.source, d.pattern.size()));
            }
        }
        d.reassemblies.push_back(std::move(r));
    }

    void finish() {
        if (!seen_none_ || s_.none.decompositions[0].reassemblies.empty())
            fail("the script needs a none: block with at least one reasmb (the reply when nothing matches)", line_);
        if (s_.keywords.empty()) fail("the script has no key: blocks", line_);
        auto check = [&](const Keyword& k) {
            for (const auto& d : k.decompositions)
                if (d.reassemblies.empty()) fail(fmt::format("decomposition '{}' has no reasmb", d.source), d.line);
        };
        for (const auto& k : s_.keywords) {
            if (k.decompositions.empty()) fail(fmt::format("keyword '{}' has no decomp", k.word), k.line);
            check(k);
            if (k.word[0] == '/' && !s_.tags.count(k.word.substr(1)))
                fail(fmt::format("keyword '{}' names an unknown tag", k.word), k.line);
        }
        if (!s_.memory.word.empty()) {
            check(s_.memory);
            if (!s_.find_key_named(s_.memory.word))
                fail(fmt::format("memory keyword '{}' must also be a key:", s_.memory.word), s_.memory.line);
        }
        for (const auto& [tag, at] : tag_uses_)
            if (!s_.tags.count(tag)) fail(fmt::format("unknown tag '/{}' (define it with 'tag {}: ...')", tag, tag), at);
        for (const auto& [key, at] : links_)
            if (!s_.find_key_named(key)) fail(fmt::format("'={}' links to a keyword that does not exist", key), at);
    }

    std::string_view text_;
    Script s_;
    int line_ = 0;
    Keyword* current_ = nullptr;  // the block being read; re-pointed after every push_back
    bool seen_none_ = false;
    std::vector<std::pair<std::string, int>> tag_uses_, links_;
};

}  // namespace

ScriptError::ScriptError(const std::string& src, int l, const std::string& message)
    : std::runtime_error(fmt::format("{}:{}: {}", src, l, message)), source(src), line(l) {}

std::vector<std::string> split_pattern_text(std::string_view text) {
    std::istringstream in{std::string(text)};
    std::vector<std::string> out;
    for (std::string t; in >> t;) out.push_back(t);
    return out;
}

Script Script::parse(std::string_view text, const std::string& source) {
    try {
        return Parser(text, source).run();
    } catch (const tokenizer::TokenizerError& e) {
        throw ScriptError(source, 0, e.what());  // invalid UTF-8 in the script
    }
}

Script Script::load(const std::filesystem::path& path) {
    std::string text;
    try {
        text = read_text_file(path);
    } catch (const std::runtime_error& e) {
        throw ScriptError(path.string(), 0, e.what());
    }
    return parse(text, path.string());
}

const Keyword* Script::find_keyword(std::string_view word) const {
    for (const auto& k : keywords) {
        if (k.word == word) return &k;
        if (k.word[0] == '/') {
            auto it = tags.find(k.word.substr(1));
            if (it != tags.end() && std::find(it->second.begin(), it->second.end(), word) != it->second.end())
                return &k;
        }
    }
    return nullptr;
}

const Keyword* Script::find_key_named(std::string_view name) const {
    for (const auto& k : keywords)
        if (k.word == name) return &k;
    return nullptr;
}

}  // namespace aprender::tutorial::eliza
