// csv.h — every picture is also data: RFC 4180 CSV (quoted only when needed).
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace aprender::tutorial {

std::string csv_field(std::string_view field);
// Throws std::runtime_error naming the path when the file cannot be written.
void write_csv_file(const std::filesystem::path& path, const std::vector<std::string>& header,
                    const std::vector<std::vector<std::string>>& rows);
// Shortest text that reads back as the same double ("0.1", "1e-07", "inf").
std::string number_text(double value);

}  // namespace aprender::tutorial
