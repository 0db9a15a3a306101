// aprender eval — mean cross-entropy and perplexity of a checkpoint over a whole file.
//
// The file is cut into consecutive windows of T tokens; every token after the first is
// predicted exactly once, from the tokens before it in its window.
#include "lora/peft.h"
#include "tokenizer/token_file.h"
#include "tools/model_store.h"

#include <fmt/format.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

using namespace aprender;

namespace {

int run(int argc, char** argv) {
    cli::Parser p("aprender eval", "Mean cross-entropy (loss) and perplexity (ppl = e^loss) of a GPT checkpoint on a file.");
    p.option("--checkpoint", "PATH", "model checkpoint (.safetensors)");
    p.option("--data", "FILE", "text file (encoded with the checkpoint's tokenizer) or token file (.bin)");
    p.option("--batch", "B", "windows per forward pass", "8");
    p.option("--device", "DEV", "cpu | cuda", "cpu");
    p.option("--adapter", "DIR", "evaluate with this LoRA adapter active (must belong to --checkpoint)", "");
    p.flag("--no-base-check", "with --adapter: accept an adapter that carries no base fingerprint (one from another tool)");
    if (!p.parse(argc, argv)) return 0;
    cli::StoredModel m = cli::load_model(p.str("--checkpoint"));
    if (!m.gpt) throw cli::UsageError("eval measures next-token prediction: it needs a GPT checkpoint, this one is " + m.kind());
    p.applies_only(!p.str("--adapter").empty(), {"--no-base-check"}, "with --adapter");
    if (!p.str("--adapter").empty())  // checks the base's fingerprint, unless told not to
        lora::load_adapter(*m.gpt, p.str("--adapter"), "default", !p.on("--no-base-check"));
    std::string data = p.str("--data");
    std::vector<int32_t> tokens = cli::read_tokens_for(m, data);
    int64_t T = m.gpt->config.block_size, B = p.integer("--batch");
    if (B < 1) throw cli::UsageError("--batch must be at least 1");
    if (tokens.size() < 2) throw std::runtime_error(data + " has fewer than 2 tokens: nothing to predict");
    Device dev = Device::parse(p.str("--device"));
    m.gpt->to(dev);
    m.gpt->eval();
    NoGradGuard no_grad;
    double total = 0;
    int64_t count = 0, N = (int64_t)tokens.size();
    // windows start at 0, T, 2T, ...; the last one may be shorter
    std::vector<int64_t> starts;
    for (int64_t s = 0; s + 1 < N; s += T) starts.push_back(s);
    for (size_t i = 0; i < starts.size();) {
        int64_t len = std::min(T, N - 1 - starts[i]);
        std::vector<int32_t> x, y;
        int64_t rows = 0;
        while (i < starts.size() && rows < B && std::min(T, N - 1 - starts[i]) == len) {
            x.insert(x.end(), tokens.begin() + starts[i], tokens.begin() + starts[i] + len);
            y.insert(y.end(), tokens.begin() + starts[i] + 1, tokens.begin() + starts[i] + 1 + len);
            ++rows, ++i;
        }
        Tensor loss = m.gpt->loss(Tensor::from(x, {rows, len}).to(dev), Tensor::from(y, {rows, len}).to(dev));
        total += loss.item() * (double)(rows * len);
        count += rows * len;
    }
    double mean = total / (double)count;
    fmt::print("tokens {}\nloss {:.6f}\nppl {:.4f}\n", count, mean, std::exp(mean));
    return 0;
}

cli::Command command{"eval", "loss and perplexity of a checkpoint on a file", run};

}  // namespace
