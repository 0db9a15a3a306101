// aprender sample — continue a prompt with a trained GPT.
#include "tools/model_store.h"

#include <fmt/format.h>

#include <cmath>

using namespace aprender;

namespace {

constexpr int64_t kMaxNewTokens = 100000;  // minutes of generation on a CPU; a bigger number is a typo

// Where a text begins when no prompt is given: GPT-2's <|endoftext|> (it separates the
// documents it was trained on), else a newline, else a space.
std::vector<int32_t> start_of_text(const tokenizer::Tokenizer& tok) {
    if (auto id = tok.token_to_id("<|endoftext|>")) return {*id};
    for (const char* start : {"\n", " "}) {
        try {
            std::vector<int32_t> ids = cli::encode_strict(tok, start, "the start of text");
            if (!ids.empty()) return ids;
        } catch (const cli::UsageError&) {  // not in this vocabulary
        }
    }
    throw cli::UsageError("this vocabulary has no newline or space to start a text from: give --prompt");
}

int run(int argc, char** argv) {
    cli::Parser p("aprender sample", "Generate text from a GPT checkpoint (KV cache: each new token costs one position).");
    p.option("--checkpoint", "PATH", "model checkpoint (.safetensors)");
    p.option("--prompt", "TEXT", "text to continue (empty: start a new text, from <|endoftext|>, a newline or a space)", "");
    p.option("--max-new-tokens", "N", "tokens to generate", "200");
    p.option("--temperature", "X", "< 1 sharper, > 1 flatter, 0 = always the most likely token", "0.8");
    p.option("--top-k", "K", "sample among the K most likely tokens (0 = all)", "0");
    p.option("--top-p", "P", "sample among the most likely tokens holding P of the probability (1 = all)", "1.0");
    p.option("--seed", "N", "random seed", "1337");
    p.option("--device", "DEV", "cpu | cuda", "cpu");
    if (!p.parse(argc, argv)) return 0;
    cli::StoredModel m = cli::load_model(p.str("--checkpoint"));
    if (!m.gpt) throw cli::UsageError("sample needs a GPT checkpoint; this one is an " + m.kind() + " (it cannot write left to right)");
    if (!m.tokenizer) throw cli::UsageError("this checkpoint was trained on a token file: it has no tokenizer to read a prompt or to turn the ids it generates into text");
    nn::GenerateOptions o;
    o.max_new_tokens = p.integer("--max-new-tokens");
    o.temperature = p.number("--temperature");
    o.top_k = p.integer("--top-k");
    o.top_p = p.number("--top-p");
    o.seed = p.seed("--seed");  // -1 is refused, not read as 2^64 - 1
    // Each check is written !(ok) so that NaN (which fails every comparison) is refused too.
    if (!(o.max_new_tokens >= 0 && o.max_new_tokens <= kMaxNewTokens))
        throw cli::UsageError(fmt::format("--max-new-tokens must be between 0 and {}, got {}", kMaxNewTokens, o.max_new_tokens));
    if (!(o.temperature >= 0 && std::isfinite(o.temperature)))
        throw cli::UsageError(fmt::format("--temperature must be a finite number ≥ 0, got {}", o.temperature));
    if (o.top_k < 0) throw cli::UsageError(fmt::format("--top-k must be ≥ 0, got {}", o.top_k));
    if (!(o.top_p > 0 && o.top_p <= 1)) throw cli::UsageError(fmt::format("--top-p must be in (0, 1], got {}", o.top_p));
    std::vector<int32_t> prompt = p.str("--prompt").empty() ? start_of_text(*m.tokenizer)
                                                            : cli::encode_strict(*m.tokenizer, p.str("--prompt"), "the prompt");
    if (prompt.empty()) throw cli::UsageError("the prompt is empty after tokenization");
    m.gpt->to(Device::parse(p.str("--device")));
    std::vector<int32_t> out = m.gpt->generate(prompt, o);
    fmt::print("{}\n", m.tokenizer->decode(out));
    return 0;
}

cli::Command command{"sample", "generate text from a GPT checkpoint", run};

}  // namespace
