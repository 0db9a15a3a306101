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

Cell split_cell(std::string text, std::vector<std::string> fields) {
    Cell c(std::move(text));
    c.csv = std::move(fields);
    return c;
}

Cell missing_cell(std::size_t width) { return split_cell("—", std::vector<std::string>(width)); }

void Table::add_row(std::vector<Cell> cells) {
    if (cells.size() != header_.size())
        throw std::logic_error(fmt::format("table row has {} cells, header has {}", cells.size(),
                                           header_.size()));
    for (std::size_t i = 0; i < cells.size(); ++i)
        if (cells[i].csv_width() != header_[i].csv_width())
            throw std::logic_error(fmt::format("table cell '{}' has {} CSV fields, its header '{}' {}", cells[i].text,
                                               cells[i].csv_width(), header_[i].text, header_[i].csv_width()));
    rows_.push_back(std::move(cells));
}

Table& Table::wrap_column(std::size_t column) {
    if (column >= header_.size())
        throw std::logic_error(fmt::format("wrap_column({}): the table has {} columns", column, header_.size()));
    wrap_ = column;
    return *this;
}

namespace {

// `header` on two lines, broken at the space that makes the wider line narrowest; the
// header itself when it has no space.
std::vector<std::string> two_lines(const std::string& header) {
    std::vector<std::string> best{header};
    std::size_t best_width = display_width(header);
    for (std::size_t at = header.find(' '); at != std::string::npos; at = header.find(' ', at + 1)) {
        std::string first = header.substr(0, at), second = header.substr(at + 1);
        std::size_t w = std::max(display_width(first), display_width(second));
        if (w < best_width) best = {first, second}, best_width = w;
    }
    return best;
}

std::size_t widest(const std::vector<std::string>& lines) {
    std::size_t w = 0;
    for (const auto& l : lines) w = std::max(w, display_width(l));
    return w;
}

}  // namespace

void Table::print(std::ostream& out, const Style& style, std::size_t indent, std::size_t columns) const {
    const std::size_t n = header_.size();
    std::vector<std::size_t> width(n), values(n);  // each column's width; its widest value
    std::vector<std::vector<std::string>> header_lines(n);
    for (std::size_t c = 0; c < n; ++c) {
        for (const auto& r : rows_) values[c] = std::max(values[c], display_width(r[c].text));
        header_lines[c] = {header_[c].text};
        width[c] = std::max(values[c], display_width(header_[c].text));
    }
    auto total = [&](const std::vector<std::size_t>& cols) {
        std::size_t sum = indent;
        for (std::size_t c : cols) sum += width[c] + (c == cols.front() ? 0 : 2);
        return sum;
    };
    std::vector<std::size_t> all(n);
    for (std::size_t c = 0; c < n; ++c) all[c] = c;
    // 1. two-line headers, where a header is what makes its column wide
    if (total(all) > columns)
        for (std::size_t c = 0; c < n; ++c)
            if (display_width(header_[c].text) > values[c]) {
                header_lines[c] = two_lines(header_[c].text);
                width[c] = std::max(values[c], widest(header_lines[c]));
            }
    // 2. the wrap column gives up what the others need, down to a readable minimum
    if (wrap_ && total(all) > columns) {
        const std::size_t c = *wrap_, excess = total(all) - columns, least = 16;
        width[c] = std::max(width[c] > excess ? width[c] - excess : 0, std::min(width[c], least));
        header_lines[c] = wrap_text(header_[c].text, width[c]);
    }
    // 3. blocks of columns, each led by the first column
    std::vector<std::vector<std::size_t>> blocks;
    std::vector<std::size_t> block{0};
    for (std::size_t c = 1; c < n; ++c) {
        block.push_back(c);
        if (block.size() > 2 && total(block) > columns) {  // column c begins the next block
            block.pop_back();
            blocks.push_back(block);
            block = {0, c};
        }
    }
    blocks.push_back(block);
    for (std::size_t b = 0; b < blocks.size(); ++b) {
        if (b > 0) out << "\n";
        print_columns(out, style, indent, blocks[b], header_lines, width);
    }
}

void Table::print_columns(std::ostream& out, const Style& style, std::size_t indent,
                          const std::vector<std::size_t>& columns,
                          const std::vector<std::vector<std::string>>& header_lines,
                          const std::vector<std::size_t>& width) const {
    // One row of the screen: each column's piece, padded and aligned.
    auto line = [&](const std::vector<std::string>& pieces, bool is_header) {
        std::string s(indent, ' ');
        for (std::size_t i = 0; i < columns.size(); ++i) {
            const std::size_t c = columns[i];
            std::string cell = align_[c] == Align::right ? pad_left(pieces[i], width[c]) : pad_right(pieces[i], width[c]);
            s += (is_header && !pieces[i].empty() ? style.bold(cell) : cell) + (i + 1 < columns.size() ? "  " : "");
        }
        return s;
    };
    // Lines of cells, each cell's first line on the first: headers sit on the rule, a wrapped
    // cell hangs down.
    auto block = [&](const std::vector<std::vector<std::string>>& cells, bool is_header) {
        std::size_t height = 0;
        for (const auto& lines : cells) height = std::max(height, lines.size());
        for (std::size_t k = 0; k < height; ++k) {
            std::vector<std::string> pieces;
            for (const auto& lines : cells) {
                std::size_t skip = is_header ? height - lines.size() : 0;  // bottom-aligned
                pieces.push_back(k >= skip && k - skip < lines.size() ? lines[k - skip] : "");
            }
            std::string s = line(pieces, is_header);
            // the lines a one-line table does not have end without padding (a header's
            // upper lines, a wrapped cell's further lines)
            if (is_header ? k + 1 < height : k > 0) s.erase(s.find_last_not_of(' ') + 1);
            out << s << "\n";
        }
    };
    std::vector<std::vector<std::string>> head;
    for (std::size_t c : columns) head.push_back(header_lines[c]);
    block(head, true);
    std::string rule(indent, ' ');
    for (std::size_t i = 0; i < columns.size(); ++i) {
        for (std::size_t k = 0; k < width[columns[i]]; ++k) rule += "─";
        if (i + 1 < columns.size()) rule += "  ";
    }
    out << style.dim(rule) << "\n";
    for (const auto& r : rows_) {
        std::vector<std::vector<std::string>> cells;
        for (std::size_t c : columns)
            cells.push_back(wrap_ && c == *wrap_ && display_width(r[c].text) > width[c] ? wrap_text(r[c].text, width[c])
                                                                                       : std::vector<std::string>{r[c].text});
        block(cells, false);
    }
}

void Table::write_csv(const std::filesystem::path& path) const {
    // Cells may be coloured or grouped for the terminal; the file gets their CSV values.
    auto plain = [](const std::vector<Cell>& cells) {
        std::vector<std::string> out;
        for (const auto& cell : cells) {
            if (cell.csv.empty()) out.push_back(strip_colour(cell.text));
            out.insert(out.end(), cell.csv.begin(), cell.csv.end());
        }
        return out;
    };
    std::vector<std::vector<std::string>> rows;
    for (const auto& r : rows_) rows.push_back(plain(r));
    write_csv_file(path, plain(header_), rows);
}

}  // namespace aprender::tutorial
