// Fuzz target: a LoRA adapter folder in PEFT's layout (lora/peft.h), loaded onto a tiny GPT
// as `aprender lora apply` and tutorial 10 load one.
//
// Input: two files (fuzz::split_files): "adapter_config.json" and "adapter_model.safetensors".
//
// Checks, for any bytes: lora::load_adapter (with and without the base check) either
// succeeds or throws one of our errors, and a failed load leaves the model as it was (the
// header: "checks ... before changing anything"). An adapter that loads must run; merged,
// the model gives the unmerged outputs; unmerged, W0 is back up to rounding (merge adds
// s·B·A to W0 and unmerge subtracts it, in float: lora.h promises no more).
#include "tests/fuzz/fuzz.h"

#include "autograd/ops.h"
#include "lora/adapters.h"
#include "lora/peft.h"
#include "nn/gpt.h"

#include <cmath>
#include <limits>

using namespace aprender;

// The base every input is loaded onto (the seeds' adapters were trained on this one, so
// their SHA-256 fingerprint matches).
static std::unique_ptr<nn::GPT> base_model() {
    nn::GPTConfig c;
    c.vocab_size = 11, c.block_size = 8, c.n_layer = 2, c.n_head = 2, c.n_embd = 8;
    auto gpt = std::make_unique<nn::GPT>(c, 1);
    gpt->eval();  // no dropout: outputs must be comparable
    return gpt;
}

static Tensor some_ids() { return Tensor::from(std::vector<int32_t>{1, 5, 2, 9}, {1, 4}); }

FUZZ_SEEDS(const std::string& dir) {
    auto seed = [&](const std::string& name, const lora::Config& c) {
        auto gpt = base_model();
        lora::apply(*gpt, c);
        Generator g(7);
        NoGradGuard ng;
        for (auto& [path, l] : lora::adapters(*gpt)) l->B.copy_from(Tensor::normal(l->B.shape(), 0, 0.1, g));  // "trained"
        std::string folder = fuzz::scratch_dir() + "/seed";
        lora::save_adapter(*gpt, folder, "base.safetensors");
        fuzz::Files files;
        for (const auto& f : lora::adapter_file_names()) files[f] = fuzz::read_file(folder + "/" + f);
        fuzz::write_seed(dir, name, fuzz::join_files(files));
    };
    lora::Config c;
    c.r = 2;
    seed("qv", c);
    c.targets = {"re:h\\.[01]\\.attn\\.(q|k)_proj"}, c.layers = {1}, c.rslora = true, c.alpha = 3;
    seed("regex-layer1", c);
    c = lora::Config{};
    c.r = 1, c.targets = {"o_proj", "c_fc"}, c.bias = lora::BiasMode::all, c.init = lora::Init::kaiming;
    seed("bias-all", c);
}

static float max_abs(const std::vector<float>& v) {
    float m = 0;
    for (float x : v) m = std::max(m, std::abs(x));
    return m;
}

FUZZ_TARGET(const std::string& bytes) {
    std::string dir = fuzz::write_folder(fuzz::split_files(bytes));
    Tensor ids = some_ids();
    NoGradGuard no_grad;

    auto gpt = base_model();
    std::vector<float> base_out = gpt->forward(ids).to_vector<float>();
    lora::Config config;
    bool loaded = fuzz::expect_clean_error([&] { config = lora::load_adapter(*gpt, dir, "fuzz", /*check_base=*/true); });
    if (!loaded) {
        // A refused adapter changes nothing (load_adapter checks everything first).
        if (!lora::adapters(*gpt).empty()) fuzz::fail("a refused adapter left LoRA layers in the model");
        if (gpt->forward(ids).to_vector<float>() != base_out) fuzz::fail("a refused adapter changed the model's outputs");
        // The same files without the fingerprint check reach the rest of the checks.
        gpt = base_model();
        loaded = fuzz::expect_clean_error([&] { config = lora::load_adapter(*gpt, dir, "fuzz", /*check_base=*/false); });
    }
    if (!loaded) return;

    auto layers = lora::adapters(*gpt);
    if (layers.empty()) fuzz::fail("load_adapter succeeded without wrapping a layer");
    std::vector<float> before = gpt->forward(ids).to_vector<float>();

    // Only adapters whose ΔW is a finite number can be merged meaningfully; W0 + ΔW rounds
    // with |ΔW|, so keep the bound of each layer for the unmerge check below.
    std::vector<std::vector<float>> w0, delta;
    bool finite = true;
    for (auto& [path, l] : layers) {
        w0.push_back(l->base->weight.to_vector<float>());
        delta.push_back(l->delta_weight().to_vector<float>());
        for (float d : delta.back()) finite = finite && std::isfinite(d);
    }
    for (auto& [path, l] : layers) l->merge();
    std::vector<float> merged = gpt->forward(ids).to_vector<float>();
    for (auto& [path, l] : layers) l->unmerge();
    std::vector<float> after = gpt->forward(ids).to_vector<float>();
    if (!finite) return;

    const float eps = std::numeric_limits<float>::epsilon();
    for (size_t k = 0; k < layers.size(); ++k) {
        std::vector<float> w = layers[k].second->base->weight.to_vector<float>();
        for (size_t i = 0; i < w.size(); ++i) {
            // Two roundings, each at most half an ulp of the larger operand or result.
            float bound = 4 * eps * (std::abs(w0[k][i]) + std::abs(delta[k][i]));
            if (!(std::abs(w[i] - w0[k][i]) <= bound))
                fuzz::fail("unmerge did not give W0 back (" + layers[k].first + ")");
        }
    }
    // Outputs: compared when every ΔW is of the size of a trained one, where rounding
    // cannot grow past the tolerance (the weight check above covers the rest).
    float big = 0;
    for (auto& d : delta) big = std::max(big, max_abs(d));
    if (big > 1 || !(max_abs(before) < 1e3f)) return;
    float tol = 1e-3f * (1 + max_abs(before));
    for (size_t i = 0; i < before.size(); ++i) {
        if (!(std::abs(merged[i] - before[i]) <= tol)) fuzz::fail("merged outputs differ from the unmerged ones");
        if (!(std::abs(after[i] - before[i]) <= tol)) fuzz::fail("outputs after unmerge differ from those before merge");
    }
}
