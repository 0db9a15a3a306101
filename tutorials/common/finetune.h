// finetune.h — what tutorials 08 (fine-tuning) and 10 (LoRA) share: the base model (07's, or
// a quick one trained on the spot), the domain corpora as character ids, a small training
// loop, and perplexity.
//
//   auto chosen = choose_base_model(t, "--base");       // before the first section
//   auto ob   = obtain_base_model(t, std::move(chosen)); // 07's base, or a quick one (said so)
//   auto dom  = load_domain(t, *ob.base.tokenizer, "tecnico", 200000, 8000);
//   auto model = copy_model(*ob.base.model);            // a fresh copy of the base weights
//   lora::apply(*model, cfg);                           // (or prepare_full / prepare_bitfit)
//   auto run = train_lm(t, *model, dom.train, &dom.val, settings);
//   double ppl = perplexity(*model, dom.val);
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "nn/gpt.h"
#include "tutorials/common/lm_eval.h"
#include "tutorials/common/runner.h"
#include "tutorials/common/table.h"

namespace aprender::tutorial {

// The base model and where it came from.
struct ObtainedBase {
    BaseModel base;
    std::filesystem::path path;  // the weights file used (or written)
    bool trained_here = false;   // no 07 base was found: a quick one was trained now
    double seconds = 0;          // time spent training it (0 when loaded)
};

// The base model for 08 and 10. `--base PATH` (flag value `base_flag`) names a checkpoint;
// "quick" forces a quick one. Otherwise out/07_gpt/base.safetensors is used when it exists,
// and else a small GPT is trained on the general corpus now (a few seconds; 07 trains a
// better one) and saved as <out>/quick_base.safetensors, which the next run of the same
// tutorial reuses. Says which, in the session's language.
// In two steps: choose_base_model before the first section reads the file it will use
// (named by --base, or found without it), so that a broken out/07_gpt/base.safetensors is
// refused before any work, as a broken --base PATH is while parsing (a UsageError naming
// the file); obtain_base_model in section 1 says which base it is, or trains the quick one.
ObtainedBase choose_base_model(Tutorial& t, const std::string& base_flag = "--base");
ObtainedBase obtain_base_model(Tutorial& t, ObtainedBase chosen);

// The flag choose_base_model reads, for a TutorialInfo's flag list.
Flag base_model_flag();

// One domain corpus as the base tokenizer's ids, in 07's stream format (lines joined by
// '\n', starting with '\n'). Characters the base never saw become <unk>: their share is
// reported (a char model trained on general text meets new symbols in a new domain).
struct DomainData {
    std::string name;   // the corpus: "tecnico", "financeiro", "general" (file names, --corpus)
    std::string label;  // what the text calls it: domain_label(name, the session's language)
    std::vector<int32_t> train, val;
    std::size_t train_chars = 0, val_chars = 0;
    double unk_share = 0;  // of train + val characters
    bool real = true;      // false: the committed fallback sentences
};
// How tables and sentences name a domain: the lecture's words "técnico" and "financeiro" in
// both languages (the English narration uses them as names too), "general" / "geral". The
// corpus identifier (no accent) stays for file names and --corpus values.
std::string domain_label(const std::string& corpus, Lang lang);
DomainData load_domain(Tutorial& t, const tokenizer::CharTokenizer& tok, const std::string& name,
                       std::size_t max_train_chars, std::size_t max_val_chars);

// A new GPT with the same config and weights as `base` (nothing shared).
std::shared_ptr<nn::GPT> copy_model(const nn::GPT& base);

struct TrainSettings {
    int64_t steps = 200, batch = 16, warmup = 10, eval_every = 0;  // eval_every 0: no curve
    double lr = 1e-3, weight_decay = 0.0;
    uint64_t seed = 1;
    int64_t eval_batches = 4;
    std::string label;  // progress bar label
    bool quiet = false; // no progress bar unless stdout is a terminal (the caller prints a line)
};
struct TrainRun {
    std::vector<double> steps, train_loss;   // every step
    std::vector<double> eval_steps, val_loss, train_eval_loss;  // every eval_every steps
    double first_loss = 0, last_loss = 0;  // training loss of the first step; mean of the last 10%
    double seconds = 0, ms_per_step = 0;     // training only (evaluation excluded)
    int64_t trainable = 0;
};
// Curves (eval_every > 0 and val given) need val to hold a window: a shorter one is an error.
// AdamW (β2 0.99) with warm-up + cosine decay and clipping at 1 on every parameter of
// `model` that requires grad; batches are random windows of block_size + 1 ids.
TrainRun train_lm(Tutorial& t, nn::GPT& model, const std::vector<int32_t>& train, const std::vector<int32_t>* val,
                  const TrainSettings& s);

// Mean loss (nats per character) of the whole text, every character predicted once with
// context (lm_eval.h's sliding windows); perplexity = exp of it.
double mean_nll(nn::GPT& model, const std::vector<int32_t>& ids);
double perplexity(nn::GPT& model, const std::vector<int32_t>& ids);

// Size in bytes of a file, or of every file under a directory.
std::uintmax_t disk_size(const std::filesystem::path& p);
std::string human_size(std::uintmax_t bytes);  // "1.47 MB", "9.1 kB", "488 B"


// Over the runs of several seeds: the mean, the sample standard deviation (0 for one run),
// and "12.34 ± 0.56" (just "12.34" for one run) with `digits` decimals.
double mean(const std::vector<double>& v);
double stdev(const std::vector<double>& v);
std::string mean_text(const std::vector<double>& v, int digits = 2);
// A table cell of a column over `runs` seeds: mean_text on screen; in the CSV the mean and,
// when runs > 1, the standard deviation in a column of its own (empty for a single value,
// such as the base model's); mean_header(header, runs) is that column's header cell.
Cell mean_cell(const std::vector<double>& v, int digits, int64_t runs);
Cell mean_header(const std::string& header, int64_t runs, Lang lang);

}  // namespace aprender::tutorial
