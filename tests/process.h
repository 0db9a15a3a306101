// process.h — run a program as a user would (through the shell) and capture what it says.
#pragma once

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <regex>
#include <string>
#include <vector>

namespace testing {

struct ProcessResult {
    int status = -1;  // exit code (-1 if it did not exit normally, e.g. a crash)
    std::string output;  // stdout and stderr together
    bool has(const std::string& s) const { return output.find(s) != std::string::npos; }
};

inline std::string build_dir() {
    const char* b = std::getenv("APRENDER_BUILD");
    return b ? b : "build";
}

// The real corpora of `make data` (make test fetches them). Tests whose expected numbers
// come from them are skipped, and counted as skipped, on a machine that could not fetch
// them (offline); the tutorials themselves then fall back to the committed sentences.
inline bool corpora_present() {
    return std::filesystem::exists("data/cache/corpora/general.train.txt") &&
           std::filesystem::exists("data/cache/corpora/tecnico.train.txt") &&
           std::filesystem::exists("data/cache/corpora/financeiro.train.txt");
}

// A fresh directory per use, removed at the end: tmp / "name" is a path inside it.
struct TempDir {
    std::filesystem::path dir;
    explicit TempDir(const std::string& prefix = "aprender_test") {
        static int n = 0;
        dir = std::filesystem::temp_directory_path() / (prefix + "_" + std::to_string(getpid()) + "_" + std::to_string(n++));
        std::filesystem::create_directories(dir);
    }
    ~TempDir() { std::filesystem::remove_all(dir); }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    std::string operator/(const std::string& name) const { return (dir / name).string(); }
};

// A whole file as bytes ("" when it cannot be read): to check that a refused command left it alone.
inline std::string read_file(const std::string& path) {
    std::string out;
    if (FILE* f = std::fopen(path.c_str(), "rb")) {
        char buf[4096];
        while (size_t n = std::fread(buf, 1, sizeof buf, f)) out.append(buf, n);
        std::fclose(f);
    }
    return out;
}

inline ProcessResult run_process(const std::string& command) {
    ProcessResult r;
    FILE* p = popen((command + " 2>&1").c_str(), "r");
    if (!p) return r;
    char buf[4096];
    while (size_t n = fread(buf, 1, sizeof buf, p)) r.output.append(buf, n);
    int s = pclose(p);
    r.status = WIFEXITED(s) ? WEXITSTATUS(s) : -1;
    return r;
}

// The counts of the suite's last line, "N passed, N failed, N skipped", in a run of the test
// binary; passed = -1 when no such line was printed.
struct SuiteCounts {
    int passed = -1, failed = -1, skipped = -1;
};
inline SuiteCounts suite_counts(const std::string& output) {
    std::smatch m;
    if (!std::regex_search(output, m, std::regex(R"((\d+) passed, (\d+) failed, (\d+) skipped)"))) return {};
    return {std::stoi(m[1]), std::stoi(m[2]), std::stoi(m[3])};
}

// An RFC 4180 CSV text (what the tutorials write) as rows of fields.
inline std::vector<std::vector<std::string>> parse_csv(const std::string& text) {
    std::vector<std::vector<std::string>> rows;
    std::vector<std::string> row;
    std::string field;
    bool quoted = false, any = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        char c = text[i];
        if (quoted) {
            if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') field += '"', ++i;
            else if (c == '"') quoted = false;
            else field += c;
        } else if (c == '"') quoted = true, any = true;
        else if (c == ',') row.push_back(field), field.clear(), any = true;
        else if (c == '\n') row.push_back(field), rows.push_back(row), row.clear(), field.clear(), any = false;
        else if (c != '\r') field += c, any = true;
    }
    if (any) row.push_back(field), rows.push_back(row);
    return rows;
}

// Whether a CSV field is a plain number, as a program reads one: strtod takes all of it.
inline bool csv_number(const std::string& field) {
    if (field.empty()) return false;
    char* end = nullptr;
    std::strtod(field.c_str(), &end);
    return end == field.c_str() + field.size();
}

// "" when every column of a CSV that holds a number holds only numbers or empty fields (a
// missing value): no "—", "∞", "1/5" or "12.3 ± 0.4" where a program expects a number;
// else the first such field. Row 0 is the header.
inline std::string csv_non_number(const std::string& text) {
    auto rows = parse_csv(text);
    std::size_t columns = 0;
    for (const auto& r : rows) columns = std::max(columns, r.size());
    for (std::size_t c = 0; c < columns; ++c) {
        bool numeric = false;
        for (std::size_t r = 1; r < rows.size(); ++r) numeric |= c < rows[r].size() && csv_number(rows[r][c]);
        if (!numeric) continue;
        for (std::size_t r = 1; r < rows.size(); ++r)
            if (c < rows[r].size() && !rows[r][c].empty() && !csv_number(rows[r][c]))
                return "row " + std::to_string(r) + " field " + std::to_string(c) + " ('" +
                       (c < rows[0].size() ? rows[0][c] : std::string()) + "'): '" + rows[r][c] + "' is not a number";
    }
    return "";
}

// Two CSVs of the same table written in two languages: "" when every number in them is the
// same plain number (headers and words may differ), and every numeric column holds only
// numbers (csv_non_number), else the first difference. A count grouped for reading
// ("119,296", "119 296") is reported even where both runs agree on it.
inline std::string csv_number_mismatch(const std::string& a_text, const std::string& b_text) {
    for (const std::string* text : {&a_text, &b_text})
        if (auto bad = csv_non_number(*text); !bad.empty()) return bad;
    auto a = parse_csv(a_text), b = parse_csv(b_text);
    if (a.size() != b.size()) return "row counts differ: " + std::to_string(a.size()) + " vs " + std::to_string(b.size());
    const std::regex grouped("[0-9](,|\u00A0)[0-9]{3}");
    for (std::size_t r = 1; r < a.size(); ++r) {  // row 0: the header, in each language
        if (a[r].size() != b[r].size()) return "row " + std::to_string(r) + ": field counts differ";
        for (std::size_t c = 0; c < a[r].size(); ++c) {
            const std::string &x = a[r][c], &y = b[r][c];
            const std::string where = "row " + std::to_string(r) + " field " + std::to_string(c) + ": '" + x + "' vs '" + y + "'";
            if (std::regex_search(x, grouped) || std::regex_search(y, grouped)) return "grouped digits at " + where;
            if (csv_number(x) != csv_number(y) || (csv_number(x) && x != y)) return "numbers differ at " + where;
        }
    }
    return "";
}

}  // namespace testing
