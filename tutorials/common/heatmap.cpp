#include "tutorials/common/heatmap.h"

#include <algorithm>
#include <cmath>
#include <ostream>
#include <stdexcept>

#include <fmt/format.h>

namespace aprender::tutorial {

namespace {
// A perceptual-ish ramp through the xterm 6×6×6 colour cube: navy → teal → green → yellow.
constexpr int kRamp[] = {17, 18, 19, 20, 25, 31, 37, 43, 49, 48, 47, 83, 119, 155, 191, 227, 226};
constexpr char kGlyphs[] = " .:-=+*#%@";
}  // namespace

int heat_color(double f) {
    constexpr int n = sizeof(kRamp) / sizeof(kRamp[0]);
    int i = static_cast<int>(std::lround(std::clamp(f, 0.0, 1.0) * (n - 1)));
    return kRamp[i];
}

char heat_glyph(double f) {
    constexpr int n = sizeof(kGlyphs) - 1;
    return kGlyphs[static_cast<int>(std::lround(std::clamp(f, 0.0, 1.0) * (n - 1)))];
}

void print_heatmap(std::ostream& out, const Style& style, const std::vector<std::vector<double>>& values,
                   const std::vector<std::string>& row_labels,
                   const std::vector<std::string>& col_labels, const HeatmapOptions& o) {
    if (values.size() != row_labels.size())
        throw std::logic_error("heatmap: one row label per row needed");
    double lo = o.min, hi = o.max;
    if (lo == hi) {
        lo = INFINITY, hi = -INFINITY;
        for (const auto& r : values)
            for (double v : r)
                if (std::isfinite(v)) lo = std::min(lo, v), hi = std::max(hi, v);
        if (!(lo < hi)) hi = lo + 1;  // a constant (or empty) matrix
    }
    std::size_t label_w = 0;
    for (const auto& l : row_labels) label_w = std::max(label_w, display_width(l));
    std::size_t cell_w = o.show_values ? static_cast<std::size_t>(o.digits + 3) : 2;
    for (const auto& l : col_labels) cell_w = std::max<std::size_t>(cell_w, std::min<std::size_t>(display_width(l), 8));
    std::string pad(o.indent, ' ');

    // Column labels, cut to the cell width: over their numbers (right-aligned) when the cells
    // print values, else from the cell's left edge. No trailing blanks.
    std::string header = pad + std::string(label_w + 1, ' ');
    for (const auto& l : col_labels)
        header += (o.show_values ? pad_left(truncate_to(l, cell_w), cell_w) : pad_right(truncate_to(l, cell_w), cell_w)) + " ";
    out << header.substr(0, header.find_last_not_of(' ') + 1) << "\n";
    for (std::size_t r = 0; r < values.size(); ++r) {
        if (values[r].size() != col_labels.size())
            throw std::logic_error("heatmap: every row needs one value per column label");
        out << pad << pad_right(row_labels[r], label_w);
        for (double v : values[r]) {
            out << " ";  // between cells, none after the last
            double f = std::isfinite(v) ? (v - lo) / (hi - lo) : 0;
            std::string text = o.show_values ? fmt::format("{:>{}.{}f}", v, cell_w, o.digits)
                                             : std::string(cell_w, style.color ? ' ' : heat_glyph(f));
            if (style.color) {
                // Dark cells get white digits, bright cells black ones.
                int fg = f > 0.6 ? 16 : 255;
                out << style.bg256(heat_color(f), style.fg256(fg, text));
            } else {
                out << text;
            }
        }
        out << "\n";
    }
    // The legend: the scale's two ends — as colours, as glyphs when the cells are glyphs,
    // and as the bare range when the cells print their own numbers.
    out << pad << std::string(label_w + 1, ' ');
    if (style.color)
        out << style.bg256(heat_color(0), "  ") << fmt::format(" {:.3g} … ", lo) << style.bg256(heat_color(1), "  ")
            << fmt::format(" {:.3g}\n", hi);
    else if (!o.show_values)
        out << fmt::format("{}{} {:.3g} … {}{} {:.3g}\n", heat_glyph(0), heat_glyph(0), lo, heat_glyph(1), heat_glyph(1), hi);
    else
        out << fmt::format("{:.3g} … {:.3g}\n", lo, hi);
}

}  // namespace aprender::tutorial
