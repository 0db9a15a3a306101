#include "tutorials/common/table.h"

#include <ostream>
#include <stdexcept>

#include <fmt/format.h>

#include "tutorials/common/csv.h"

namespace aprender::tutorial {

Table::Table(std::vector<Cell> header, std::vector<Align> align)
    : header_(std::move(header)), align_(std::move(align)) {
    align_.resize(header_.size(), Align::left);
}

Cell count_cell(int64_t n, Lang lang) { return {thousands(n, lang), std::to_string(n)}; }

Cell percent_cell(std::string text) {
    std::string plain = strip_colour(text);
    if (!plain.empty() && plain.back() == '%') plain.pop_back();
    return {std::move(text), std::move(plain)};
}

Cell size_cell(std::string text, std::uintmax_t bytes) { return {std::move(text), std::to_string(bytes)}; }

void Table::add_row(std::vector<Cell> cells) {
    if (cells.size() != header_.size())
        throw std::logic_error(fmt::format("table row has {} cells, header has {}", cells.size(),
                                           header_.size()));
    rows_.push_back(std::move(cells));
}

void Table::print(std::ostream& out, const Style& style, std::size_t indent) const {
    std::vector<std::size_t> width(header_.size());
    for (std::size_t c = 0; c < header_.size(); ++c) {
        width[c] = display_width(header_[c].text);
        for (const auto& r : rows_) width[c] = std::max(width[c], display_width(r[c].text));
    }
    auto line = [&](const std::vector<std::string>& cells, bool is_header) {
        std::string s(indent, ' ');
        for (std::size_t c = 0; c < cells.size(); ++c) {
            std::string cell = align_[c] == Align::right ? pad_left(cells[c], width[c])
                                                         : pad_right(cells[c], width[c]);
            s += (is_header ? style.bold(cell) : cell) + (c + 1 < cells.size() ? "  " : "");
        }
        out << s << "\n";
    };
    auto texts = [](const std::vector<Cell>& cells) {
        std::vector<std::string> out;
        for (const auto& cell : cells) out.push_back(cell.text);
        return out;
    };
    line(texts(header_), true);
    std::string rule(indent, ' ');
    for (std::size_t c = 0; c < width.size(); ++c) {
        for (std::size_t i = 0; i < width[c]; ++i) rule += "─";
        if (c + 1 < width.size()) rule += "  ";
    }
    out << style.dim(rule) << "\n";
    for (const auto& r : rows_) line(texts(r), false);
}

void Table::write_csv(const std::filesystem::path& path) const {
    // Cells may be coloured or grouped for the terminal; the file gets their CSV values.
    auto plain = [](const std::vector<Cell>& cells) {
        std::vector<std::string> out;
        for (const auto& cell : cells) out.push_back(cell.csv ? *cell.csv : strip_colour(cell.text));
        return out;
    };
    std::vector<std::vector<std::string>> rows;
    for (const auto& r : rows_) rows.push_back(plain(r));
    write_csv_file(path, plain(header_), rows);
}

}  // namespace aprender::tutorial
