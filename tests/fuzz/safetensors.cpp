// Fuzz target: a safetensors file, as `aprender info`, `sample` and the tutorials read one.
//
// Checks, for any bytes: the parser, the header-only reader and loading into a GPT either
// succeed or throw one of our errors; the header reader agrees with the full parser (the
// same file succeeds or fails in both, with the same tensor names); and a checkpoint that
// parses and carries a GPT config gives a model that runs.
#include "tests/fuzz/fuzz.h"

#include "autograd/ops.h"
#include "nn/gpt.h"
#include "nn/safetensors.h"

using namespace aprender;

FUZZ_SEEDS(const std::string& dir) {
    nn::GPTConfig c;
    c.vocab_size = 11, c.block_size = 8, c.n_layer = 1, c.n_head = 2, c.n_embd = 8;
    nn::GPT gpt(c, 1);
    std::string path = dir + "/gpt.safetensors";
    nn::save_safetensors(path, gpt.state_dict(), c.to_metadata());
    c.tie_weights = true, c.bias = false;
    nn::GPT tied(c, 2);
    nn::save_safetensors(dir + "/gpt-tied.safetensors", tied.state_dict(), c.to_metadata());
    nn::save_safetensors(dir + "/mixed.safetensors",
                         {{"a", Tensor::ones({2, 3}, DType::f64)}, {"ids", Tensor::zeros({4}, DType::i32)}},
                         {{"note", "three dtypes"}});
    nn::save_safetensors(dir + "/empty.safetensors", {});
}

FUZZ_TARGET(const std::string& bytes) {
    nn::Checkpoint ck;
    bool parsed = fuzz::expect_clean_error([&] { ck = nn::parse_safetensors(bytes, "fuzz.safetensors"); });

    std::string path = fuzz::write_folder({{"f.safetensors", bytes}}) + "/f.safetensors";
    nn::SafetensorsHeader header;
    bool header_read = fuzz::expect_clean_error([&] { header = nn::read_safetensors_header(path); });
    // The header reader makes every check that needs no numbers, so it may accept a file
    // whose numbers are then refused (a NaN, an I64 out of range) — never the other way.
    if (parsed && !header_read) fuzz::fail("parse_safetensors accepted a file read_safetensors_header refused");
    if (parsed) {
        if (header.tensors.size() != ck.tensors.size()) fuzz::fail("the header reader and the parser count different tensors");
        for (size_t i = 0; i < ck.tensors.size(); ++i)
            if (header.tensors[i].name != ck.tensors[i].first) fuzz::fail("the header reader and the parser name tensors differently");
        if (header.metadata != ck.metadata) fuzz::fail("the header reader and the parser read different metadata");
    }
    if (!parsed) return;

    // A checkpoint with a GPT config: the model it describes must load it and run.
    nn::GPTConfig config;
    if (!fuzz::expect_clean_error([&] { config = nn::GPTConfig::from_checkpoint(ck); })) return;
    if (nn::gpt_parameter_count(config) > 2'000'000) return;  // keep each input fast
    nn::GPT gpt(config, 1);
    if (!fuzz::expect_clean_error([&] { gpt.load_state_dict(ck.tensors); })) return;
    NoGradGuard no_grad;
    Tensor ids = Tensor::zeros({1, std::min<int64_t>(config.block_size, 4)}, DType::i32);
    Tensor logits = gpt.forward(ids);
    if (logits.shape() != Shape{1, ids.shape()[1], config.vocab_size}) fuzz::fail("logits of the wrong shape");
}
