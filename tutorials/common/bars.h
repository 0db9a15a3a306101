// bars.h — horizontal bar charts for probabilities and counts.
//
//   print_bars(out, style, {{"a", 0.31}, {"programar", 0.12}});
//     a          ████████████████████████████████████████ 0.310
//     programar  ███████████████▍                         0.120
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

#include "tutorials/common/term.h"

namespace aprender::tutorial {

struct Bar {
    std::string label;
    double value = 0;
};

struct BarOptions {
    double max = 0;          // value of a full bar; 0 → the largest value shown
    std::size_t width = 40;  // columns of a full bar
    int digits = 3;          // decimals of the printed value
    std::size_t indent = 2;
};

// Bars use eighth-blocks (▏▎▍▌▋▊▉█) so that small differences stay visible.
void print_bars(std::ostream& out, const Style& style, const std::vector<Bar>& bars,
                const BarOptions& options = {});

}  // namespace aprender::tutorial
