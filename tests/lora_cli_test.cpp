// `aprender lora` end to end, as a student would run it: train a base, train an adapter,
// inspect it, evaluate with it, merge it — and get clear refusals for the wrong base and
// bad flags.
#include "process.h"

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

using testing::run_process;
namespace fs = std::filesystem;

namespace {

std::string aprender() { return testing::build_dir() + "/aprender"; }

struct Setup {
    fs::path dir;
    std::string base, other, corpus, domain;
};

// A base model on one text, and a "domain" text it then adapts to (trained once).
const Setup& setup() {
    static Setup s = [] {
        Setup s;
        s.dir = fs::temp_directory_path() / ("aprender-lora-cli-" + std::to_string(getpid()));
        fs::remove_all(s.dir);
        fs::create_directories(s.dir);
        s.corpus = (s.dir / "base.txt").string();
        s.domain = (s.dir / "juridico.txt").string();
        std::string a, b;
        for (int i = 0; i < 60; ++i) a += "a casa é azul. o gato é preto. ";
        for (int i = 0; i < 60; ++i) b += "o réu é culpado. a lei é clara. ";
        std::ofstream(s.corpus) << a + b.substr(0, 40);  // the base sees every character
        std::ofstream(s.domain) << b;
        s.base = (s.dir / "base.safetensors").string();
        s.other = (s.dir / "other.safetensors").string();
        std::string flags = " --block-size 16 --n-layer 1 --n-head 2 --n-embd 16 --batch 4 --steps 20 --warmup 2"
                            " --eval-interval 20 --eval-batches 1 --lr 3e-3 --quiet --data " + s.corpus;
        auto r = run_process(aprender() + " train --out " + s.base + flags);
        REQUIRE_MESSAGE(r.status == 0, r.output);
        r = run_process(aprender() + " train --seed 7 --out " + s.other + flags);
        REQUIRE_MESSAGE(r.status == 0, r.output);
        return s;
    }();
    return s;
}

}  // namespace

TEST_CASE("lora: CLI train → info → eval --adapter → merge gives the adapter's loss") {
    const Setup& s = setup();
    std::string ad = (s.dir / "adapters" / "juridico").string();
    auto t = run_process(aprender() + " lora train --base " + s.base + " --data " + s.domain + " --out " + ad +
                         " --r 2 --alpha 4 --targets q_proj,v_proj --batch 4 --steps 15 --warmup 2 --eval-interval 15"
                         " --eval-batches 1 --lr 1e-2 --quiet");
    REQUIRE_MESSAGE(t.status == 0, t.output);
    CHECK(t.has("trainable params: 128 || all params: "));
    CHECK(t.has("h.0.attn.q_proj"));
    CHECK(t.has("AdamW state (m, v)"));
    CHECK(fs::exists(fs::path(ad) / "adapter_config.json"));
    CHECK(fs::exists(fs::path(ad) / "adapter_model.safetensors"));

    auto info = run_process(aprender() + " lora info " + ad);
    REQUIRE_MESSAGE(info.status == 0, info.output);
    CHECK(info.has("r 2  alpha 4"));
    CHECK(info.has("trainable parameters: 128 in 2 layers"));
    CHECK(info.has("adapter_model.safetensors"));

    auto base_eval = run_process(aprender() + " eval --checkpoint " + s.base + " --data " + s.domain);
    auto ad_eval = run_process(aprender() + " eval --checkpoint " + s.base + " --adapter " + ad + " --data " + s.domain);
    REQUIRE_MESSAGE(base_eval.status == 0, base_eval.output);
    REQUIRE_MESSAGE(ad_eval.status == 0, ad_eval.output);
    auto loss_line = [](const std::string& out) {
        REQUIRE(out.find("loss ") != std::string::npos);
        return out.substr(out.find("loss "), 13);
    };
    CHECK(loss_line(base_eval.output) != loss_line(ad_eval.output));  // the adapter changed the loss

    std::string merged = (s.dir / "merged.safetensors").string();
    auto m = run_process(aprender() + " lora merge --base " + s.base + " --adapter " + ad + " --out " + merged);
    REQUIRE_MESSAGE(m.status == 0, m.output);
    auto merged_eval = run_process(aprender() + " eval --checkpoint " + merged + " --data " + s.domain);
    REQUIRE(merged_eval.status == 0);
    // the same loss to the printed precision (float32 merge rounding is far below 1e-6)
    CHECK(loss_line(merged_eval.output) == loss_line(ad_eval.output));
}

TEST_CASE("lora: CLI refuses the wrong base, bad flags, and an existing adapter") {
    const Setup& s = setup();
    std::string ad = (s.dir / "adapters" / "x").string();
    auto t = run_process(aprender() + " lora train --base " + s.base + " --data " + s.domain + " --out " + ad +
                         " --r 1 --steps 2 --batch 2 --warmup 1 --eval-interval 2 --eval-batches 1 --quiet");
    REQUIRE_MESSAGE(t.status == 0, t.output);
    auto wrong = run_process(aprender() + " eval --checkpoint " + s.other + " --adapter " + ad + " --data " + s.domain);
    CHECK(wrong.status == 1);
    CHECK(wrong.has("wrong base model for adapter"));
    auto again = run_process(aprender() + " lora train --base " + s.base + " --data " + s.domain + " --out " + ad + " --steps 1");
    CHECK(again.status == 2);
    CHECK(again.has("adapter_config.json exists; pass --force"));
    // the base is read, never written, and the flags of LoRA mean nothing to BitFit
    std::string base_bytes = testing::read_file(s.base);
    auto merge_over_base = run_process(aprender() + " lora merge --base " + s.base + " --adapter " + ad + " --out " +
                                       s.base + " --force");
    CHECK(merge_over_base.status == 2);
    CHECK(merge_over_base.has("which --base reads"));
    auto merge_into_adapter = run_process(aprender() + " lora merge --base " + s.base + " --adapter " + ad + " --out " +
                                          ad + "/adapter_model.safetensors --force");
    CHECK(merge_into_adapter.status == 2);
    CHECK(merge_into_adapter.has("which --adapter reads"));
    auto log_over_base = run_process(aprender() + " lora train --base " + s.base + " --data " + s.domain + " --out " + ad +
                                     "3 --log " + s.base + " --force --steps 1");
    CHECK(log_over_base.status == 2);
    CHECK(log_over_base.has("which --base reads"));
    CHECK(testing::read_file(s.base) == base_bytes);
    auto bitfit_r = run_process(aprender() + " lora train --base " + s.base + " --data " + s.domain + " --out " + ad +
                                "4.safetensors --method bitfit --r 4 --steps 1");
    CHECK(bitfit_r.status == 2);
    CHECK(bitfit_r.has("--r applies only to --method lora"));
    auto bad_regex = run_process(aprender() + " lora train --base " + s.base + " --data " + s.domain + " --out " + ad +
                                 "5 --targets 're:([' --steps 1");
    CHECK(bad_regex.status == 2);
    CHECK(bad_regex.has("--targets: lora: target 're:([' is not a valid regular expression"));
    // An alpha that save_adapter would write but read_adapter refuses (|alpha| ≤ 1e6): an
    // adapter that could never be loaded again.
    auto huge_alpha = run_process(aprender() + " lora train --base " + s.base + " --data " + s.domain + " --out " + ad +
                                  "6 --alpha 1e7 --steps 1");
    CHECK(huge_alpha.status == 2);
    CHECK(huge_alpha.has("--alpha must be at most 1e6 in size, got 10000000"));
    CHECK_FALSE(fs::exists(ad + "6"));
    // a rank that would need terabytes: refused by name, not a std::bad_alloc
    auto huge_r = run_process(aprender() + " lora train --base " + s.base + " --data " + s.domain + " --out " + ad +
                              "7 --r 1000000000000 --steps 1");
    CHECK(huge_r.status == 2);
    CHECK(huge_r.has("--r must be from 1 to 65536, got 1000000000000"));
    auto bad_target = run_process(aprender() + " lora train --base " + s.base + " --data " + s.domain + " --out " + ad +
                                  "2 --targets query --steps 1");
    CHECK(bad_target.status == 1);
    CHECK(bad_target.has("match no Linear layer"));
    auto bad_method = run_process(aprender() + " lora train --base " + s.base + " --data " + s.domain + " --out x --method qlora");
    CHECK(bad_method.status == 2);
    CHECK(bad_method.has("expected lora, bitfit or full"));
    CHECK(run_process(aprender() + " lora info " + (s.dir / "nope").string()).has("is not a directory"));
    fs::create_directories(s.dir / "empty_folder");
    CHECK(run_process(aprender() + " lora info " + (s.dir / "empty_folder").string()).has("holds no adapter_config.json"));
    CHECK(run_process(aprender() + " lora frobnicate").status == 2);
    auto bitfit = run_process(aprender() + " lora train --method bitfit --base " + s.base + " --data " + s.domain + " --out " +
                              (s.dir / "bitfit.safetensors").string() + " --steps 2 --batch 2 --warmup 1 --eval-interval 2 --eval-batches 1 --quiet");
    CHECK_MESSAGE(bitfit.status == 0, bitfit.output);
    CHECK(bitfit.has("method: bitfit"));
}
