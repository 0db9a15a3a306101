// fuzz.h — what every fuzz target in tests/fuzz/ shares (`make fuzz`, README "Fuzzing").
//
// A fuzz target is one function, run by clang's libFuzzer millions of times on inputs it
// mutates towards new code paths, under AddressSanitizer and UBSan:
//
//     FUZZ_TARGET(const std::string& bytes) {
//         expect_clean_error([&] { nn::parse_safetensors(bytes, "fuzz.safetensors"); });
//     }
//     FUZZ_SEEDS(const std::string& dir) { ... write a few valid inputs with our own writers ... }
//
// What counts as a bug (the brief's "Robust" bar: a clear error, never a crash, a hang or
// silent garbage):
//   - a crash, an out-of-bounds read or write, a leak, undefined behaviour (the sanitizers);
//   - an input that runs longer than `-timeout` seconds (a hang) or allocates past
//     `-rss_limit_mb` (libFuzzer);
//   - an exception that is not one of ours: a std::out_of_range from .at(), a
//     nlohmann::json::type_error, a std::bad_alloc, a std::logic_error (our own internal
//     invariants) all mean the input reached code that did not check it first. The errors
//     we throw on purpose are std::runtime_error (SafetensorsError, TokenizerError, ...) or
//     std::invalid_argument, with a message;
//   - a property the target checks itself (decode(encode(x)) == x, for instance).
//
// Seeds: FUZZ_SEEDS writes valid files made by the library's own writers, so the fuzzer
// starts from the current format and nothing binary is committed. scripts/fuzz.sh asks for
// them by running the target with APRENDER_FUZZ_WRITE_SEEDS=<dir>.
#pragma once

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <stdexcept>
#include <string>
#include <typeinfo>
#include <unistd.h>

namespace fuzz {

// Stop the run with a report: libFuzzer saves the input that got here as crash-<hash>.
[[noreturn]] inline void fail(const std::string& why) {
    std::fprintf(stderr, "\nfuzz: %s\n", why.c_str());
    std::fflush(stderr);
    std::abort();
}

// Run f; errors of ours (std::runtime_error, std::invalid_argument, with a message) are the
// expected answer to a bad input, anything else is a bug. Returns whether f succeeded.
template <class F>
bool expect_clean_error(F&& f) {
    try {
        f();
        return true;
    } catch (const std::runtime_error& e) {
        if (std::string(e.what()).empty()) fail("an error with an empty message");
    } catch (const std::invalid_argument& e) {
        if (std::string(e.what()).empty()) fail("an error with an empty message");
    } catch (const std::exception& e) {
        fail(std::string("an exception that is not one of our errors (") + typeid(e).name() + "): " + e.what());
    } catch (...) {
        fail("an exception that is not a std::exception");
    }
    return false;
}

// Several files in one input, so the fuzzer can mutate a whole folder (a tokenizer's
// vocab.json + merges.txt, an adapter's config + weights). Format: each file starts with a
// line "=== <name>\n"; bytes before the first such line are ignored.
//     === vocab.json\n{"a": 0}\n=== merges.txt\n#version: 0.2\n
using Files = std::map<std::string, std::string>;

inline Files split_files(const std::string& bytes) {
    Files files;
    const std::string mark = "=== ";
    size_t at = bytes.rfind(mark, 0) == 0 ? 0 : bytes.find("\n" + mark);
    if (at == std::string::npos) return files;
    if (at != 0) at += 1;
    while (at != std::string::npos) {
        size_t name_end = bytes.find('\n', at);
        if (name_end == std::string::npos) break;
        std::string name = bytes.substr(at + mark.size(), name_end - at - mark.size());
        size_t next = bytes.find("\n" + mark, name_end);
        size_t body_end = next == std::string::npos ? bytes.size() : next;
        // Only plain names: the fuzzer must not write outside its scratch folder.
        if (!name.empty() && name.size() < 64 && name.find('/') == std::string::npos && name != "." && name != "..")
            files[name] = bytes.substr(name_end + 1, body_end - name_end - 1);
        at = next == std::string::npos ? next : next + 1;
    }
    return files;
}

// The inverse of split_files: the '\n' before each "=== " line separates, so the last file
// gets no byte added (a trailing newline would be one byte too many in a binary file).
inline std::string join_files(const Files& files) {
    std::string out;
    for (const auto& [name, body] : files) out += (out.empty() ? "=== " : "\n=== ") + name + "\n" + body;
    return out;
}

// A scratch folder of this process (in /dev/shm when there is one: no disk writes),
// emptied and refilled for each input, removed at exit.
struct ScratchDir {
    std::string path;
    ScratchDir() {
        std::string base = std::filesystem::exists("/dev/shm") ? "/dev/shm" : std::filesystem::temp_directory_path().string();
        path = base + "/aprender-fuzz-" + std::to_string(getpid());
        std::filesystem::create_directories(path);
    }
    ~ScratchDir() {
        std::error_code ec;
        std::filesystem::remove_all(path, ec);
    }
};
inline const std::string& scratch_dir() {
    static const ScratchDir dir;
    return dir.path;
}

inline void write_file(const std::string& path, const std::string& bytes) {
    std::ofstream(path, std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

inline std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

// Empties the scratch folder and writes `files` into it; returns its path.
inline std::string write_folder(const Files& files) {
    const std::string& dir = scratch_dir();
    for (const auto& entry : std::filesystem::directory_iterator(dir)) std::filesystem::remove_all(entry.path());
    for (const auto& [name, body] : files) write_file(dir + "/" + name, body);
    return dir;
}

// One seed file in the seed folder.
inline void write_seed(const std::string& dir, const std::string& name, const std::string& bytes) {
    std::filesystem::create_directories(dir);
    write_file(dir + "/" + name, bytes);
}

}  // namespace fuzz

// The two functions a target defines. FUZZ_TARGET receives the input as a string.
#define FUZZ_TARGET(param) \
    static void fuzz_one(param); \
    extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) { \
        fuzz_one(std::string(reinterpret_cast<const char*>(data), size)); \
        return 0; \
    } \
    static void fuzz_one(param)

#define FUZZ_SEEDS(param) \
    static void fuzz_seeds(param); \
    extern "C" int LLVMFuzzerInitialize(int*, char***) { \
        if (const char* dir = std::getenv("APRENDER_FUZZ_WRITE_SEEDS")) { \
            fuzz_seeds(dir); \
            std::exit(0); \
        } \
        return 0; \
    } \
    static void fuzz_seeds(param)
