// LoRA's algebra, tested exactly: B = 0 changes nothing, merge changes nothing, only
// B learns on the first step, and the parameter counts are r·(in + out).
#include "lora/adapters.h"
#include "lora/lora.h"
#include "lora/peft.h"
#include "nn/gpt.h"

#include <doctest/doctest.h>

#include <chrono>
#include <filesystem>

using namespace aprender;

static nn::GPTConfig lora_test_config() {
    nn::GPTConfig c;
    c.vocab_size = 23;
    c.block_size = 8;
    c.n_layer = 2;
    c.n_head = 2;
    c.n_embd = 16;
    return c;
}

static Tensor ids_for(int64_t B, int64_t T, int64_t V) {
    std::vector<int32_t> v;
    for (int64_t i = 0; i < B * T; ++i) v.push_back((int32_t)((i * 7 + 3) % V));
    return Tensor::from(v, {B, T});
}

TEST_CASE("lora: at initialisation the model's output is bit-for-bit unchanged") {
    nn::GPT m(lora_test_config());
    Tensor ids = ids_for(2, 8, 23);
    std::vector<float> before = m.forward(ids).to_vector<float>();
    lora::Config c;
    c.r = 4;
    lora::Report r = lora::apply(m, c);
    CHECK(r.wrapped.size() == 4);  // q_proj and v_proj of 2 blocks
    CHECK(m.forward(ids).to_vector<float>() == before);
}

TEST_CASE("lora: trainable counts are r·(in+out) per matrix, and only the adapters are trainable") {
    nn::GPT m(lora_test_config());
    lora::Config c;
    c.r = 3;
    lora::apply(m, c);
    auto ad = lora::adapters(m);
    REQUIRE(ad.size() == 4);
    for (auto& [path, l] : ad) CHECK(l->trainable_count() == 3 * (16 + 16));
    CHECK(m.num_parameters(true) == 4 * 3 * 32);
    for (auto& [name, t] : m.named_parameters(true)) CHECK(name.find(".lora_") != std::string::npos);
    CHECK(lora::trainable_summary(m).rfind("trainable params: 384 || all params: ", 0) == 0);
}

TEST_CASE("lora: on the first step dL/dA = 0 (B = 0) and only B learns; frozen weights get no gradient") {
    nn::GPT m(lora_test_config());
    lora::apply(m, lora::Config{});
    Tensor ids = ids_for(2, 8, 23);
    Tensor loss = m.loss(ids, ids_for(2, 8, 23));
    loss.backward();
    REQUIRE((int64_t)lora::adapters(m).size() == 2 * lora_test_config().n_layer);  // q_proj and v_proj of each block
    for (auto& [path, l] : lora::adapters(m)) {
        REQUIRE(l->A.grad().defined());
        for (double g : l->A.grad().to_double_vector()) CHECK(g == 0.0);
        double norm = 0;
        for (double g : l->B.grad().to_double_vector()) norm += g * g;
        CHECK(norm > 0);
        CHECK(!l->base->weight.grad().defined());
    }
    CHECK(!m.wte->weight.grad().defined());
}

TEST_CASE("lora: merge gives the unmerged outputs, unmerge restores W0") {
    nn::GPT m(lora_test_config());
    lora::Config c;
    c.r = 2;
    c.targets = {"q_proj", "k_proj", "v_proj", "o_proj"};
    lora::apply(m, c);
    REQUIRE((int64_t)lora::adapters(m).size() == 4 * lora_test_config().n_layer);  // nothing merged would pass vacuously
    Generator g(5);
    std::vector<std::vector<float>> w0;
    for (auto& [p, l] : lora::adapters(m)) {  // give B nonzero values, as after training
        l->B.copy_from(Tensor::normal(l->B.shape(), 0, 0.1, g));
        w0.push_back(l->base->weight.to_vector<float>());
    }
    m.eval();
    Tensor ids = ids_for(2, 8, 23);
    std::vector<float> unmerged = m.forward(ids).to_vector<float>();
    for (auto& [p, l] : lora::adapters(m)) l->merge();
    std::vector<float> merged = m.forward(ids).to_vector<float>();
    for (size_t i = 0; i < merged.size(); ++i) CHECK(merged[i] == doctest::Approx(unmerged[i]).epsilon(1e-5));
    size_t k = 0;
    for (auto& [p, l] : lora::adapters(m)) {
        CHECK(l->merged());
        CHECK_THROWS_AS(l->merge(), std::logic_error);
        l->unmerge();
        std::vector<float> w = l->base->weight.to_vector<float>();
        for (size_t i = 0; i < w.size(); ++i) CHECK(w[i] == doctest::Approx(w0[k][i]).epsilon(1e-6));
        ++k;
    }
}

TEST_CASE("lora: two wrappers of one base layer cannot both hold their ΔW in it") {
    Generator g(3);
    auto base = std::make_shared<nn::Linear>(6, 5, true, g);
    lora::Config c;
    c.r = 2;
    Tensor x = Tensor::normal({3, 6}, 0, 1, g);
    std::vector<float> w0 = base->weight.to_vector<float>();
    auto first = std::make_shared<lora::Linear>(base, c, g);
    auto second = std::make_shared<lora::Linear>(base, c, g);
    for (auto* l : {first.get(), second.get()}) l->B.copy_from(Tensor::normal(l->B.shape(), 0, 0.1, g));
    first->eval();
    second->eval();
    std::vector<float> second_out = second->forward(x).to_vector<float>();

    first->merge();  // W0 now holds first's ΔW: second's output would carry it too
    std::string message;
    try {
        second->forward(x);
    } catch (const std::logic_error& e) {
        message = e.what();
    }
    CHECK(message.find("holds another adapter's merged") != std::string::npos);
    CHECK(message.find("wrap the same nn::Linear") != std::string::npos);
    CHECK_THROWS_AS(second->merge(), std::logic_error);
    CHECK_NOTHROW(first->forward(x));

    first->unmerge();  // W0 is the base again: second runs and merges as if alone
    std::vector<float> again = second->forward(x).to_vector<float>();
    for (size_t i = 0; i < again.size(); ++i) CHECK(again[i] == doctest::Approx(second_out[i]).epsilon(1e-6));
    second->merge();
    CHECK_THROWS_AS(first->merge(), std::logic_error);
    second.reset();  // a wrapper that ends merged leaves its ΔW in the base, and its claim ends
    CHECK_NOTHROW(first->merge());
    first->unmerge();
    CHECK(base->weight.to_vector<float>() != w0);  // second's ΔW stayed, as merge_and_unload leaves it
}

TEST_CASE("lora: after merge_and_unload the base layers take new adapters, even if old wrappers live on") {
    nn::GPT m(lora_test_config());
    lora::Config c;
    c.r = 2;
    lora::apply(m, c);
    auto old_wrappers = lora::adapters(m);  // still referenced here after the unload
    lora::merge_and_unload(m);
    REQUIRE(lora::adapters(m).empty());
    lora::apply(m, c);
    m.eval();
    CHECK_NOTHROW(m.forward(ids_for(1, 8, 3)));
    for (auto& [p, l] : lora::adapters(m)) CHECK_NOTHROW(l->merge());
    old_wrappers.clear();  // their end must not end the new wrappers' claims
    auto [path, merged] = lora::adapters(m).front();
    Generator g(9);
    lora::Linear other(merged->base, c, g);
    other.eval();
    CHECK_THROWS_AS(other.merge(), std::logic_error);
}

TEST_CASE("lora: targets that match nothing are an error listing the Linear layers") {
    nn::GPT m(lora_test_config());
    lora::Config c;
    c.targets = {"query"};
    try {
        lora::apply(m, c);
        FAIL("expected an error");
    } catch (const std::invalid_argument& e) {
        std::string msg = e.what();
        CHECK(msg.find("lora: targets [query] match no Linear layer") == 0);
        CHECK(msg.find("h.0.attn.q_proj") != std::string::npos);
    }
    c.targets = {"re:h\\.1\\.attn\\.(q|v)_proj"};
    CHECK(lora::matching_paths(m, c) == std::vector<std::string>{"h.1.attn.q_proj", "h.1.attn.v_proj"});
    c.targets = {"q_proj"};
    c.layers = {0};
    CHECK(lora::matching_paths(m, c) == std::vector<std::string>{"h.0.attn.q_proj"});
    c.layers = {0, 99};  // the block is the mistake, not the targets
    CHECK_THROWS_WITH(lora::matching_paths(m, c), doctest::Contains("the model has no block 99"));
}

TEST_CASE("lora: a target regex takes polynomial time and cannot overflow the stack") {
    // "(.*){14}x" backtracks through every way of cutting a path into 14 pieces: seconds on
    // "h.0.attn.q_proj" with std::regex's default matcher, and "(.*){30}x" in an adapter
    // file never ended. Read from a file (adapter_config.json) or the command line.
    lora::Config c;
    c.targets = {"re:(.*){14}x"};
    auto t0 = std::chrono::steady_clock::now();
    CHECK_FALSE(lora::selects(c, "h.0.attn.q_proj"));
    CHECK(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() < 2.0);
    c.targets = {"re:(.*){30}h\\.0.*"};
    CHECK(lora::selects(c, "h.0.attn.q_proj"));
    // the polynomial matcher has no back-references (module paths never need them)
    CHECK_THROWS_WITH_AS(lora::check_targets({"re:(q)\\1"}), doctest::Contains("is not a valid regular expression"),
                         std::invalid_argument);
    // thousands of nested groups: std::regex compiles them recursively
    std::string deep = "re:" + std::string(10000, '(') + "q_proj" + std::string(10000, ')');
    CHECK_THROWS_WITH_AS(lora::check_targets({deep}), doctest::Contains("a regular expression of 20006 characters"),
                         std::invalid_argument);
}

TEST_CASE("lora: a layer needs a base, a finite alpha and a dropout in [0, 1)") {
    Generator gen(1);
    lora::Config c;
    CHECK_THROWS_WITH_AS(lora::Linear(nullptr, c, gen), doctest::Contains("needs a base nn::Linear"), std::invalid_argument);
    auto base = std::make_shared<nn::Linear>(4, 4, true, gen);
    c.alpha = NAN;  // s·B·A with B = 0 would still be NaN
    CHECK_THROWS_WITH_AS(lora::Linear(base, c, gen), doctest::Contains("alpha must be finite"), std::invalid_argument);
    c.alpha = 8;
    c.dropout = 2;
    CHECK_THROWS_WITH_AS(lora::Linear(base, c, gen), doctest::Contains("dropout must be in [0, 1), got 2"), std::invalid_argument);
}

TEST_CASE("lora: a rank above min(in, out) is refused: B·A could not use it") {
    nn::GPT m(lora_test_config());
    lora::Config c;
    int64_t C = lora_test_config().n_embd;
    c.r = C;  // the most a (C -> C) projection can use
    CHECK_NOTHROW(lora::apply(m, c));
    nn::GPT fresh(lora_test_config());
    c.r = C + 1;
    CHECK_THROWS_WITH(lora::apply(fresh, c), doctest::Contains("rank at most min(in, out)"));
}

TEST_CASE("lora: rsLoRA scales by alpha/sqrt(r), and the scale survives save and load") {
    // h = base(x) + s·x·Aᵀ·Bᵀ with s = alpha/r (the paper) or alpha/√r (rsLoRA, which keeps
    // the update's size steady as r grows). Checked on one layer against the formula.
    Generator g(3);
    auto base = std::make_shared<nn::Linear>(6, 5, true, g);
    for (bool rs : {false, true}) {
        lora::Config c;
        c.r = 4, c.alpha = 8, c.rslora = rs;
        CHECK(c.scaling() == doctest::Approx(rs ? 8.0 / 2.0 : 8.0 / 4.0));
        lora::Linear l(base, c, g);
        l.B.copy_from(Tensor::normal(l.B.shape(), 0, 0.5, g));
        Tensor x = Tensor::normal({3, 6}, 0, 1, g);
        std::vector<float> got = sub(l.forward(x), base->forward(x)).to_vector<float>();
        std::vector<float> want = mul(matmul(matmul(x, l.A.transpose(0, 1)), l.B.transpose(0, 1)), c.scaling()).to_vector<float>();
        REQUIRE(got.size() == want.size());
        for (size_t i = 0; i < got.size(); ++i) CHECK(got[i] == doctest::Approx(want[i]).epsilon(1e-5));
    }
    // PEFT's use_rslora travels in adapter_config.json: a reloaded adapter has the same scale
    nn::GPT m(lora_test_config(), 1), fresh(lora_test_config(), 1);
    lora::Config c;
    c.r = 4, c.alpha = 8, c.rslora = true;
    lora::apply(m, c);
    auto dir = std::filesystem::temp_directory_path() / "aprender_rslora_adapter";
    std::filesystem::remove_all(dir);
    lora::save_adapter(m, dir.string());
    CHECK(lora::load_adapter(fresh, dir.string()).rslora);
    for (auto& [path, l] : lora::adapters(fresh)) CHECK(l->scale == doctest::Approx(8.0 / 2.0));
    std::filesystem::remove_all(dir);
}
