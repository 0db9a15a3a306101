// Checks of exercise 10: parameter counts against lora::apply on real models, GPT-3's
// numbers from the LoRA paper, and the memory of full fine-tuning vs LoRA.
#include "exercises/10_lora_accounting/accounting.h"
#include "exercises/check.h"
#include "lora/lora.h"

using namespace aprender;
using namespace aprender::exercises;
using namespace aprender::exercises::check;

namespace {
// What the library's LoRA really trains on a freshly built model.
int64_t measured(const nn::GPTConfig& c, int64_t r, const std::vector<std::string>& targets) {
    nn::GPT model(c, 7);
    lora::Config lc;
    lc.r = r;
    lc.alpha = 2.0 * r;
    lc.targets = targets;
    return lora::apply(model, lc).trainable;
}
}  // namespace

EXERCISE_CHECK(10, "W_q and W_v (the paper's choice) on a small GPT, measured with lora::apply") {
    nn::GPTConfig c;
    c.vocab_size = 50, c.block_size = 16, c.n_layer = 3, c.n_head = 2, c.n_embd = 32;
    int64_t want = measured(c, 4, {"q_proj", "v_proj"});
    expect_eq(lora_trainable_params(c, 4, {"q_proj", "v_proj"}), want, "trainable numbers, r = 4, C = 32, 3 blocks, q and v",
              "per wrapped Linear [out, in]: A has r·in numbers and B out·r; here in = out = C; times the blocks "
              "(the full matrix would be C·C — that is not what LoRA trains)");
}

EXERCISE_CHECK(10, "every target, including the MLP's rectangular ones") {
    nn::GPTConfig c;
    c.vocab_size = 50, c.block_size = 16, c.n_layer = 2, c.n_head = 2, c.n_embd = 24;
    std::vector<std::string> all = {"q_proj", "k_proj", "v_proj", "o_proj", "c_fc", "c_proj"};
    expect_eq(lora_trainable_params(c, 2, all), measured(c, 2, all), "trainable numbers, r = 2, all six Linear layers",
              "c_fc is C→4C (A [r, C], B [4C, r]) and c_proj 4C→C");
    expect_eq(lora_trainable_params(c, 8, {"c_fc"}), measured(c, 8, {"c_fc"}), "trainable numbers, r = 8, c_fc only",
              "r·(in + out) = 8·(24 + 96) per block");
}

EXERCISE_CHECK(10, "GPT-3 175B with r = 4 on W_q, W_v: about 18.9M (the LoRA paper)") {
    nn::GPTConfig c;
    c.n_layer = 96, c.n_embd = 12288, c.n_head = 96, c.vocab_size = 50257, c.block_size = 2048;
    expect_eq(lora_trainable_params(c, 4, {"q_proj", "v_proj"}), int64_t(18874368),
              "trainable numbers for GPT-3 (96 blocks, C = 12288), r = 4, q and v",
              "96 blocks × 2 matrices × 4·(12288 + 12288); use int64_t (it overflows int for the full model)");
}

EXERCISE_CHECK(10, "unknown targets are refused") {
    nn::GPTConfig c;
    bool threw = false;
    try {
        lora_trainable_params(c, 4, {"q_proj", "query"});
    } catch (const std::invalid_argument&) {
        threw = true;
    }
    expect_true(threw, "lora_trainable_params with target \"query\"", "std::invalid_argument", "no exception",
                "the valid names are q_proj k_proj v_proj o_proj c_fc c_proj; throw for anything else");
}

EXERCISE_CHECK(10, "memory: full fine-tuning costs 16 bytes a parameter") {
    TrainingMemory m = training_memory(1'000'000, 1'000'000);
    expect_eq(m.frozen_weights, int64_t(0), "frozen weight bytes, full fine-tuning of 1M", "nothing is frozen");
    expect_eq(m.trainable_weights, int64_t(4'000'000), "trainable weight bytes", "4 bytes per float32 weight");
    expect_eq(m.gradients, int64_t(4'000'000), "gradient bytes", "one float32 gradient per trainable weight");
    expect_eq(m.optimizer, int64_t(8'000'000), "AdamW state bytes", "two float32 moments (m, v) per trainable weight");
    expect_eq(m.total(), int64_t(16'000'000), "total bytes", "4 + 4 + 8 = 16 bytes per trainable parameter");
}

EXERCISE_CHECK(10, "memory: LoRA keeps only the frozen weights for most of the model") {
    int64_t total = 175'000'000'000LL + 18'874'368, trainable = 18'874'368;
    TrainingMemory m = training_memory(total, trainable);
    expect_eq(m.frozen_weights, 4 * (total - trainable), "frozen weight bytes, GPT-3 with LoRA r = 4",
              "frozen weights: 4 bytes each, nothing else");
    expect_eq(m.gradients, 4 * trainable, "gradient bytes", "only the trainable parameters have gradients");
    expect_eq(m.optimizer, 8 * trainable, "AdamW state bytes", "only the trainable parameters have AdamW moments");
    TrainingMemory full = training_memory(175'000'000'000LL, 175'000'000'000LL);
    expect_true(full.total() > 3 * m.total(), "full fine-tuning vs LoRA, total bytes",
                "full ≈ 2.8 TB, LoRA ≈ 0.7 TB", fmt::format("full {} B, LoRA {} B", full.total(), m.total()),
                "use int64_t everywhere: 175e9 × 16 does not fit in 32 bits");
}
