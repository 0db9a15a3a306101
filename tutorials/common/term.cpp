#include "tutorials/common/term.h"

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

}  // namespace aprender::tutorial
