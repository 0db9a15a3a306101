#include "tutorials/common/table.h"

#include <ostream>
#include <stdexcept>

#include <fmt/format.h>

#include "tutorials/common/csv.h"

namespace aprender::tutorial {

Table::Table(std::vector<std::string> header, std::vector<Align> align)
    : header_(std::move(header)), align_(std::move(align)) {
    align_.resize(header_.size(), Align::left);
}

void Table::add_row(std::vector<std::string> cells) {
    if (cells.size() != header_.size())
        throw std::logic_error(fmt::format("table row has {} cells, header has {}", cells.size(),
                                           header_.size()));
    rows_.push_back(std::move(cells));
}

void Table::print(std::ostream& out, const Style& style, std::size_t indent) const {
    std::vector<std::size_t> width(header_.size());
    for (std::size_t c = 0; c < header_.size(); ++c) {
        width[c] = display_width(header_[c]);
        for (const auto& r : rows_) width[c] = std::max(width[c], display_width(r[c]));
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
    line(header_, true);
    std::string rule(indent, ' ');
    for (std::size_t c = 0; c < width.size(); ++c) {
        for (std::size_t i = 0; i < width[c]; ++i) rule += "─";
        if (c + 1 < width.size()) rule += "  ";
    }
    out << style.dim(rule) << "\n";
    for (const auto& r : rows_) line(r, false);
}

void Table::write_csv(const std::filesystem::path& path) const {
    // Cells may be coloured for the terminal (a bold result); the file gets the plain text.
    auto plain = rows_;
    for (auto& r : plain)
        for (auto& cell : r) cell = strip_colour(cell);
    write_csv_file(path, header_, plain);
}

}  // namespace aprender::tutorial
