// term.h — the terminal: colours that switch off cleanly, and text widths that count
// what the eye sees (a "ç" is two bytes but one column; a CJK character two columns).
#pragma once

#include <limits>
#include <string>
#include <string_view>
#include <vector>

namespace aprender::tutorial {

// The width every line a tutorial prints fits in: the narration wraps there, long samples
// hang under their label (hang below), tables narrow their headers or wrap (table.h), and the
// tests hold every --quick run to it (first_line_wider_than).
inline constexpr std::size_t kColumns = 88;

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

// `text` word-wrapped into lines of at most `width` columns. Breaks fall between words (the
// spaces there are dropped, those inside a line kept); a word wider than `width` is cut into
// pieces. Colour survives the breaks: a line that ends inside a coloured span closes it and
// the next line reopens it. With `max_lines`, the lines after it are dropped and the last
// one kept ends in " …" (still within `width`).
std::vector<std::string> wrap_text(std::string_view text, std::size_t width,
                                   std::size_t max_lines = std::numeric_limits<std::size_t>::max());
// A hanging indent: `lead` (an indent and a label, coloured or not) then `text` wrapped so
// that no line passes `columns`, its further lines starting under its first word; each line
// ends in "\n". For generated text that a student reads whole:
//   out << hang("    T = 0.8  ", style.accent(sample));
//       T = 0.8  A capital da Atlântida é necedir retc/rounicionamente de para de do no
//                de comando e atador chaver _geraca…
std::string hang(std::string_view lead, std::string_view text, std::size_t columns = kColumns,
                 std::size_t max_lines = std::numeric_limits<std::size_t>::max());

// The first line of `text` wider than `columns`, as "N columns: the line" ("" when every
// line fits): what the tests ask of every tutorial's output.
std::string first_line_wider_than(std::string_view text, std::size_t columns = kColumns);

}  // namespace aprender::tutorial
