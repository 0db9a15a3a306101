// Several adapters on one base: switch, disable, delete, combine (linear and cat, against
// their formulas), merge_and_unload into a plain model; BitFit, full FT; memory accounting.
#include "lora/adapters.h"
#include "lora/baselines.h"
#include "nn/gpt.h"
#include "nn/optim.h"

#include <doctest/doctest.h>

#include <cmath>

using namespace aprender;

namespace {

nn::GPTConfig cfg16() {
    nn::GPTConfig c;
    c.vocab_size = 23;
    c.block_size = 8;
    c.n_layer = 2;
    c.n_head = 2;
    c.n_embd = 16;
    return c;
}

Tensor ids_for(int64_t B, int64_t T, int64_t V) {
    std::vector<int32_t> v;
    for (int64_t i = 0; i < B * T; ++i) v.push_back((int32_t)((i * 7 + 3) % V));
    return Tensor::from(v, {B, T});
}

void pretend_trained(nn::Module& m, uint64_t seed) {
    Generator g(seed);
    for (auto& [p, l] : lora::adapters(m)) l->B.copy_from(Tensor::normal(l->B.shape(), 0, 0.2, g));
}

double max_abs_diff(const std::vector<float>& a, const std::vector<float>& b) {
    double d = 0;
    for (size_t i = 0; i < a.size(); ++i) d = std::max(d, (double)std::fabs(a[i] - b[i]));
    return d;
}

std::vector<double> dw(const lora::Linear& l) { return l.delta_weight().to_double_vector(); }

// ‖got − want‖∞ ≤ tol·‖want‖∞: float32 products agree to a few ulps of the largest entry.
template <class V>
void check_close_rel(const V& got, const V& want, double tol) {
    REQUIRE(got.size() == want.size());
    double err = 0, mx = 0;
    for (size_t i = 0; i < got.size(); ++i) {
        err = std::max(err, (double)std::fabs(got[i] - want[i]));
        mx = std::max(mx, (double)std::fabs(want[i]));
    }
    CHECK(err <= tol * mx);
}

}  // namespace

TEST_CASE("lora: two named adapters on one base — switch, disable, delete") {
    nn::GPT m(cfg16(), 5);
    m.eval();
    Tensor ids = ids_for(2, 8, 23);
    std::vector<float> base = m.forward(ids).to_vector<float>();
    lora::Config c;
    c.r = 2;
    lora::add_adapter(m, "juridico", c);
    pretend_trained(m, 1);
    std::vector<float> jur = m.forward(ids).to_vector<float>();
    c.r = 3;
    c.targets = {"q_proj", "v_proj", "c_fc"};
    lora::add_adapter(m, "financeiro", c);  // becomes active; juridico's factors are frozen
    CHECK(lora::adapter_names(m) == std::vector<std::string>{"financeiro", "juridico"});
    CHECK(m.num_parameters(true) == 2 * (2 * 3 * 32 + 3 * (16 + 64)));
    pretend_trained(m, 2);
    std::vector<float> fin = m.forward(ids).to_vector<float>();
    CHECK(max_abs_diff(fin, jur) > 1e-4);

    lora::set_adapter(m, "juridico");  // c_fc layers lack it: they act as their base
    CHECK(m.forward(ids).to_vector<float>() == jur);
    CHECK(m.num_parameters(true) == 2 * 2 * 2 * 32);
    lora::disable_adapters(m);
    CHECK(m.forward(ids).to_vector<float>() == base);
    lora::enable_adapters(m);
    lora::set_adapter(m, "financeiro");
    CHECK(m.forward(ids).to_vector<float>() == fin);

    lora::delete_adapter(m, "financeiro");
    CHECK(lora::adapter_names(m) == std::vector<std::string>{"juridico"});
    CHECK(m.forward(ids).to_vector<float>() == base);  // no active adapter any more
    CHECK_THROWS_WITH(lora::set_adapter(m, "financeiro"), doctest::Contains("no adapter named 'financeiro' (the model has: juridico)"));
    CHECK_THROWS_AS(lora::delete_adapter(m, "financeiro"), std::invalid_argument);
    CHECK_THROWS_WITH(lora::add_adapter(m, "juridico", lora::Config{}), doctest::Contains("already has an adapter named 'juridico'"));
    lora::set_adapter(m, "juridico");
    CHECK(m.forward(ids).to_vector<float>() == jur);
    // merged, the adapter is inside the base weight: "disabled" would not be the base
    for (auto& [path, l] : lora::adapters(m)) l->merge();
    CHECK_THROWS_WITH(lora::disable_adapters(m), doctest::Contains("cannot disable adapters while 'juridico' is merged into h.0."));
    for (auto& [path, l] : lora::adapters(m)) l->unmerge();
    lora::disable_adapters(m);
    CHECK(max_abs_diff(m.forward(ids).to_vector<float>(), base) < 1e-6);
}

TEST_CASE("lora: weighted combination — cat is exactly Σ w·ΔW, linear follows PEFT's formula") {
    nn::GPT m(cfg16(), 5);
    lora::Config c;
    c.r = 2;
    c.alpha = 4;
    lora::add_adapter(m, "a", c);
    pretend_trained(m, 1);
    c.r = 2;
    c.alpha = 8;
    lora::add_adapter(m, "b", c);
    pretend_trained(m, 2);
    lora::add_weighted_adapter(m, {"a", "b"}, {0.7, -0.4}, "cat", lora::Combination::cat);
    REQUIRE_FALSE(lora::adapters(m).empty());
    for (auto& [p, l] : lora::adapters(m)) {
        CHECK(l->A.size(0) == 4);  // ranks add up
        CHECK(l->scale == 1.0);
        std::vector<double> got = dw(*l);
        Tensor da = matmul(l->adapter("a").B, l->adapter("a").A) * l->adapter("a").scale;
        Tensor db = matmul(l->adapter("b").B, l->adapter("b").A) * l->adapter("b").scale;
        check_close_rel(got, (da * 0.7 + db * -0.4).to_double_vector(), 1e-5);
    }
    lora::add_weighted_adapter(m, {"a", "b"}, {0.25, 0.75}, "lin", lora::Combination::linear);
    for (auto& [p, l] : lora::adapters(m)) {
        auto& a = l->adapter("a");
        auto& b = l->adapter("b");
        CHECK(l->A.size(0) == 2);
        Tensor A = a.A * (0.5 * a.scale) + b.A * (std::sqrt(0.75) * b.scale);
        Tensor B = a.B * 0.5 + b.B * std::sqrt(0.75);
        check_close_rel(dw(*l), matmul(B, A).to_double_vector(), 1e-5);
    }
    CHECK_THROWS_WITH(lora::add_weighted_adapter(m, {"a", "b"}, {1, -1}, "bad", lora::Combination::linear),
                      doctest::Contains("weights must be >= 0"));
    CHECK_THROWS_WITH(lora::add_weighted_adapter(m, {"a", "cat"}, {1, 1}, "bad", lora::Combination::linear),
                      doctest::Contains("needs equal ranks"));
    CHECK_THROWS_WITH(lora::add_weighted_adapter(m, {"a", "zz"}, {1, 1}, "bad", lora::Combination::cat),
                      doctest::Contains("no adapter named 'zz'"));
}

TEST_CASE("lora: merge_and_unload gives a plain model with the adapter's outputs") {
    nn::GPT m(cfg16(), 5);
    nn::GPT plain(cfg16(), 6);
    std::vector<std::string> plain_names;
    for (auto& [n, t] : plain.state_dict()) plain_names.push_back(n);
    lora::Config c;
    c.targets = {"q_proj", "k_proj", "v_proj", "o_proj", "c_fc", "c_proj"};
    lora::apply(m, c);
    pretend_trained(m, 9);
    m.eval();
    Tensor ids = ids_for(2, 8, 23);
    std::vector<float> with_adapter = m.forward(ids).to_vector<float>();
    lora::merge_and_unload(m);
    CHECK(lora::adapters(m).empty());
    std::vector<std::string> names;
    for (auto& [n, t] : m.state_dict()) names.push_back(n);
    CHECK(names == plain_names);  // an ordinary checkpoint: loads into a plain GPT
    plain.load_state_dict(m.state_dict());
    plain.eval();
    std::vector<float> merged = plain.forward(ids).to_vector<float>();
    check_close_rel(merged, with_adapter, 1e-5);
    CHECK(m.num_parameters(true) == m.num_parameters());
}

TEST_CASE("lora: BitFit trains only biases, full FT everything; AdamW keeps state only for them") {
    nn::GPT m(cfg16(), 5);
    lora::Report r = lora::prepare_bitfit(m);
    int64_t biases = 0, bias_tensors = 0;
    for (auto& [n, t] : m.named_parameters())
        if (n.size() >= 4 && n.substr(n.size() - 4) == "bias") biases += t.numel(), ++bias_tensors;
    CHECK(r.trainable == biases);
    CHECK(r.total == nn::gpt_parameter_count(cfg16()));
    nn::AdamW opt(m.named_parameters(true));
    m.loss(ids_for(2, 8, 23), ids_for(2, 8, 23)).backward();
    opt.step();
    CHECK(opt.state_numel() == 2 * biases + bias_tensors);  // m, v per bias + one step counter per tensor
    CHECK(!m.wte->weight.grad().defined());

    nn::GPTConfig nb = cfg16();
    nb.bias = false;
    nn::GPT no_bias(nb, 5);
    CHECK_THROWS_WITH(lora::prepare_bitfit(no_bias), doctest::Contains("no bias parameters"));
    CHECK(lora::prepare_full(m).trainable == m.num_parameters());
    CHECK(lora::parse_method("bitfit") == lora::Method::bitfit);
    CHECK_THROWS_WITH(lora::parse_method("qlora"), doctest::Contains("expected lora, bitfit or full"));
}

TEST_CASE("lora: memory accounting — LoRA pays gradients and AdamW state for A and B only") {
    nn::GPT full(cfg16(), 5), lo(cfg16(), 5);
    lora::prepare_full(full);
    lora::Config c;
    c.r = 4;
    lora::apply(lo, c);
    lora::MemoryReport f = lora::memory_report(full, 4, 8), l = lora::memory_report(lo, 4, 8);
    int64_t P = nn::gpt_parameter_count(cfg16()), ab = 4 * 4 * 32;
    CHECK(f.frozen_bytes == 0);
    CHECK(f.trainable_bytes == 4 * P);
    CHECK(f.gradient_bytes == 4 * P);
    CHECK(f.optimizer_bytes == 8 * P + 8 * (int64_t)full.named_parameters().size());  // + an f64 step per tensor
    CHECK(l.frozen_bytes == 4 * P);
    CHECK(l.trainable_bytes == 4 * ab);
    CHECK(l.gradient_bytes == 4 * ab);
    CHECK(l.optimizer_bytes == 8 * ab + 8 * 8);
    // activations: the same model, plus N·r per adapted layer (N = 32 tokens)
    CHECK(l.activation_bytes - f.activation_bytes == 4 * 4 * 32 * 4);
    CHECK(l.total() < f.total());
    std::string t = lora::memory_table({{"full FT", f}, {"LoRA r=4", l}});
    CHECK(t.find("AdamW state (m, v)") != std::string::npos);
    CHECK(t.find("LoRA r=4") != std::string::npos);
    // and the optimizer agrees: state for A and B only
    nn::AdamW opt(lo.named_parameters(true));
    lo.loss(ids_for(2, 8, 23), ids_for(2, 8, 23)).backward();
    opt.step();
    CHECK(opt.state_numel() == 2 * ab + 8);
}
