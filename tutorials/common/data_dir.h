// data_dir.h — where the project's data/ folder is, for every program of the project:
// tutorials (build/tutorials/NN), exercises (build/exercises/student/exNN), benchmarks
// (build/bench/x), whatever the current directory. Header-only, so that a program that does
// not link the tutorials' library (bench/) finds it the same way.
//
// In order: $APRENDER_DATA when set; else the first data/ (a folder holding SOURCES.md) found
// walking up from the current directory; else the first found walking up from the
// executable's folder; else "data" (the caller's error then names that relative path).
#pragma once

#include <cstdlib>
#include <filesystem>
#include <system_error>

namespace aprender::tutorial {

inline std::filesystem::path find_data_dir() {
    namespace fs = std::filesystem;
    if (const char* env = std::getenv("APRENDER_DATA"); env && *env) return env;
    auto holds_data = [](const fs::path& p) {
        std::error_code ec;
        return fs::is_directory(p / "data", ec) && fs::exists(p / "data" / "SOURCES.md", ec);
    };
    auto walk_up = [&](fs::path p) -> fs::path {
        for (; !p.empty(); p = p.parent_path()) {
            if (holds_data(p)) return p / "data";
            if (p == p.parent_path()) break;
        }
        return {};
    };
    std::error_code ec;
    if (auto cwd = fs::current_path(ec); !ec)
        if (auto found = walk_up(cwd); !found.empty()) return found;
    if (auto exe = fs::read_symlink("/proc/self/exe", ec); !ec)
        if (auto found = walk_up(exe.parent_path()); !found.empty()) return found;
    return "data";
}

}  // namespace aprender::tutorial
