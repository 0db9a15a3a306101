// aprender train — train a GPT (or a BERT-style encoder with masked-LM) on a text file
// or a token file, and save a checkpoint.
#include "tokenizer/char.h"
#include "tokenizer/token_file.h"
#include "tools/model_store.h"
#include "tools/outputs.h"
#include "tools/train_loop.h"

#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <sstream>

using namespace aprender;

namespace {

int run(int argc, char** argv) {
    cli::Parser p("aprender train", "Train a GPT (or an encoder with masked-LM) on a text file or a token .bin file.");
    p.option("--data", "FILE", "training text (UTF-8) or token file (.bin, see README)");
    p.option("--val", "FILE", "validation data (default: the last 10% of --data)", "");
    p.option("--out", "PATH", "where to save the trained checkpoint (.safetensors)");
    p.option("--init-out", "PATH", "also save the initial weights, before step 1", "");
    p.flag("--force", "replace existing output files");
    p.option("--model", "KIND", "gpt | encoder", "gpt");
    p.option("--tokenizer", "T", "char (built from the data) or a tokenizer folder (aprender tokenize train)", "char");
    p.option("--vocab-size", "N", "vocabulary size for token files without --tokenizer", "0");
    p.option("--block-size", "T", "context length", "64");
    p.option("--n-layer", "N", "transformer blocks", "4");
    p.option("--n-head", "N", "attention heads", "4");
    p.option("--n-embd", "C", "embedding width", "128");
    p.option("--dropout", "P", "dropout probability", "0");
    p.option("--bias", "BOOL", "biases in Linear/LayerNorm layers (true|false)", "true");
    p.flag("--tie-weights", "GPT: lm_head shares wte's weight");
    p.option("--device", "DEV", "cpu | cuda", "cpu");
    cli::add_training_flags(p);
    if (!p.parse(argc, argv)) return 0;
    cli::TrainSettings s = cli::training_settings(p);
    std::string out = p.str("--out"), init_out = p.str("--init-out"), kind = p.str("--model");
    bool force = p.on("--force");
    if (kind != "gpt" && kind != "encoder") throw cli::UsageError("--model must be gpt or encoder, got '" + kind + "'");
    if (p.str("--bias") != "true" && p.str("--bias") != "false") throw cli::UsageError("--bias must be true or false");
    if (p.integer("--vocab-size") < 0) throw cli::UsageError("--vocab-size must be ≥ 0");
    Device device = Device::parse(p.str("--device"));
    std::string data = p.str("--data"), val_path = p.str("--val"), tok_arg = p.str("--tokenizer");
    // Token ids read with --vocab-size have no tokenizer to save beside the checkpoint.
    bool has_tokenizer = tok_arg != "char" || !cli::is_token_file(data);
    p.applies_only(!has_tokenizer, {"--vocab-size"}, "to a token file (.bin) trained without --tokenizer");

    cli::Outputs outs("aprender train", force);  // checked before training, not after
    outs.reads("--data", data);
    outs.reads("--val", val_path);
    if (tok_arg != "char") outs.reads_folder("--tokenizer", tok_arg, tokenizer::folder_files());
    outs.checkpoint("--out", out, has_tokenizer);
    outs.checkpoint("--init-out", init_out, has_tokenizer);
    outs.stream("--log", s.log_path);
    outs.check();

    // 1. tokens
    std::shared_ptr<tokenizer::Tokenizer> tok;
    if (has_tokenizer) {
        if (tok_arg == "char") {
            tok = std::make_shared<tokenizer::CharTokenizer>(tokenizer::CharTokenizer::train(cli::read_text_file(data)));
        } else {
            tok = tokenizer::load(tok_arg);
        }
    }
    int64_t vocab = tok ? tok->vocab_size() : p.integer("--vocab-size");
    if (vocab <= 0) throw cli::UsageError("a token file needs --vocab-size N (or --tokenizer DIR)");
    auto load_tokens = [&](const std::string& path) {
        if (!tok && !cli::is_token_file(path))
            throw cli::UsageError(path + " is text, but training on token ids has no tokenizer to read it: give a "
                                         "token file (.bin) or --tokenizer DIR");
        // Text through the tokenizer, strictly: a character it does not know (in --val, or in a
        // --data read with another text's tokenizer) would silently train on <unk>.
        std::vector<int32_t> ids = cli::is_token_file(path) ? tokenizer::read_token_file(path)
                                                            : cli::encode_strict(*tok, cli::read_text_file(path), path);
        cli::check_token_ids(ids, vocab, path);
        return ids;
    };
    std::vector<int32_t> train_tokens = load_tokens(data), val_tokens;
    if (!val_path.empty()) val_tokens = load_tokens(val_path);
    else {
        size_t cut = train_tokens.size() * 9 / 10;
        val_tokens.assign(train_tokens.begin() + cut, train_tokens.end());
        train_tokens.resize(cut);
    }

    // 2. model
    int64_t T = p.integer("--block-size");
    std::shared_ptr<nn::Module> model;
    std::function<Tensor(const Tensor&, const Tensor&)> loss;
    nn::Metadata meta;
    std::shared_ptr<nn::GPT> gpt;
    if (kind == "gpt") {
        nn::GPTConfig c;
        c.vocab_size = vocab, c.block_size = T, c.n_layer = p.integer("--n-layer"), c.n_head = p.integer("--n-head");
        c.n_embd = p.integer("--n-embd"), c.dropout = p.number("--dropout"), c.bias = p.str("--bias") == "true";
        c.tie_weights = p.on("--tie-weights");
        try { c.validate(); } catch (const std::invalid_argument& e) { throw cli::UsageError(e.what()); }
        cli::check_fits_memory(nn::gpt_parameter_count(c), "--n-layer, --n-embd, --block-size and the vocabulary");
        gpt = std::make_shared<nn::GPT>(c, s.seed);
        model = gpt;
        meta = c.to_metadata();
        loss = [gpt](const Tensor& x, const Tensor& y) { return gpt->loss(x, y); };
    } else {
        nn::EncoderConfig c;  // one extra id, vocab, is [MASK]
        c.vocab_size = vocab + 1, c.max_len = T, c.n_layer = p.integer("--n-layer"), c.n_head = p.integer("--n-head");
        c.n_embd = p.integer("--n-embd"), c.dropout = p.number("--dropout"), c.bias = p.str("--bias") == "true";
        try { c.validate(); } catch (const std::invalid_argument& e) { throw cli::UsageError(e.what()); }
        cli::check_fits_memory(nn::encoder_parameter_count(c), "--n-layer, --n-embd, --block-size and the vocabulary");
        auto enc = std::make_shared<nn::Encoder>(c, s.seed);
        model = enc;
        meta = c.to_metadata();
        meta["mask_id"] = std::to_string(vocab);
        auto mask_gen = std::make_shared<Generator>(s.seed + 1);
        loss = [enc, mask_gen, vocab](const Tensor& x, const Tensor&) {
            nn::MaskedBatch mb = nn::mask_tokens(x.to(Device::cpu()), (int32_t)vocab, vocab, {}, *mask_gen);
            Device d = enc->device();
            return enc->mlm_loss(mb.input_ids.to(d), mb.labels.to(d));
        };
    }
    model->to(device);
    nn::BatchSampler train(std::move(train_tokens), s.batch, T, s.sampler, s.seed,
                           val_path.empty() ? data + " (its first 90%; the rest validates)" : data);
    nn::BatchSampler val(std::move(val_tokens), s.batch, T, nn::SamplerMode::sequential, 0, val_path.empty() ? data + " (last 10%)" : val_path);
    fmt::print("model: {} with {} parameters, vocabulary {} ({}), {} training tokens\n", kind, model->num_parameters(), vocab,
               tok ? tok->type() + " tokenizer" : "token file", train.num_tokens());
    if (!init_out.empty()) {
        cli::save_model(init_out, *model, meta, tok.get());  // checked before step 1
        fmt::print("initial weights saved to {}\n", init_out);
    }

    // 3. train and save
    cli::TrainStats st = cli::train_language_model(*model, loss, train, &val, s);
    meta["trained_steps"] = std::to_string(st.steps_done(s));
    meta["train_loss"] = fmt::format("{:.6f}", st.last_loss);
    if (st.last_val_loss >= 0) meta["val_loss"] = fmt::format("{:.6f}", st.last_val_loss);
    cli::save_model(out, *model, meta, tok.get());  // checked before step 1
    fmt::print("loss {:.4f} → {:.4f}", st.first_loss, st.last_loss);
    if (st.last_val_loss >= 0) fmt::print(" (validation {:.4f})", st.last_val_loss);
    fmt::print(" in {:.1f} s, {:.0f} tokens/s\nsaved {}\n", st.seconds, st.tokens_per_second, out);
    if (int code = cli::report_early_end(st, s, out)) return code;
    if (gpt && tok) {
        nn::GenerateOptions g;
        g.max_new_tokens = 120;
        g.seed = s.seed;
        std::vector<int32_t> prompt = {train.batch_at(0).x.to_vector<int32_t>()[0]};
        fmt::print("sample: {}\n", tok->decode(gpt->generate(prompt, g)));
    }
    return 0;
}

cli::Command command{"train", "train a GPT or an encoder on a text or token file", run};

}  // namespace
