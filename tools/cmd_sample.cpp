// aprender sample — continue a prompt with a trained GPT.
#include "tools/model_store.h"

#include <fmt/format.h>

using namespace aprender;

namespace {

int run(int argc, char** argv) {
    cli::Parser p("aprender sample", "Generate text from a GPT checkpoint (KV cache: each new token costs one position).");
    p.option("--checkpoint", "PATH", "model checkpoint (.safetensors)");
    p.option("--prompt", "TEXT", "text to continue", "\n");
    p.option("--max-new-tokens", "N", "tokens to generate", "200");
    p.option("--temperature", "X", "< 1 sharper, > 1 flatter, 0 = always the most likely token", "0.8");
    p.option("--top-k", "K", "sample among the K most likely tokens (0 = all)", "0");
    p.option("--top-p", "P", "sample among the most likely tokens holding P of the probability (1 = all)", "1.0");
    p.option("--seed", "N", "random seed", "1337");
    p.option("--device", "DEV", "cpu | cuda", "cpu");
    if (!p.parse(argc, argv)) return 0;
    cli::StoredModel m = cli::load_model(p.str("--checkpoint"));
    if (!m.gpt) throw cli::UsageError("sample needs a GPT checkpoint; this one is an " + m.kind() + " (it cannot write left to right)");
    if (!m.tokenizer) throw cli::UsageError("this checkpoint was trained on a token file and has no tokenizer to read a prompt");
    nn::GenerateOptions o;
    o.max_new_tokens = p.integer("--max-new-tokens");
    o.temperature = p.number("--temperature");
    o.top_k = p.integer("--top-k");
    o.top_p = p.number("--top-p");
    o.seed = (uint64_t)p.integer("--seed");
    if (o.max_new_tokens < 0 || o.temperature < 0 || o.top_k < 0 || o.top_p <= 0 || o.top_p > 1)
        throw cli::UsageError("need --max-new-tokens ≥ 0, --temperature ≥ 0, --top-k ≥ 0 and 0 < --top-p ≤ 1");
    std::vector<int32_t> prompt = cli::encode_strict(*m.tokenizer, p.str("--prompt"));
    if (prompt.empty()) throw cli::UsageError("the prompt is empty after tokenization");
    m.gpt->to(Device::parse(p.str("--device")));
    std::vector<int32_t> out = m.gpt->generate(prompt, o);
    fmt::print("{}\n", m.tokenizer->decode(out));
    return 0;
}

cli::Command command{"sample", "generate text from a GPT checkpoint", run};

}  // namespace
