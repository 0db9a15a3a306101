// tokenizer_bench — how fast byte-level BPE encodes and trains, on one core.
//
//   build/bench/tokenizer_bench [CORPUS.txt] [--vocab-size N]
//
// Encode: GPT-2's 50k vocabulary (when scripts/fetch-tokenizer-files.sh has run: data/cache/
// tokenizers/gpt2/, found from any folder as the tutorials find data/) on the
// corpus, timed twice: cold (empty cache) and warm. Train: BPE to N tokens (default 8000)
// on the corpus. Without a corpus file it uses a built-in Portuguese paragraph repeated to
// 2 MB, which flatters the cache; pass a real text for honest numbers.
#include "tokenizer/bpe.h"
#include "tokenizer/json_file.h"
#include "tools/cli.h"
#include "tutorials/common/data_dir.h"

#include <fmt/format.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <string>

using namespace aprender::tokenizer;

namespace {

double seconds_since(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

void bench_encode(const char* name, const BpeTokenizer& tok, const std::string& text) {
    for (const char* pass : {"cold", "warm"}) {
        auto t0 = std::chrono::steady_clock::now();
        auto ids = tok.encode(text);
        double s = seconds_since(t0);
        fmt::print("encode {:<22} {:>5}: {:7.2f} MB/s  ({} bytes -> {} tokens, {:.3f} s)\n", name, pass,
                   text.size() / s / 1e6, text.size(), ids.size(), s);
    }
}

}  // namespace

int main(int argc, char** argv) {
    try {
        aprender::cli::Parser p("tokenizer_bench", "Byte-level BPE speed on one core: encode with GPT-2's vocabulary "
                                                   "(cold and warm cache), and train to --vocab-size tokens.");
        p.positional("corpus", "a UTF-8 text file (default: a built-in paragraph repeated to 2 MB)", false);
        p.option("--vocab-size", "N", "train BPE to this many tokens", "8000");
        if (!p.parse(argc, argv)) return 0;
        std::string corpus_path = p.has("corpus") ? p.str("corpus") : "";
        int64_t vocab_size = p.integer("--vocab-size");
        std::string text;
        if (!corpus_path.empty()) {
            text = read_text_file(corpus_path);
        } else {
            const std::string para =
                "A Constituição da República Federativa do Brasil é a lei fundamental e suprema do Brasil, "
                "servindo de parâmetro de validade a todas as demais espécies normativas. The quick brown fox "
                "jumps over the lazy dog; 2024 números, 3,14 e símbolos: #@!?\n";
            while (text.size() < 2'000'000) text += para;
        }
        fmt::print("corpus: {} ({} bytes)\n", corpus_path.empty() ? "built-in paragraph x N" : corpus_path, text.size());

        // data/ as every program of the project finds it: APRENDER_DATA, else walking up from
        // the current folder or from this program (tutorials/common/data_dir.h).
        const std::string g = (aprender::tutorial::find_data_dir() / "cache" / "tokenizers" / "gpt2").string();
        if (std::filesystem::exists(g + "/encoder.json") && std::filesystem::exists(g + "/vocab.bpe")) {
            auto t0 = std::chrono::steady_clock::now();
            auto gpt2 = BpeTokenizer::load_gpt2(g + "/encoder.json", g + "/vocab.bpe");
            fmt::print("load GPT-2 files: {:.3f} s\n", seconds_since(t0));
            bench_encode("GPT-2 (50257)", gpt2, text);
        } else {
            fmt::print("GPT-2 files absent from {} (run scripts/fetch-tokenizer-files.sh): skipping the 50k encode\n", g);
        }

        auto t0 = std::chrono::steady_clock::now();
        auto trained = BpeTokenizer::train(text, vocab_size);
        fmt::print("train BPE to {} tokens: {:.2f} s ({} merges)\n", trained.vocab_size(), seconds_since(t0),
                   trained.merges().size());
        bench_encode(fmt::format("trained ({})", trained.vocab_size()).c_str(), trained, text);
        return 0;
    } catch (const aprender::cli::UsageError& e) {
        fmt::print(stderr, "{}\n", e.what());
        return 2;
    } catch (const std::exception& e) {
        fmt::print(stderr, "tokenizer_bench: {}\n", e.what());
        return 1;
    }
}
