// heatmap.h — a matrix as coloured blocks in the terminal (attention maps, counts).
//
// With colour: each cell is two spaces on a 256-colour background, dark blue (low) to
// yellow (high). Without colour (--no-color, NO_COLOR, a pipe): an ASCII ramp " .:-=+*#%@",
// so the picture survives in logs and e-mails. A legend shows what the ends mean.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

#include "tutorials/common/term.h"

namespace aprender::tutorial {

struct HeatmapOptions {
    double min = 0, max = 0;   // colour range; min == max → taken from the data
    bool show_values = false;  // print each value (digits decimals) instead of blocks
    int digits = 2;
    std::size_t indent = 2;
};

void print_heatmap(std::ostream& out, const Style& style,
                   const std::vector<std::vector<double>>& values,
                   const std::vector<std::string>& row_labels,
                   const std::vector<std::string>& col_labels, const HeatmapOptions& options = {});

// The cell a value becomes, exposed for tests: its 256-colour code and its ASCII glyph.
int heat_color(double fraction);
char heat_glyph(double fraction);

}  // namespace aprender::tutorial
