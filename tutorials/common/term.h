// term.h — the terminal: colours that switch off cleanly, and text widths that count
// what the eye sees (a "ç" is two bytes but one column; a CJK character two columns).
#pragma once

#include <string>
#include <string_view>

namespace aprender::tutorial {

// ANSI styling that degrades to plain text. Every helper returns its argument unchanged
// when colour is off (--no-color, NO_COLOR, a pipe), so callers never branch on it.
struct Style {
    bool color = false;

    std::string bold(std::string_view s) const;
    std::string dim(std::string_view s) const;
    std::string accent(std::string_view s) const;  // cyan: names, keywords
    std::string good(std::string_view s) const;    // green: checks that passed
    std::string bad(std::string_view s) const;     // red: failures, zeros, ∞
    std::string warn(std::string_view s) const;    // yellow: fallbacks, notes
    // 256-colour palette (xterm): foreground / background of a text.
    std::string fg256(int code, std::string_view s) const;
    std::string bg256(int code, std::string_view s) const;
};

bool stdin_is_terminal();
bool stdout_is_terminal();

// Columns the UTF-8 text occupies on a terminal (ANSI escape sequences count as 0).
std::size_t display_width(std::string_view utf8);
// The text without its ANSI colour codes (for files: a CSV cell must hold the number only).
std::string strip_colour(std::string_view s);
// Pad with spaces to `width` columns (never truncates).
std::string pad_right(std::string_view s, std::size_t width);
std::string pad_left(std::string_view s, std::size_t width);
// Cut to at most `width` columns, ending in "…" when something was cut.
std::string truncate_to(std::string_view s, std::size_t width);

}  // namespace aprender::tutorial
