#include "tutorials/common/term.h"

#include <algorithm>

#include <fmt/format.h>
#include <unistd.h>
#include <utf8proc.h>

namespace aprender::tutorial {

namespace {
std::string sgr(bool on, std::string_view code, std::string_view s) {
    if (!on) return std::string(s);
    return fmt::format("\x1b[{}m{}\x1b[0m", code, s);
}

// Decode one code point at s[i]; invalid bytes count as one column-one character so
// that broken input still lines up rather than throwing in the middle of a table.
utf8proc_int32_t next_codepoint(std::string_view s, std::size_t& i) {
    utf8proc_int32_t cp = 0;
    auto n = utf8proc_iterate(reinterpret_cast<const utf8proc_uint8_t*>(s.data() + i),
                              static_cast<utf8proc_ssize_t>(s.size() - i), &cp);
    if (n <= 0) { ++i; return '?'; }
    i += static_cast<std::size_t>(n);
    return cp;
}
}  // namespace

std::string Style::bold(std::string_view s) const { return sgr(color, "1", s); }
std::string Style::dim(std::string_view s) const { return sgr(color, "2", s); }
std::string Style::accent(std::string_view s) const { return sgr(color, "36", s); }
std::string Style::good(std::string_view s) const { return sgr(color, "32", s); }
std::string Style::bad(std::string_view s) const { return sgr(color, "31", s); }
std::string Style::warn(std::string_view s) const { return sgr(color, "33", s); }
std::string Style::fg256(int code, std::string_view s) const {
    return sgr(color, fmt::format("38;5;{}", code), s);
}
std::string Style::bg256(int code, std::string_view s) const {
    return sgr(color, fmt::format("48;5;{}", code), s);
}

bool stdin_is_terminal() { return isatty(STDIN_FILENO) == 1; }
bool stdout_is_terminal() { return isatty(STDOUT_FILENO) == 1; }

std::string strip_colour(std::string_view s) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '\x1b') {  // skip "ESC [ ... m"
            while (i < s.size() && s[i] != 'm') ++i;
            continue;
        }
        out += s[i];
    }
    return out;
}

std::size_t display_width(std::string_view text) {
    const std::string s = strip_colour(text);  // colour codes take no columns
    std::size_t width = 0, i = 0;
    while (i < s.size()) {
        int w = utf8proc_charwidth(next_codepoint(s, i));
        width += w > 0 ? static_cast<std::size_t>(w) : 0;
    }
    return width;
}

std::string pad_right(std::string_view s, std::size_t width) {
    std::size_t w = display_width(s);
    return std::string(s) + std::string(w < width ? width - w : 0, ' ');
}

std::string pad_left(std::string_view s, std::size_t width) {
    std::size_t w = display_width(s);
    return std::string(w < width ? width - w : 0, ' ') + std::string(s);
}

std::string truncate_to(std::string_view s, std::size_t width) {
    if (display_width(s) <= width) return std::string(s);
    std::string out;
    std::size_t used = 0, i = 0;
    while (i < s.size()) {
        std::size_t start = i;
        int w = std::max(0, utf8proc_charwidth(next_codepoint(s, i)));
        if (used + static_cast<std::size_t>(w) + 1 > width) break;
        used += static_cast<std::size_t>(w);
        out.append(s.substr(start, i - start));
    }
    return out + "…";
}

namespace {

// The colour a text leaves switched on at its end: its SGR codes since the last reset.
void follow_colour(std::string_view s, std::string& active) {
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] != '\x1b') continue;
        std::size_t end = s.find('m', i);
        if (end == std::string_view::npos) return;
        std::string_view code = s.substr(i, end + 1 - i);
        if (code == "\x1b[0m" || code == "\x1b[m") active.clear();
        else active += code;
        i = end;
    }
}

// A word wider than `width`, in pieces of at most `width` columns (colour codes go along
// with the character after them).
std::vector<std::string> cut_word(std::string_view word, std::size_t width) {
    std::vector<std::string> pieces(1);
    std::size_t used = 0, i = 0;
    while (i < word.size()) {
        if (word[i] == '\x1b') {
            std::size_t end = word.find('m', i);
            end = end == std::string_view::npos ? word.size() : end + 1;
            pieces.back().append(word.substr(i, end - i));
            i = end;
            continue;
        }
        std::size_t start = i;
        auto w = static_cast<std::size_t>(std::max(0, utf8proc_charwidth(next_codepoint(word, i))));
        if (used > 0 && used + w > width) {
            pieces.emplace_back();
            used = 0;
        }
        pieces.back().append(word.substr(start, i - start));
        used += w;
    }
    return pieces;
}

}  // namespace

std::vector<std::string> wrap_text(std::string_view text, std::size_t width, std::size_t max_lines) {
    width = std::max<std::size_t>(width, 1);
    max_lines = std::max<std::size_t>(max_lines, 1);
    std::vector<std::string> lines;
    std::string line, active;  // the line being filled; the colour open where it ends
    std::size_t used = 0;
    bool cut = false;
    auto end_line = [&]() {
        if (lines.size() == max_lines) { cut = true; return; }
        lines.push_back(line + (active.empty() ? "" : "\x1b[0m"));
        line = active;  // the next line reopens the colour
        used = 0;
    };
    std::size_t i = 0;
    while (i < text.size() && !cut) {
        auto blank = [&](std::size_t k) { return text[k] == ' ' || text[k] == '\n' || text[k] == '\t'; };
        std::size_t gap = 0;
        while (i < text.size() && blank(i)) ++gap, ++i;
        std::size_t start = i;
        while (i < text.size() && !blank(i)) ++i;
        if (start == i) break;  // trailing spaces
        std::string_view word = text.substr(start, i - start);
        std::size_t w = display_width(word);
        if (used > 0 && used + gap + w > width) end_line();
        else if (used > 0) line.append(gap, ' '), used += gap;
        if (cut) break;
        if (w <= width) {
            line += word;
            used += w;
        } else {
            auto pieces = cut_word(word, width);
            for (std::size_t p = 0; p < pieces.size() && !cut; ++p) {
                if (p > 0) end_line();
                if (cut) break;
                line += pieces[p];
                used = display_width(pieces[p]);
            }
        }
        follow_colour(word, active);
    }
    if (!cut && (used > 0 || lines.empty())) {  // the last line
        if (lines.size() == max_lines) cut = true;
        else lines.push_back(line + (active.empty() ? "" : "\x1b[0m"));
    }
    if (cut) {  // say that something follows: " …" ends the last line kept
        std::string last = lines.back();
        if (display_width(last) + 2 > width) {  // make room: drop its last word (plain text)
            last = strip_colour(last);
            std::size_t space = last.rfind(' ');
            while (space != std::string::npos && display_width(last.substr(0, space)) + 2 > width)
                space = space == 0 ? std::string::npos : last.rfind(' ', space - 1);
            if (space == std::string::npos) {
                lines.back() = truncate_to(last, width);
                return lines;
            }
            last.resize(space);
        }
        lines.back() = last + " …";
    }
    return lines;
}

std::string hang(std::string_view lead, std::string_view text, std::size_t columns, std::size_t max_lines) {
    const std::size_t at = display_width(lead);
    const std::size_t room = std::max<std::size_t>(columns > at ? columns - at : 0, 16);  // a lead too wide still shows the text
    std::string out;
    auto lines = wrap_text(text, room, max_lines);
    for (std::size_t i = 0; i < lines.size(); ++i)
        out += (i == 0 ? std::string(lead) : std::string(at, ' ')) + lines[i] + "\n";
    return out;
}

std::string first_line_wider_than(std::string_view text, std::size_t columns) {
    std::size_t start = 0;
    while (start < text.size()) {
        std::size_t end = text.find('\n', start);
        if (end == std::string_view::npos) end = text.size();
        std::string_view line = text.substr(start, end - start);
        if (std::size_t w = display_width(line); w > columns) return fmt::format("{} columns: {}", w, line);
        start = end + 1;
    }
    return "";
}

}  // namespace aprender::tutorial
