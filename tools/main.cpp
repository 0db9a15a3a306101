// aprender — the command line. Each subcommand registers itself from its own
// tools/cmd_<name>.cpp file (see cli.h); this file only dispatches and turns every
// error into a message and a non-zero exit, never a crash.
#include "tools/cli.h"

#include <fmt/format.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <exception>
#include <filesystem>
#include <stdexcept>

using namespace aprender;

static void print_usage() {
    fmt::print("usage: aprender <command> [options]   (aprender <command> --help for details)\n\ncommands:\n");
    for (const auto& [name, info] : cli::registry()) fmt::print("  {:<12} {}\n", name, info.summary);
}

int main(int argc, char** argv) {
    if (argc < 2) {
        print_usage();
        return 2;
    }
    std::string name = argv[1];
    if (name == "--help" || name == "-h" || name == "help") {
        print_usage();
        return 0;
    }
    auto it = cli::registry().find(name);
    if (it == cli::registry().end()) {
        fmt::print(stderr, "aprender: unknown command '{}'\n", name);
        print_usage();
        return 2;
    }
    try {
        int code = it->second.run(argc - 1, argv + 1);
        // Output that never arrived (a full disk behind `> ids.txt`) is a failure, not a success.
        if (std::fflush(stdout) != 0 || std::ferror(stdout))
            throw std::runtime_error(fmt::format("writing the standard output failed: {}", std::strerror(errno)));
        return code;
    } catch (const cli::UsageError& e) {
        std::string what = e.what();  // the parser's messages name the command already; the others get it here
        fmt::print(stderr, "{}{}\n", what.rfind("aprender", 0) == 0 ? "" : "aprender " + name + ": ", what);
        return 2;
    } catch (const std::filesystem::filesystem_error& e) {
        // what() reads "filesystem error: status: File name too long [PATH]"; say it plainly
        fmt::print(stderr, "aprender {}: error: '{}': {}\n", name, e.path1().string(), e.code().message());
        return 1;
    } catch (const std::exception& e) {
        fmt::print(stderr, "aprender {}: error: {}\n", name, e.what());
        return 1;
    }
}
