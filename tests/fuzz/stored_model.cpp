// Fuzz target: a checkpoint as the `aprender` command line stores it (tools/model_store.h):
// model.safetensors with the config in its metadata, its tokenizer folder beside it
// (model.tokenizer/), and a data file to read with it, as `aprender eval --data` does.
//
// Input: several files (fuzz::split_files). "model.safetensors" and "data.txt", "data.bin"
// or "data.u32.bin" land beside each other; "tok.<name>" lands in model.tokenizer/<name> (a file
// name cannot hold a '/').
//
// Checks, for any bytes: cli::load_model and the tutorials' read_checkpoint (08's --base,
// 10's --encoder) either succeed or throw one of our errors. A model that loads runs a
// forward pass with logits of the right shape, and its data file reads through
// read_tokens_for / encode_strict either into ids inside its vocabulary or into an error,
// and into batches (nn/data.h) of those ids.
#include "tests/fuzz/fuzz.h"

#include "autograd/ops.h"
#include "nn/data.h"
#include "tokenizer/char.h"
#include "tokenizer/token_file.h"
#include "tools/model_store.h"
#include "tutorials/common/checkpoint.h"

#include <filesystem>

using namespace aprender;

FUZZ_SEEDS(const std::string& dir) {
    const std::string text = "ola, mundo\nbom dia\n";
    tokenizer::CharTokenizer tok = tokenizer::CharTokenizer::train(text);
    std::string scratch = fuzz::scratch_dir();
    // Save with the library's own writer, then pack the folder into one input.
    auto pack = [&](const std::string& name, const nn::Module& model, const nn::Metadata& meta, bool with_tok,
                    const fuzz::Files& extra) {
        std::filesystem::remove_all(scratch);
        std::filesystem::create_directories(scratch);
        cli::save_model(scratch + "/model.safetensors", model, meta, with_tok ? &tok : nullptr);
        fuzz::Files files = extra;
        files["model.safetensors"] = fuzz::read_file(scratch + "/model.safetensors");
        if (with_tok)
            for (const auto& f : std::filesystem::directory_iterator(scratch + "/model.tokenizer"))
                files["tok." + f.path().filename().string()] = fuzz::read_file(f.path().string());
        fuzz::write_seed(dir, name, fuzz::join_files(files));
    };
    nn::GPTConfig g;
    g.vocab_size = tok.vocab_size(), g.block_size = 8, g.n_layer = 1, g.n_head = 2, g.n_embd = 8;
    nn::GPT gpt(g, 1);
    pack("gpt-char", gpt, g.to_metadata(), true, {{"data.txt", text}});
    nn::EncoderConfig e;
    e.vocab_size = tok.vocab_size() + 1, e.max_len = 8, e.n_layer = 1, e.n_head = 2, e.n_embd = 8;
    nn::Encoder enc(e, 1);
    nn::Metadata em = e.to_metadata();
    em["mask_id"] = std::to_string(tok.vocab_size());
    pack("encoder-char", enc, em, true, {{"data.txt", "bom dia"}});
    // Trained on token ids: no tokenizer, a token file to read instead.
    std::string bin = scratch + "/ids.bin";
    tokenizer::write_token_file(bin, {1, 2, 3, 4, 5, 0, 7}, g.vocab_size);
    std::string ids = fuzz::read_file(bin);
    pack("gpt-ids", gpt, g.to_metadata(), false, {{"data.bin", ids}});
}

FUZZ_TARGET(const std::string& bytes) {
    fuzz::Files files = fuzz::split_files(bytes);
    std::string dir = fuzz::write_folder({});
    std::filesystem::create_directories(dir + "/model.tokenizer");
    for (auto& [name, body] : files) {
        if (name.rfind("tok.", 0) == 0) {
            if (name.size() > 4) fuzz::write_file(dir + "/model.tokenizer/" + name.substr(4), body);
        } else {
            fuzz::write_file(dir + "/" + name, body);
        }
    }
    const std::string path = dir + "/model.safetensors";

    // The tutorials' reader, asked for each kind they use.
    fuzz::expect_clean_error([&] { tutorial::read_checkpoint(path, {"gpt", "char", "the fuzz target", "a GPT"}); });
    fuzz::expect_clean_error(
        [&] { tutorial::read_checkpoint(path, {"encoder", "wordpiece", "the fuzz target", "an encoder"}); });

    cli::StoredModel m;
    if (!fuzz::expect_clean_error([&] { m = cli::load_model(path); })) return;
    if (!m.gpt == !m.encoder) fuzz::fail("load_model gave neither or both of gpt and encoder");
    int64_t vocab = m.gpt ? m.gpt->config.vocab_size : m.encoder->config.vocab_size;
    if (m.tokenizer && m.tokenizer->vocab_size() > vocab) fuzz::fail("a tokenizer bigger than the model's vocabulary");

    // A forward pass on a few ids the model knows.
    {
        NoGradGuard no_grad;
        int64_t T = std::min<int64_t>(m.context(), 4);
        Tensor ids = Tensor::zeros({1, T}, DType::i32);
        Tensor logits = m.module().forward(ids);
        if (logits.shape() != Shape{1, T, vocab}) fuzz::fail("logits of the wrong shape");
    }

    // The data file: read for this model, every id inside its vocabulary, then cut into
    // batches as `aprender eval` does (nn/data.h).
    for (const char* data : {"data.txt", "data.bin", "data.u32.bin"}) {
        if (!std::filesystem::exists(dir + "/" + data)) continue;
        std::vector<int32_t> ids;
        if (!fuzz::expect_clean_error([&] { ids = cli::read_tokens_for(m, dir + "/" + data); })) continue;
        for (int32_t id : ids)
            if (id < 0 || id >= vocab) fuzz::fail("read_tokens_for gave an id outside the vocabulary");
        std::unique_ptr<nn::BatchSampler> batches;
        if (!fuzz::expect_clean_error([&] {
                batches = std::make_unique<nn::BatchSampler>(ids, 2, std::min<int64_t>(m.context(), 4),
                                                             nn::SamplerMode::sequential, 0, data);
            }))
            continue;
        for (const Tensor& t : {batches->batch_at(0).x, batches->batch_at(1).y})
            for (int32_t id : t.to_vector<int32_t>())
                if (id < 0 || id >= vocab) fuzz::fail("a batch holds an id outside the vocabulary");
    }
    if (m.tokenizer) {
        std::vector<int32_t> ids;
        std::string text = files.count("data.txt") ? files["data.txt"] : "ola";
        if (fuzz::expect_clean_error([&] { ids = cli::encode_strict(*m.tokenizer, text, "the fuzz text"); }))
            fuzz::expect_clean_error([&] { m.tokenizer->decode(ids); });
    }
}
