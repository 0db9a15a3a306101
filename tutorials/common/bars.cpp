#include "tutorials/common/bars.h"

#include <algorithm>
#include <cmath>
#include <ostream>

#include <fmt/format.h>

namespace aprender::tutorial {

void print_bars(std::ostream& out, const Style& style, const std::vector<Bar>& bars,
                const BarOptions& o) {
    static const char* const kEighths[] = {"", "▏", "▎", "▍", "▌", "▋", "▊", "▉"};
    double max = o.max;
    std::size_t label_width = 0;
    for (const auto& b : bars) {
        if (o.max <= 0 && std::isfinite(b.value)) max = std::max(max, b.value);
        label_width = std::max(label_width, display_width(b.label));
    }
    for (const auto& b : bars) {
        double fraction = max > 0 && std::isfinite(b.value) ? std::clamp(b.value / max, 0.0, 1.0) : 0.0;
        auto eighths = static_cast<std::size_t>(std::lround(fraction * double(o.width) * 8));
        std::string bar;
        for (std::size_t i = 0; i < eighths / 8; ++i) bar += "█";
        bar += kEighths[eighths % 8];
        out << std::string(o.indent, ' ') << pad_right(b.label, label_width) << "  "
            << style.accent(pad_right(bar, o.width)) << " " << fmt::format("{:.{}f}", b.value, o.digits)
            << "\n";
    }
}

}  // namespace aprender::tutorial
