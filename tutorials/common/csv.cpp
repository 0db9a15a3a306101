#include "tutorials/common/csv.h"

#include <fstream>
#include <stdexcept>

#include <fmt/format.h>

namespace aprender::tutorial {

std::string csv_field(std::string_view f) {
    if (f.find_first_of(",\"\n\r") == std::string_view::npos) return std::string(f);
    std::string q = "\"";
    for (char c : f) q += c == '"' ? std::string("\"\"") : std::string(1, c);
    return q + "\"";
}

void write_csv_file(const std::filesystem::path& path, const std::vector<std::string>& header,
                    const std::vector<std::vector<std::string>>& rows) {
    std::ofstream out(path);
    if (!out) throw std::runtime_error(fmt::format("cannot write '{}'", path.string()));
    auto line = [&](const std::vector<std::string>& cells) {
        for (std::size_t i = 0; i < cells.size(); ++i) out << (i ? "," : "") << csv_field(cells[i]);
        out << "\n";
    };
    line(header);
    for (const auto& r : rows) line(r);
    if (!out) throw std::runtime_error(fmt::format("error while writing '{}'", path.string()));
}

std::string number_text(double v) { return fmt::format("{}", v); }

}  // namespace aprender::tutorial
