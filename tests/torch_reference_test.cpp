// Whole models against an independent reference: tools/torch_reference.py rebuilds the GPT,
// the Encoder and LoRA from their equations in PyTorch (float64), loads our checkpoint files
// and adapter directories, and compares logits, loss and every parameter gradient with ours.
// Skipped (and counted) where python3 has no torch; the PEFT case also needs `peft`.
#include "lora/peft.h"
#include "nn/encoder.h"
#include "nn/safetensors.h"
#include "process.h"

#include <doctest/doctest.h>
#include <unistd.h>

#include <filesystem>

using namespace aprender;
namespace fs = std::filesystem;

namespace {

// The first Python that can import `module` ("" when none): plain python3 on the PATH may be
// a pyenv or venv one without PyTorch, while Debian's python3-torch lives in /usr/bin.
std::string python_with(const std::string& module) {
    for (std::string py : {"python3", "/usr/bin/python3"}) {
        // find_spec only looks for the package: no import, a few milliseconds.
        std::string probe = py + " -c \"import importlib.util, sys; sys.exit(importlib.util.find_spec('" + module +
                            "') is None)\"";
        if (testing::run_process(probe).status == 0) return py;
    }
    return "";
}
const std::string& torch_python() {
    static std::string py = python_with("torch");
    return py;
}
bool has_torch() { return !torch_python().empty(); }
bool has_peft() {
    static bool yes = has_torch() && python_with("peft") == torch_python();
    return yes;
}

using Scratch = testing::TempDir;

Tensor random_ids(const Shape& shape, int64_t V, Generator& g) {
    std::vector<int32_t> ids;
    for (float x : Tensor::uniform(shape, 0, (double)V, g).to_vector<float>())
        ids.push_back(std::min<int32_t>((int32_t)x, (int32_t)V - 1));
    return Tensor::from(ids, shape);
}

// Fresh models have LayerNorm weights 1 and biases 0, which would hide a swapped or
// ignored weight; every parameter gets random numbers instead (LoRA's B included).
void randomise(nn::Module& m, uint64_t seed) {
    Generator g(seed);
    NoGradGuard no_grad;
    for (auto& [name, p] : m.named_parameters()) {
        bool scale = name.find("ln") != std::string::npos && name.size() > 6 && name.ends_with("weight");
        p.copy_from(Tensor::normal(p.shape(), scale ? 1.0 : 0.0, scale ? 0.2 : 0.3, g));
    }
}

// The inputs, our logits, loss and gradients, in one safetensors file for the script.
void write_case(const std::string& path, nn::NamedTensors inputs, const Tensor& logits, const Tensor& loss,
                const nn::Module& model) {
    nn::NamedTensors t = std::move(inputs);
    t.emplace_back("expect.logits", logits.detach().contiguous());
    t.emplace_back("expect.loss", loss.detach().reshape({1}));
    for (auto& [name, p] : model.named_parameters(/*trainable_only=*/true)) t.emplace_back("expect.grad." + name, p.grad());
    nn::save_safetensors(path, t);
}

testing::ProcessResult reference(const Scratch& s, const std::string& extra = "") {
    auto r = testing::run_process(torch_python() + " tools/torch_reference.py --checkpoint " + (s / "model.safetensors") +
                                  " --case " + (s / "case.safetensors") + extra);
    MESSAGE(r.output);
    return r;
}

nn::GPTConfig gpt_config(bool tied, bool bias) {
    nn::GPTConfig c;
    c.vocab_size = 19;
    c.block_size = 12;
    c.n_layer = 2;
    c.n_head = 2;
    c.n_embd = 16;
    c.tie_weights = tied;
    c.bias = bias;
    return c;
}

// A GPT checkpoint and its case; with `lora`, an adapter on q/v/c_fc with random A and B.
void gpt_case(const Scratch& s, const nn::GPTConfig& c, bool with_lora) {
    nn::GPT m(c, 5);
    randomise(m, 6);
    nn::save_safetensors(s / "model.safetensors", m.state_dict(), c.to_metadata());
    if (with_lora) {
        lora::Config lc;
        lc.r = 3;
        lc.alpha = 5;
        lc.targets = {"q_proj", "v_proj", "c_fc"};
        lora::apply(m, lc);
        Generator g(7);
        NoGradGuard no_grad;
        for (auto& [name, p] : m.named_parameters(true)) p.copy_from(Tensor::normal(p.shape(), 0.0, 0.3, g));
        lora::save_adapter(m, s / "adapter", "model.safetensors");
    }
    m.eval();
    Generator g(8);
    Tensor ids = random_ids({2, 9}, c.vocab_size, g), targets = random_ids({2, 9}, c.vocab_size, g);
    Tensor logits = m.forward(ids);
    Tensor loss = cross_entropy(logits, targets);
    loss.backward();
    write_case(s / "case.safetensors", {{"input.ids", ids}, {"input.targets", targets}}, logits, loss, m);
}

}  // namespace

TEST_CASE("reference: GPT logits, loss and gradients agree with PyTorch (untied with biases; tied without)" *
          doctest::skip(!has_torch())) {
    for (bool tied : {false, true}) {
        CAPTURE(tied);
        Scratch s;
        gpt_case(s, gpt_config(tied, /*bias=*/!tied), false);
        auto r = reference(s);
        CHECK(r.status == 0);
        // every parameter's gradient is compared: 37 untied (with biases), 19 tied (without)
        CHECK(r.has(tied ? "gpt: logits, loss and 19 parameter gradients agree with PyTorch"
                         : "gpt: logits, loss and 37 parameter gradients agree with PyTorch"));
    }
}

TEST_CASE("reference: Encoder (padding mask, segments, MLM and classification heads) agrees with PyTorch" *
          doctest::skip(!has_torch())) {
    nn::EncoderConfig c;
    c.vocab_size = 21;
    c.max_len = 10;
    c.n_layer = 2;
    c.n_head = 2;
    c.n_embd = 16;
    c.n_classes = 3;
    nn::Encoder m(c, 9);
    randomise(m, 10);
    Scratch s;
    nn::save_safetensors(s / "model.safetensors", m.state_dict(), c.to_metadata());
    m.eval();
    Generator g(11);
    Tensor ids = random_ids({2, 7}, c.vocab_size, g);
    Tensor mask = Tensor::from(std::vector<int32_t>{1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0}, {2, 7});
    Tensor segments = Tensor::from(std::vector<int32_t>{0, 0, 0, 1, 1, 1, 1, 0, 0, 1, 1, 1, 1, 1}, {2, 7});
    Tensor labels = Tensor::from(std::vector<int32_t>{-100, 4, -100, -100, 17, -100, 2, 9, -100, -100, 3, -100, -100, -100},
                                 {2, 7});
    Tensor classes = Tensor::from(std::vector<int32_t>{2, 0}, {2});
    Tensor logits = m.mlm_logits(ids, mask, segments);
    Tensor loss = cross_entropy(logits, labels, -100) + cross_entropy(m.classify(ids, mask, segments), classes);
    loss.backward();
    write_case(s / "case.safetensors",
               {{"input.ids", ids}, {"input.mask", mask}, {"input.segments", segments}, {"input.mlm_labels", labels},
                {"input.cls_labels", classes}},
               logits, loss, m);
    auto r = reference(s);
    CHECK(r.status == 0);
    CHECK(r.has("encoder: logits, loss and"));
    CHECK(r.has("agree with PyTorch"));
}

TEST_CASE("reference: a GPT with our PEFT-format LoRA adapter agrees with the paper's formula in PyTorch" *
          doctest::skip(!has_torch())) {
    Scratch s;
    gpt_case(s, gpt_config(false, true), true);
    auto r = reference(s, " --adapter " + (s / "adapter"));
    CHECK(r.status == 0);
    CHECK(r.has("adapter applied by hand: 6 LoRA layers"));
    CHECK(r.has("and 12 parameter gradients agree with PyTorch"));
}

TEST_CASE("reference: Hugging Face PEFT loads our adapter directory and computes the same numbers" *
          doctest::skip(!has_peft())) {
    Scratch s;
    gpt_case(s, gpt_config(false, true), true);
    auto r = reference(s, " --adapter " + (s / "adapter") + " --peft");
    CHECK(r.status == 0);
    CHECK(r.has("adapter loaded by Hugging Face PEFT"));
    // every field of adapter_config.json is PEFT's (ours are in the weights' metadata), so
    // PEFT has nothing to warn about
    CHECK_MESSAGE(r.has("fields PEFT does not know, ignored: none"), r.output);
    CHECK_FALSE(r.has("Unexpected keyword arguments"));
    CHECK(r.has("and 12 parameter gradients agree with PyTorch"));
}
