// table.h — aligned terminal tables (UTF-8 aware), also writable as CSV.
//
//   Table t({"model", "perplexity"}, {Align::left, Align::right});
//   t.add_row({"bigram", "312.4"});
//   t.print(tut.out(), tut.style());
#pragma once

#include <filesystem>
#include <iosfwd>
#include <string>
#include <vector>

#include "tutorials/common/term.h"

namespace aprender::tutorial {

enum class Align { left, right };

class Table {
public:
    explicit Table(std::vector<std::string> header, std::vector<Align> align = {});
    // A row must have as many cells as the header (checked: a programming error otherwise).
    void add_row(std::vector<std::string> cells);
    std::size_t rows() const { return rows_.size(); }
    void print(std::ostream& out, const Style& style, std::size_t indent = 2) const;
    void write_csv(const std::filesystem::path& path) const;

private:
    std::vector<std::string> header_;
    std::vector<Align> align_;
    std::vector<std::vector<std::string>> rows_;
};

}  // namespace aprender::tutorial
