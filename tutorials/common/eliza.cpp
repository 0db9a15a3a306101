// eliza.cpp — the ELIZA engine: keystack, decomposition, reassembly, memory (see eliza.h).
#include "tutorials/common/eliza.h"

#include <algorithm>
#include <regex>

#include <utf8proc.h>

#include "tokenizer/unicode.h"
#include "tokenizer/word.h"

namespace aprender::tutorial::eliza {

namespace {

constexpr int kMaxLinks = 10;     // =KEY chains longer than this are a loop in the script
constexpr std::size_t kMaxMemories = 10;

bool is_delimiter(std::string_view w) {
    return w == "." || w == "," || w == "!" || w == "?" || w == ";" || w == ":";
}

bool is_word(std::string_view w) {
    char32_t cp = 0;
    return tokenizer::next_code_point(w, 0, &cp) > 0 && (tokenizer::is_letter(cp) || tokenizer::is_number(cp));
}

}  // namespace

std::string tidy_sentence(std::string s) {
    // One space between words, none before closing punctuation.
    static const std::regex spaces(" {2,}"), before_punct(" +([?.!,;:])");
    s = std::regex_replace(s, spaces, " ");
    s = std::regex_replace(s, before_punct, "$1");
    auto b = s.find_first_not_of(' ');
    s = b == std::string::npos ? "" : s.substr(b);
    while (!s.empty() && s.back() == ' ') s.pop_back();
    // Capital first letter (Unicode: "é" → "É").
    char32_t cp = 0;
    if (std::size_t n = tokenizer::next_code_point(s, 0, &cp); n > 0)
        s = tokenizer::encode_utf8(static_cast<char32_t>(utf8proc_toupper(static_cast<utf8proc_int32_t>(cp)))) + s.substr(n);
    return s;
}

Eliza::Eliza(Script script) : script_(std::move(script)) {}

bool Eliza::element_accepts(const Element& el, const Word& w) const {
    switch (el.kind) {
        case Element::Kind::word:
        case Element::Kind::alternatives:
            return std::find(el.words.begin(), el.words.end(), w.key) != el.words.end();
        case Element::Kind::tag: {
            const auto& words = script_.tags.at(el.tag);
            return std::find(words.begin(), words.end(), w.key) != words.end();
        }
        default: return true;
    }
}

// Backtracking match, element by element; `0` tries the shortest span first, so that a
// literal after it matches its first occurrence (leftmost), as in the paper's examples.
// Whether elements e.. can match words w.. depends on (e, w) alone, so a failure is
// remembered: without that, a pattern of many 0s takes exponential time on a long sentence.
bool Eliza::match_from(const std::vector<Element>& pattern, std::size_t e, const Words& words,
                       std::size_t w, Parts& parts, std::vector<char>& failed) const {
    if (e == pattern.size()) return w == words.size();
    char& known_failure = failed[e * (words.size() + 1) + w];
    if (known_failure) return false;
    known_failure = !match_element(pattern, e, words, w, parts, failed);
    return !known_failure;
}

bool Eliza::match_element(const std::vector<Element>& pattern, std::size_t e, const Words& words,
                          std::size_t w, Parts& parts, std::vector<char>& failed) const {
    const Element& el = pattern[e];
    if (el.kind == Element::Kind::any || el.kind == Element::Kind::count) {
        std::size_t lo = el.kind == Element::Kind::count ? static_cast<std::size_t>(el.count) : 0;
        std::size_t hi = el.kind == Element::Kind::count ? lo : words.size() - w;
        for (std::size_t len = lo; len <= hi && w + len <= words.size(); ++len) {
            parts[e] = {w, w + len};
            if (match_from(pattern, e + 1, words, w + len, parts, failed)) return true;
        }
        return false;
    }
    if (w >= words.size() || !element_accepts(el, words[w])) return false;
    parts[e] = {w, w + 1};
    return match_from(pattern, e + 1, words, w + 1, parts, failed);
}

bool Eliza::match(const std::vector<Element>& pattern, const Words& words, Parts& parts) const {
    parts.assign(pattern.size(), {0, 0});
    std::vector<char> failed(pattern.size() * (words.size() + 1), 0);  // (e, w) known not to match
    return match_from(pattern, 0, words, 0, parts, failed);
}

// Longest rewrite first at each position, one pass: "eu estou" → "você está" and
// "você" → "eu" in the same sentence never undo each other.
static std::vector<std::pair<std::string, std::string>> apply_rewrites(
    const std::vector<std::pair<std::string, std::string>>& words, const std::vector<Rewrite>& rules) {
    std::vector<std::pair<std::string, std::string>> out;  // (text, key)
    for (std::size_t i = 0; i < words.size();) {
        const Rewrite* best = nullptr;
        for (const auto& r : rules) {
            if (r.from.size() > words.size() - i || (best && r.from.size() <= best->from.size())) continue;
            bool same = true;
            for (std::size_t k = 0; k < r.from.size() && same; ++k) same = words[i + k].second == r.from[k];
            if (same) best = &r;
        }
        if (!best) { out.push_back(words[i++]); continue; }
        for (const auto& t : best->to) out.push_back({t, t});
        i += best->from.size();
    }
    return out;
}

Eliza::Words Eliza::reflect(const Words& part) const {
    std::vector<std::pair<std::string, std::string>> ws;
    for (const auto& w : part) ws.push_back({w.text, w.key});
    Words out;
    for (auto& [text, key] : apply_rewrites(ws, script_.reflect)) out.push_back({text, key});
    return out;
}

std::string Eliza::reassemble(const std::string& tmpl, const Words& words, const Parts& parts) const {
    static const std::regex ref(R"(\((\d+)\))");
    std::string out;
    auto begin = tmpl.cbegin();
    for (std::sregex_iterator it(tmpl.begin(), tmpl.end(), ref), end; it != end; ++it) {
        out.append(begin, tmpl.cbegin() + it->position());
        auto [b, e] = parts.at(std::stoul((*it)[1]) - 1);
        Words part(words.begin() + static_cast<long>(b), words.begin() + static_cast<long>(e));
        std::string cited;
        for (const auto& w : reflect(part)) cited += (cited.empty() ? "" : " ") + w.text;
        out += cited;
        begin = tmpl.cbegin() + it->position() + it->length();
    }
    out.append(begin, tmpl.cend());
    return tidy_sentence(out);
}

const Reassembly& Eliza::next_reassembly(const Decomposition& d, Trace& trace) {
    std::size_t& next = cycle_[&d];
    const Reassembly& r = d.reassemblies[next % d.reassemblies.size()];
    trace.reassembly_index = static_cast<int>(next % d.reassemblies.size()) + 1;
    trace.reassembly_count = static_cast<int>(d.reassemblies.size());
    ++next;  // cycling: the next use of this rule says the next reassembly
    return r;
}

bool Eliza::try_keyword(const Keyword& key, const Words& words, Reply& reply, int depth) {
    Trace& t = reply.trace;
    Parts parts;
    for (const auto& d : key.decompositions) {
        if (!match(d.pattern, words, parts)) continue;
        const Reassembly& r = next_reassembly(d, t);
        if (r.kind == Reassembly::Kind::newkey) {
            t.links.push_back("NEWKEY (" + key.word + ")");
            return false;
        }
        if (r.kind == Reassembly::Kind::link) {
            t.links.push_back("=" + r.text + " (from " + key.word + ")");
            const Keyword* target = script_.find_key_named(tokenizer::lower(r.text));
            if (!target || depth >= kMaxLinks) return false;  // validated; a loop ends here
            return try_keyword(*target, words, reply, depth + 1);
        }
        t.keyword = key.word;
        t.rank = key.rank;
        t.decomposition = d.source;
        t.decomposition_line = d.line;
        t.parts.clear();
        for (auto [b, e] : parts) {
            std::string p;
            for (std::size_t i = b; i < e; ++i) p += (p.empty() ? "" : " ") + words[i].text;
            t.parts.push_back(p);
        }
        t.reassembly = r.text;
        reply.text = reassemble(r.text, words, parts);
        return true;
    }
    return false;
}

Reply Eliza::respond(std::string_view input) {
    Reply reply;
    Trace& t = reply.trace;

    // 1. Words (case kept for citing, lower-case NFC keys for matching). A sentence-initial
    //    capital ("Eu", "Nota") is only a capital because it starts the sentence: lower it,
    //    but leave words like "TP558" alone.
    auto raw = tokenizer::split_words(input, false);
    std::vector<std::pair<std::string, std::string>> tokens;
    for (const auto& w : raw) tokens.push_back({w, tokenizer::lower(w)});
    for (auto& [text, key] : tokens) {
        if (!is_word(text)) continue;
        char32_t cp = 0;
        std::size_t n = tokenizer::next_code_point(text, 0, &cp);
        if (tokenizer::lower(text.substr(n)) == text.substr(n)) text = key;
        break;
    }
    for (const auto& [text, key] : tokens)
        if (std::find(script_.quit_words.begin(), script_.quit_words.end(), key) != script_.quit_words.end()) {
            reply.goodbye = true;
            reply.text = script_.goodbye;
            return reply;
        }
    tokens = apply_rewrites(tokens, script_.pre);

    // 2-3. Scan clause by clause; build the keystack from the first clause with a keyword.
    Words clause;
    std::vector<const Keyword*> stack;
    std::vector<std::string> found;  // the input word that made each stack entry
    for (std::size_t i = 0; i <= tokens.size(); ++i) {
        if (i == tokens.size() || is_delimiter(tokens[i].second)) {
            if (!stack.empty()) break;  // a keyword was found: the rest is thrown away
            if (i < tokens.size()) clause.clear();  // none yet: forget the text before
            continue;
        }
        if (!is_word(tokens[i].first)) continue;  // quotes, dashes: not words
        t.read.push_back(tokens[i].second);
        clause.push_back({tokens[i].first, tokens[i].second});
        const Keyword* k = script_.find_keyword(tokens[i].second);
        if (!k || std::find(stack.begin(), stack.end(), k) != stack.end()) continue;
        bool on_top = !stack.empty() && k->rank > stack.front()->rank;
        stack.insert(on_top ? stack.begin() : stack.end(), k);
        found.insert(on_top ? found.begin() : found.end(), tokens[i].second);
    }
    for (std::size_t i = 0; i < stack.size(); ++i)
        t.keystack.push_back({stack[i]->word == found[i] ? found[i] : stack[i]->word + " (" + found[i] + ")",
                              stack[i]->rank});
    for (const auto& w : clause) t.words.push_back(w.key);

    // 6. MEMORY: the memory keyword on top stores a remark for later.
    if (!stack.empty() && !script_.memory.word.empty() && stack.front()->word == script_.memory.word) {
        Parts parts;
        for (const auto& d : script_.memory.decompositions) {
            if (!match(d.pattern, clause, parts)) continue;
            Trace scratch;
            const Reassembly& r = next_reassembly(d, scratch);
            t.memory_stored = reassemble(r.text, clause, parts);
            memory_.push_back(t.memory_stored);
            if (memory_.size() > kMaxMemories) memory_.pop_front();
            break;
        }
    }

    // 4-5. Keywords from the top of the stack.
    for (const Keyword* k : stack)
        if (try_keyword(*k, clause, reply, 0)) {
            t.source = Trace::Source::keyword;
            return reply;
        }

    // 6-7. Nothing applied: an old memory if there is one, else NONE.
    if (!memory_.empty()) {
        reply.text = memory_.front();
        memory_.pop_front();
        t.source = Trace::Source::memory;
        return reply;
    }
    try_keyword(script_.none, clause, reply, 0);
    t.source = Trace::Source::none;
    return reply;
}

}  // namespace aprender::tutorial::eliza
