// svg.h — pictures that open in any browser, each written together with its data as CSV.
//
// write_line_plot("out/07_gpt/loss.svg", ...) also writes out/07_gpt/loss.csv; all three
// writers return the paths they wrote. Non-finite values (∞, NaN) are left out of the
// drawing but kept in the CSV, where "inf" says what happened.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace aprender::tutorial {

struct Series {
    std::string name;
    std::vector<double> x, y;  // same length
};

struct PlotLabels {
    std::string title, x, y;
};

struct WrittenFiles {
    std::filesystem::path svg, csv;
};

// Lines (loss curves, error vs rank). log_y plots log10(y) with decade ticks.
// CSV columns: series,x,y.
WrittenFiles write_line_plot(const std::filesystem::path& svg, const PlotLabels& labels,
                             const std::vector<Series>& series, bool log_y = false);

// A matrix as coloured cells (attention), the value printed in each cell when it fits.
// CSV: first column the row label, then one column per column label.
WrittenFiles write_heatmap(const std::filesystem::path& svg, const std::string& title,
                           const std::vector<std::vector<double>>& values,
                           const std::vector<std::string>& row_labels,
                           const std::vector<std::string>& col_labels);

struct ScatterPoint {
    double x = 0, y = 0;
    std::string label;  // drawn next to the point
    std::string group;  // points of one group share a colour (legend)
};

// Labelled points (embeddings after PCA). CSV columns: label,group,x,y.
WrittenFiles write_scatter(const std::filesystem::path& svg, const PlotLabels& labels,
                           const std::vector<ScatterPoint>& points);

// XML-escape text for SVG.
std::string xml_escape(std::string_view text);

}  // namespace aprender::tutorial
