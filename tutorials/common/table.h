// table.h — aligned terminal tables (UTF-8 aware), also writable as CSV.
//
//   Table t({"model", "parameters", "perplexity"}, {Align::left, Align::right, Align::right});
//   t.add_row({"bigram", count_cell(366048, tut.lang()), "312.4"});
//   t.print(tut.out(), tut.style());   // 366,048 (en) or 366 048 (pt), for reading
//   t.write_csv("table.csv");          // 366048 in either language, for programs
//
// Header names follow the session's language in the CSV too; a column whose CSV values
// differ in unit from the screen (bytes for "1.47 MB") says so in its CSV header.
//
// Width: a printed table fits in kColumns (88, term.h), as the narration does. Only the
// layout gives way, never what a cell says, and the CSV is the same whatever the screen.
// When the table as laid out would be wider, print() tries, in this order:
//   1. two-line headers: each header wider than every value under it breaks at the space
//      that makes its two lines most even ("ppl domain" → "ppl" over "domain"); the lower
//      line sits on the rule, beside the headers that stayed on one line;
//   2. the wrap column, if one was named: its cells word-wrap in the room left (at least 16
//      columns), their further lines hanging under the cell's first, the other columns blank
//      there — for long text a student reads whole, such as a generated sample:
//        Table st({"setting", "sample", "real words"}, {Align::left, Align::left, Align::right});
//        st.wrap_column(1);
//   3. column blocks: the columns after the first, in as many tables one after the other as
//      it takes, each led again by the first column (the row names) — as R prints a wide
//      data frame. A safety net (10_lora --seeds N widens its perplexities), not a layout
//      to design for.
#pragma once

#include <cstdint>
#include <filesystem>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include "tutorials/common/narration.h"
#include "tutorials/common/term.h"

namespace aprender::tutorial {

enum class Align { left, right };

// One cell: the text the terminal shows and, where a program needs something else, what the
// CSV gets. Numbers are written for people on screen (a count grouped as the session's
// language reads it, a bold result) but a CSV must parse the same in every language: plain
// digits, a point for decimals, no colour. A numeric column of a CSV holds only numbers: a
// value that is missing is an empty field, infinity is "inf", and a cell that shows two
// numbers ("1/5", "17.32 ± 0.03") is two CSV columns, its header cell naming both.
struct Cell {
    Cell(std::string text) : text(std::move(text)) {}
    Cell(const char* text) : text(text) {}
    Cell(std::string text, std::string csv) : text(std::move(text)), csv{std::move(csv)} {}
    std::string text;
    std::vector<std::string> csv;  // its CSV fields; none: one, the text with its colour stripped
    std::size_t csv_width() const { return csv.empty() ? 1 : csv.size(); }
};

// A cell that is several CSV columns: the text on screen, `fields` in the CSV.
Cell split_cell(std::string text, std::vector<std::string> fields);
// A value that does not exist (the base model has no file of its own): "—" on screen, empty
// CSV fields (`width` of them, for a column split in that many).
Cell missing_cell(std::size_t width = 1);
// A count: thousands(n, lang) on screen ("119,296" / "119 296"), the plain digits in the CSV.
Cell count_cell(int64_t n, Lang lang);
// A percentage as shown ("1.69%"); the CSV gets the number without the sign ("1.69").
Cell percent_cell(std::string text);
// A size as shown ("480.4 kB", "8.7 MiB"); the CSV gets the bytes.
Cell size_cell(std::string text, std::uintmax_t bytes);

class Table {
public:
    explicit Table(std::vector<Cell> header, std::vector<Align> align = {});
    // A row must have as many cells as the header, each as many CSV fields as its header
    // cell (checked: a programming error otherwise).
    void add_row(std::vector<Cell> cells);
    std::size_t rows() const { return rows_.size(); }
    // The column whose cells may wrap onto further lines when the table is too wide (see
    // the top of this file); none by default.
    Table& wrap_column(std::size_t column);
    // The table, indented, in at most `columns` columns (see the top of this file).
    void print(std::ostream& out, const Style& style, std::size_t indent = 2,
               std::size_t columns = kColumns) const;
    // The header (in the session's language) and every cell's CSV value (Cell::csv).
    void write_csv(const std::filesystem::path& path) const;

private:
    std::vector<Cell> header_;
    std::vector<Align> align_;
    std::vector<std::vector<Cell>> rows_;
    std::optional<std::size_t> wrap_;

    void print_columns(std::ostream& out, const Style& style, std::size_t indent,
                       const std::vector<std::size_t>& columns,
                       const std::vector<std::vector<std::string>>& header_lines,
                       const std::vector<std::size_t>& width) const;
};

}  // namespace aprender::tutorial
