// The emulated GPU (APRENDER_EMULATE_GPU=1, autograd/emulated_gpu.cpp): its memory is out
// of the host's reach between backend calls, a host read of it ends the program with a
// message that says what went wrong, and programs run with `--device cuda` on it give the
// CPU's numbers. These run everywhere: they need no GPU.
#include "autograd/backend.h"
#include "process.h"

#include <doctest/doctest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

using namespace aprender;

namespace {

// The protection of the page holding `p`, as /proc/self/maps prints it ("rw-p", "---p").
std::string protection_of(const void* p) {
    std::ifstream maps("/proc/self/maps");
    std::string line;
    auto addr = reinterpret_cast<uintptr_t>(p);
    while (std::getline(maps, line)) {
        uintptr_t lo = 0, hi = 0;
        char perms[5] = {};
        if (sscanf(line.c_str(), "%lx-%lx %4s", &lo, &hi, perms) == 3 && addr >= lo && addr < hi) return perms;
    }
    return "(not mapped)";
}

}  // namespace

TEST_CASE("emulated gpu: its memory is closed to the host between calls, open inside them") {
    Backend& gpu = *make_emulated_gpu();
    std::vector<float> in = {1.5f, -2.0f, 3.25f}, out(3);
    void* p = gpu.allocate(in.size() * sizeof(float));
    CHECK(protection_of(p) == "---p");
    gpu.from_host(p, in.data(), in.size() * sizeof(float));
    gpu.unary(UnaryOp::neg, p, p, 3, 0, 0, DType::f32);  // a kernel runs on it
    gpu.to_host(out.data(), p, out.size() * sizeof(float));
    CHECK(out == std::vector<float>{-1.5f, 2.0f, -3.25f});
    CHECK(protection_of(p) == "---p");

    // a new block is poisoned with 0xFF bytes (NaN), as APRENDER_CUDA_POISON does on a GPU
    void* q = gpu.allocate(4);
    uint32_t bits = 0;
    gpu.to_host(&bits, q, 4);
    CHECK(bits == 0xFFFFFFFFu);
    gpu.release(q, 4);
    gpu.release(p, in.size() * sizeof(float));
}

TEST_CASE("emulated gpu: a host read of device memory ends the program and says why") {
    Backend& gpu = *make_emulated_gpu();
    auto* p = static_cast<volatile char*>(gpu.allocate(64));
    int fds[2];
    REQUIRE(pipe(fds) == 0);
    pid_t child = fork();
    if (child == 0) {  // the child only touches the pointer: no threads, no allocation
        dup2(fds[1], 2);
        char c = *p;  // what a missing .to(Device::cpu()) does
        _exit(c == 0 ? 0 : 1);
    }
    close(fds[1]);
    std::string said;
    char buf[512];
    for (ssize_t n; (n = read(fds[0], buf, sizeof buf)) > 0;) said.append(buf, (size_t)n);
    close(fds[0]);
    int status = 0;
    waitpid(child, &status, 0);
    CHECK(WIFSIGNALED(status));
    CHECK(WTERMSIG(status) == SIGSEGV);
    CHECK(said.find("host code touched GPU memory directly") != std::string::npos);
    CHECK(said.find(".to(Device::cpu())") != std::string::npos);
    gpu.release(const_cast<char*>(p), 64);
}

namespace {

// Runs a tutorial with --device cpu and with --device cuda on the emulated GPU, and
// requires the same sentences and table lines wherever a result is printed (losses,
// perplexities, accuracies, bits per character); timings, the output folder and the
// wrapping of prose may differ.
void same_results_on_emulated_gpu(const std::string& tutorial, const std::string& flags) {
    auto run = [&](const std::string& env, const std::string& device) {
        return testing::run_process(env + " " + testing::build_dir() + "/tutorials/" + tutorial +
                                    " --quick --no-pause --no-color --lang en " + flags + " --device " + device +
                                    " --out out/test_emulated_" + tutorial + "_" + device);
    };
    auto cpu = run("", "cpu");
    auto gpu = run("APRENDER_EMULATE_GPU=1", "cuda");
    REQUIRE_MESSAGE(cpu.status == 0, cpu.output);
    CHECK_MESSAGE(gpu.status == 0, gpu.output);
    // Prose (a two-space indent, single spaces between words) is wrapped to the page, so a
    // sentence whose wording follows a timing (10_lora: "no latency after merge" or "the
    // timing here is noise") moves every line break after it: prose is compared sentence by
    // sentence, tables and training logs (aligned with runs of spaces) line by line.
    auto results = [&](const std::string& out) {
        static const std::regex timing(R"([0-9][0-9,]*(\.[0-9]+)? (m?s|characters per second)\b)");  // 63,842 grouped
        const std::regex out_dir("test_emulated_" + tutorial + "_(cpu|cuda)");
        std::string kept, prose;
        auto keep = [&](const std::string& text) {
            if (text.find("wrote") != std::string::npos || text.find("Base model:") != std::string::npos) return;
            for (const char* result : {"loss", "bits/char", "ppl", "accuracy", "perplexity"})
                if (text.find(result) != std::string::npos) {
                    kept += std::regex_replace(std::regex_replace(text, timing, "(time)"), out_dir, "(out)") + "\n";
                    return;
                }
        };
        auto end_prose = [&] {
            for (std::size_t at = 0; at < prose.size();) {  // ". " ends a sentence; "2.633" does not
                std::size_t end = prose.find(". ", at);
                end = end == std::string::npos ? prose.size() : end + 1;
                keep(prose.substr(at, end - at));
                at = end + 1;
            }
            prose.clear();
        };
        std::istringstream in(out);
        for (std::string line; std::getline(in, line);) {
            bool is_prose = line.size() > 2 && line.compare(0, 2, "  ") == 0 && line[2] != ' ' &&
                            line.find("  ", 2) == std::string::npos;
            if (is_prose) {
                if (!prose.empty()) prose += ' ';
                prose.append(line, 2);  // (not " " + line.substr(2): GCC 12 warns a false -Wrestrict)
                continue;
            }
            end_prose();
            keep(line);
        }
        end_prose();
        return kept;
    };
    CHECK(results(gpu.output) == results(cpu.output));
    CHECK(results(cpu.output).size() > 100);
}

}  // namespace

TEST_CASE("emulated gpu: tutorials 06, 07 and 10 with --device cuda on it print the CPU's numbers") {
    same_results_on_emulated_gpu("07_gpt", "--steps 30 --seed 3");
    same_results_on_emulated_gpu("06_bert", "--steps 30");
    same_results_on_emulated_gpu("10_lora", "");
    // without the variable there is no cuda device here (unless a real GPU is present)
    if (!cuda_available())
        CHECK(testing::run_process(testing::build_dir() + "/tutorials/07_gpt --quick --device cuda").status != 0);
}

TEST_CASE("emulated gpu: the CUDA parity tests pass on it (their plumbing, with the CPU's kernels)") {
    // Where a real GPU is present the suite runs them on it instead.
    auto r = testing::run_process("APRENDER_EMULATE_GPU=1 " + testing::build_dir() + "/tests/run_tests -tc='cuda*'");
    CHECK_MESSAGE(r.status == 0, r.output);
    // they ran (an emulation that broke would skip them all and still print "0 failed")
    auto counts = testing::suite_counts(r.output);
    REQUIRE(counts.passed >= 0);
    CHECK(counts.passed >= 35);  // 39 at the time of writing: the cuda* parity and kernel tests
    CHECK(counts.failed == 0);
}

TEST_CASE("emulated gpu: the CLI's train, eval, sample and lora train with --device cuda give the CPU's numbers") {
    namespace fs = std::filesystem;
    fs::path dir = fs::temp_directory_path() / ("aprender-emulated-cli-" + std::to_string(getpid()));
    fs::remove_all(dir);
    fs::create_directories(dir);
    std::string a, b;
    for (int i = 0; i < 60; ++i) a += "a casa é azul. o gato é preto. ", b += "o réu é culpado. a lei é clara. ";
    std::ofstream(dir / "base.txt") << a + b.substr(0, 40);
    std::ofstream(dir / "juridico.txt") << b;
    auto in = [&](const std::string& f) { return (dir / f).string(); };
    const std::string cli = testing::build_dir() + "/aprender";
    auto session = [&](const std::string& device) {
        std::string env = device == "cuda" ? "APRENDER_EMULATE_GPU=1 " : "", d = " --device " + device;
        std::string base = in("base-" + device + ".safetensors"), adapter = in("adapter-" + device);
        std::string out;
        for (const std::string& cmd :
             {" train --data " + in("base.txt") + " --out " + base +
                  " --block-size 16 --n-layer 1 --n-head 2 --n-embd 16 --batch 4 --steps 20 --warmup 2"
                  " --eval-interval 10 --eval-batches 1 --lr 3e-3",
              " eval --checkpoint " + base + " --data " + in("base.txt"),
              " sample --checkpoint " + base + " --prompt 'a casa' --seed 1 --max-new-tokens 40",
              " lora train --base " + base + " --data " + in("juridico.txt") + " --out " + adapter +
                  " --r 2 --alpha 4 --batch 4 --steps 10 --warmup 2 --eval-interval 10 --eval-batches 1 --lr 1e-2",
              " eval --checkpoint " + base + " --adapter " + adapter + " --data " + in("juridico.txt")}) {
            auto r = testing::run_process(env + cli + cmd + d);
            CHECK_MESSAGE(r.status == 0, cmd << "\n" << r.output);
            std::istringstream lines(r.output);
            for (std::string line; std::getline(lines, line);)  // results only: no timings, paths or banners
                if (line.rfind("loss", 0) == 0 || line.rfind("ppl", 0) == 0 || line.rfind("sample", 0) == 0 ||
                    line.rfind("a casa", 0) == 0)
                    out += line.substr(0, line.find(" in ")) + "\n";
        }
        return out;
    };
    std::string on_cpu = session("cpu"), on_gpu = session("cuda");
    CHECK(on_gpu == on_cpu);
    CHECK(on_cpu.find("ppl") != std::string::npos);
    fs::remove_all(dir);
}
