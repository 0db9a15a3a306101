#include "tutorials/common/svg.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <stdexcept>

#include <fmt/format.h>

#include "tutorials/common/csv.h"
#include "tutorials/common/heatmap.h"

namespace aprender::tutorial {

namespace {

constexpr double kW = 720, kH = 440, kLeft = 70, kRight = 160, kTop = 40, kBottom = 50;
const char* const kPalette[] = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd",
                                "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"};

std::ofstream open_for_writing(const std::filesystem::path& p) {
    std::ofstream f(p);
    if (!f) throw std::runtime_error(fmt::format("cannot write '{}'", p.string()));
    return f;
}

std::filesystem::path csv_beside(const std::filesystem::path& svg) {
    auto p = svg;
    return p.replace_extension(".csv");
}

struct Range {
    double lo = INFINITY, hi = -INFINITY;
    void add(double v) { if (std::isfinite(v)) lo = std::min(lo, v), hi = std::max(hi, v); }
    void settle() {
        if (!std::isfinite(lo)) lo = 0, hi = 1;
        if (lo == hi) lo -= 0.5, hi += 0.5;
    }
};

std::string header(const std::string& title, double w = kW, double h = kH) {
    return fmt::format(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{0}\" height=\"{1}\" viewBox=\"0 0 {0} {1}\" "
        "font-family=\"sans-serif\" font-size=\"12\">\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
        "<text x=\"{2}\" y=\"22\" text-anchor=\"middle\" font-size=\"15\" font-weight=\"bold\">{3}</text>\n",
        w, h, w / 2, xml_escape(title));
}

// Axes with 5 ticks each; returns nothing, draws into f. fy maps data y to pixels.
template <class FX, class FY>
void axes(std::ofstream& f, const PlotLabels& l, Range xr, Range yr, FX fx, FY fy, bool log_y) {
    double x0 = kLeft, x1 = kW - kRight, y0 = kH - kBottom, y1 = kTop;
    f << fmt::format("<path d=\"M{} {} L{} {} L{} {}\" stroke=\"black\" fill=\"none\"/>\n", x0, y1, x0, y0, x1, y0);
    for (int i = 0; i <= 4; ++i) {
        double xv = xr.lo + (xr.hi - xr.lo) * i / 4, yv = yr.lo + (yr.hi - yr.lo) * i / 4;
        f << fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">{:.4g}</text>\n", fx(xv), y0 + 18, xv);
        std::string ylab = log_y ? fmt::format("{:.3g}", std::pow(10.0, yv)) : fmt::format("{:.4g}", yv);
        f << fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>\n", x0 - 6, fy(yv) + 4, ylab);
        f << fmt::format("<line x1=\"{}\" x2=\"{}\" y1=\"{}\" y2=\"{}\" stroke=\"#ddd\"/>\n", x0, x1, fy(yv), fy(yv));
    }
    f << fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>\n", (x0 + x1) / 2, kH - 12,
                     xml_escape(l.x));
    f << fmt::format("<text transform=\"translate(16 {}) rotate(-90)\" text-anchor=\"middle\">{}</text>\n",
                     (y0 + y1) / 2, xml_escape(l.y + (log_y ? " (log)" : "")));
}

}  // namespace

std::string xml_escape(std::string_view s) {
    std::string o;
    for (char c : s) {
        switch (c) {
            case '<': o += "&lt;"; break;
            case '>': o += "&gt;"; break;
            case '&': o += "&amp;"; break;
            case '"': o += "&quot;"; break;
            default: o += c;
        }
    }
    return o;
}

WrittenFiles write_line_plot(const std::filesystem::path& svg, const PlotLabels& labels,
                             const std::vector<Series>& series, bool log_y) {
    Range xr, yr;
    auto ty = [&](double y) { return log_y ? (y > 0 ? std::log10(y) : NAN) : y; };
    std::vector<std::vector<std::string>> rows;
    for (const auto& s : series) {
        if (s.x.size() != s.y.size()) throw std::logic_error("line plot: x and y differ in length");
        for (std::size_t i = 0; i < s.x.size(); ++i) {
            xr.add(s.x[i]);
            yr.add(ty(s.y[i]));
            rows.push_back({s.name, number_text(s.x[i]), number_text(s.y[i])});
        }
    }
    xr.settle(), yr.settle();
    auto fx = [&](double x) { return kLeft + (x - xr.lo) / (xr.hi - xr.lo) * (kW - kLeft - kRight); };
    auto fy = [&](double y) { return (kH - kBottom) - (y - yr.lo) / (yr.hi - yr.lo) * (kH - kTop - kBottom); };

    auto f = open_for_writing(svg);
    f << header(labels.title);
    axes(f, labels, xr, yr, fx, fy, log_y);
    for (std::size_t k = 0; k < series.size(); ++k) {
        const auto& s = series[k];
        std::string colour = kPalette[k % 10], d;
        bool pen_down = false;
        for (std::size_t i = 0; i < s.x.size(); ++i) {
            double y = ty(s.y[i]);
            if (!std::isfinite(y) || !std::isfinite(s.x[i])) { pen_down = false; continue; }
            d += fmt::format("{}{:.1f} {:.1f} ", pen_down ? "L" : "M", fx(s.x[i]), fy(y));
            pen_down = true;
        }
        f << fmt::format("<path d=\"{}\" stroke=\"{}\" stroke-width=\"2\" fill=\"none\"/>\n", d, colour);
        if (s.x.size() <= 30)  // few points: mark them
            for (std::size_t i = 0; i < s.x.size(); ++i)
                if (std::isfinite(ty(s.y[i])))
                    f << fmt::format("<circle cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"3\" fill=\"{}\"/>\n",
                                     fx(s.x[i]), fy(ty(s.y[i])), colour);
        double ly = kTop + 10 + 18 * double(k);
        f << fmt::format("<rect x=\"{}\" y=\"{}\" width=\"14\" height=\"4\" fill=\"{}\"/>"
                         "<text x=\"{}\" y=\"{}\">{}</text>\n",
                         kW - kRight + 12, ly - 4, colour, kW - kRight + 30, ly, xml_escape(s.name));
    }
    f << "</svg>\n";
    auto csv = csv_beside(svg);
    write_csv_file(csv, {"series", "x", "y"}, rows);
    return {svg, csv};
}

WrittenFiles write_heatmap(const std::filesystem::path& svg, const std::string& title,
                           const std::vector<std::vector<double>>& values,
                           const std::vector<std::string>& row_labels,
                           const std::vector<std::string>& col_labels) {
    if (values.size() != row_labels.size()) throw std::logic_error("heatmap: one label per row");
    Range r;
    for (const auto& row : values) {
        if (row.size() != col_labels.size()) throw std::logic_error("heatmap: one label per column");
        for (double v : row) r.add(v);
    }
    r.settle();
    const double cell = 44, left = 120, top = 110;
    double w = left + cell * double(col_labels.size()) + 30, h = top + cell * double(values.size()) + 60;
    auto f = open_for_writing(svg);
    f << header(title, std::max(w, 300.0), h);
    // The same navy → yellow ramp as the terminal, as RGB.
    auto rgb_of = [](double t) {
        int code = heat_color(t) - 16;
        auto level = [](int k) { return k == 0 ? 0 : 55 + 40 * k; };
        return fmt::format("rgb({},{},{})", level(code / 36), level(code / 6 % 6), level(code % 6));
    };
    for (std::size_t c = 0; c < col_labels.size(); ++c)
        f << fmt::format("<text transform=\"translate({} {}) rotate(-45)\">{}</text>\n",
                         left + cell * (double(c) + 0.5), top - 8, xml_escape(col_labels[c]));
    std::vector<std::vector<std::string>> rows;
    for (std::size_t i = 0; i < values.size(); ++i) {
        f << fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>\n", left - 6,
                         top + cell * (double(i) + 0.6), xml_escape(row_labels[i]));
        std::vector<std::string> csv_row{row_labels[i]};
        for (std::size_t c = 0; c < values[i].size(); ++c) {
            double v = values[i][c], t = std::isfinite(v) ? (v - r.lo) / (r.hi - r.lo) : 0;
            std::string rgb = rgb_of(t);
            f << fmt::format("<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{}\"/>\n",
                             left + cell * double(c), top + cell * double(i), cell, cell, rgb);
            f << fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" font-size=\"10\" fill=\"{}\">{:.2f}</text>\n",
                             left + cell * (double(c) + 0.5), top + cell * (double(i) + 0.6),
                             t > 0.6 ? "black" : "white", v);
            csv_row.push_back(number_text(v));
        }
        rows.push_back(std::move(csv_row));
    }
    // The legend: the colour of the smallest and of the largest value.
    const double ly = top + cell * double(values.size()) + 16;
    f << fmt::format("<rect x=\"{}\" y=\"{}\" width=\"14\" height=\"14\" fill=\"{}\"/>\n", left, ly, rgb_of(0));
    f << fmt::format("<text x=\"{}\" y=\"{}\">{:.3g} …</text>\n", left + 20, ly + 12, r.lo);
    f << fmt::format("<rect x=\"{}\" y=\"{}\" width=\"14\" height=\"14\" fill=\"{}\"/>\n", left + 90, ly, rgb_of(1));
    f << fmt::format("<text x=\"{}\" y=\"{}\">{:.3g}</text>\n", left + 110, ly + 12, r.hi);
    f << "</svg>\n";
    std::vector<std::string> csv_header{""};
    csv_header.insert(csv_header.end(), col_labels.begin(), col_labels.end());
    auto csv = csv_beside(svg);
    write_csv_file(csv, csv_header, rows);
    return {svg, csv};
}

WrittenFiles write_scatter(const std::filesystem::path& svg, const PlotLabels& labels,
                           const std::vector<ScatterPoint>& points) {
    Range xr, yr;
    for (const auto& p : points) xr.add(p.x), yr.add(p.y);
    xr.settle(), yr.settle();
    // A margin so that labels at the edges stay inside.
    double mx = (xr.hi - xr.lo) * 0.08, my = (yr.hi - yr.lo) * 0.08;
    xr.lo -= mx, xr.hi += mx, yr.lo -= my, yr.hi += my;
    auto fx = [&](double x) { return kLeft + (x - xr.lo) / (xr.hi - xr.lo) * (kW - kLeft - kRight); };
    auto fy = [&](double y) { return (kH - kBottom) - (y - yr.lo) / (yr.hi - yr.lo) * (kH - kTop - kBottom); };
    std::map<std::string, std::string> colour_of;
    auto f = open_for_writing(svg);
    f << header(labels.title);
    axes(f, labels, xr, yr, fx, fy, false);
    std::vector<std::vector<std::string>> rows;
    for (const auto& p : points) {
        auto [it, added] = colour_of.emplace(p.group, kPalette[colour_of.size() % 10]);
        if (added && !p.group.empty()) {
            double ly = kTop + 10 + 18 * double(colour_of.size() - 1);
            f << fmt::format("<circle cx=\"{}\" cy=\"{}\" r=\"5\" fill=\"{}\"/><text x=\"{}\" y=\"{}\">{}</text>\n",
                             kW - kRight + 18, ly - 4, it->second, kW - kRight + 30, ly, xml_escape(p.group));
        }
        if (std::isfinite(p.x) && std::isfinite(p.y))
            f << fmt::format("<circle cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"4\" fill=\"{}\"/>"
                             "<text x=\"{:.1f}\" y=\"{:.1f}\">{}</text>\n",
                             fx(p.x), fy(p.y), it->second, fx(p.x) + 6, fy(p.y) - 4, xml_escape(p.label));
        rows.push_back({p.label, p.group, number_text(p.x), number_text(p.y)});
    }
    f << "</svg>\n";
    auto csv = csv_beside(svg);
    write_csv_file(csv, {"label", "group", "x", "y"}, rows);
    return {svg, csv};
}

}  // namespace aprender::tutorial
