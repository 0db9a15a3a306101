// Tests of the transformer models: sizes, masks, caches, determinism.
#include "autograd/parallel.h"
#include "nn/encoder.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>

using namespace aprender;
using namespace aprender::nn;

static GPTConfig small_gpt() {
    GPTConfig c;
    c.vocab_size = 17;
    c.block_size = 12;
    c.n_layer = 2;
    c.n_head = 2;
    c.n_embd = 16;
    return c;
}

static Tensor random_ids(int64_t B, int64_t T, int64_t V, uint64_t seed) {
    Generator g(seed);
    Tensor u = Tensor::uniform({B, T}, 0, (double)V, g);
    std::vector<int32_t> ids;
    for (float x : u.to_vector<float>()) ids.push_back(std::min<int32_t>((int32_t)x, (int32_t)V - 1));
    return Tensor::from(ids, {B, T});
}

TEST_CASE("nn: GPT parameter count equals the closed form, with and without tying and biases") {
    for (bool tie : {false, true})
        for (bool bias : {false, true}) {
            GPTConfig c = small_gpt();
            c.tie_weights = tie;
            c.bias = bias;
            GPT m(c);
            CHECK(m.num_parameters() == gpt_parameter_count(c));
        }
    GPTConfig tiny;  // nanoGPT's CPU config: 0.80 M parameters (untied, with biases)
    CHECK(gpt_parameter_count(tiny) == GPT(tiny).num_parameters());
}

TEST_CASE("nn: GPT parameter names follow the documented layout") {
    GPT m(small_gpt());
    auto names = m.named_parameters();
    CHECK(names.front().first == "wte.weight");
    bool found = false;
    for (auto& [n, t] : names) found = found || n == "h.1.attn.q_proj.weight";
    CHECK(found);
    CHECK(m.submodule("h.0.attn.v_proj")->type_name() == "Linear");
    CHECK(names.back().first == "lm_head.weight");
}

TEST_CASE("nn: Encoder parameter count equals the closed form") {
    EncoderConfig c;
    c.vocab_size = 50;
    c.max_len = 16;
    c.n_layer = 2;
    c.n_head = 2;
    c.n_embd = 16;
    c.n_classes = 3;
    Encoder e(c);
    CHECK(e.num_parameters() == encoder_parameter_count(c));
}

TEST_CASE("nn: eval() disables dropout; train() uses it") {
    GPTConfig c = small_gpt();
    c.dropout = 0.5;
    GPT m(c);
    Tensor ids = random_ids(2, 8, c.vocab_size, 1);
    m.eval();
    CHECK(m.forward(ids).to_vector<float>() == m.forward(ids).to_vector<float>());
    m.train();
    CHECK(m.forward(ids).to_vector<float>() != m.forward(ids).to_vector<float>());
}

TEST_CASE("nn: causal attention rows sum to 1, the future gets exactly 0, and never changes the past") {
    GPT m(small_gpt());
    Tensor ids = random_ids(1, 10, 17, 2);
    auto maps = m.attention_maps(ids);
    REQUIRE(maps.size() == 2);
    std::vector<double> w = maps[0].to_double_vector();  // (1, nh, T, T)
    int64_t T = 10;
    for (int64_t h = 0; h < 2; ++h)
        for (int64_t i = 0; i < T; ++i) {
            double s = 0;
            for (int64_t j = 0; j < T; ++j) {
                double v = w[(h * T + i) * T + j];
                s += v;
                if (j > i) CHECK(v == 0.0);
            }
            CHECK(s == doctest::Approx(1.0).epsilon(1e-6));
        }
    // change the last token: logits of positions 0..T-2 must not move at all
    NoGradGuard ng;
    std::vector<float> a = m.forward(ids).to_vector<float>();
    std::vector<int32_t> changed = ids.to_vector<int32_t>();
    changed.back() = (changed.back() + 1) % 17;
    std::vector<float> b = m.forward(Tensor::from(changed, {1, T})).to_vector<float>();
    for (int64_t i = 0; i < (T - 1) * 17; ++i) CHECK(a[i] == b[i]);
}

TEST_CASE("nn: KV-cache logits equal full recomputation") {
    GPT m(small_gpt());
    m.eval();
    NoGradGuard ng;
    Tensor ids = random_ids(1, 9, 17, 3);
    std::vector<float> full = m.forward(ids).to_vector<float>();
    KVCache cache;
    std::vector<int32_t> v = ids.to_vector<int32_t>();
    // a prompt of 4, then one token at a time
    std::vector<float> got = m.forward_cached(Tensor::from(std::vector<int32_t>(v.begin(), v.begin() + 4), {1, 4}), cache).to_vector<float>();
    for (int64_t t = 4; t < 9; ++t) {
        auto step = m.forward_cached(Tensor::from(std::vector<int32_t>{v[t]}, {1, 1}), cache).to_vector<float>();
        got.insert(got.end(), step.begin(), step.end());
    }
    REQUIRE(got.size() == full.size());
    for (size_t i = 0; i < full.size(); ++i) CHECK(got[i] == doctest::Approx(full[i]).epsilon(1e-5));
}

TEST_CASE("nn: generation is deterministic for a seed and respects top-k") {
    GPT m(small_gpt());
    GenerateOptions o;
    o.max_new_tokens = 20;  // longer than block_size: exercises the context window slide
    o.seed = 7;
    auto a = m.generate({1, 2, 3}, o), b = m.generate({1, 2, 3}, o);
    CHECK(a == b);
    CHECK(a.size() == 23);
    o.seed = 8;
    CHECK(m.generate({1, 2, 3}, o) != a);
    // top_k = 1 is greedy
    std::vector<float> logits{0.1f, 2.0f, 0.5f};
    GenerateOptions k1;
    k1.top_k = 1;
    for (double u : {0.0, 0.5, 0.999}) CHECK(sample_token(logits, k1, u) == 1);
    GenerateOptions p;
    p.top_p = 0.5;  // token 1 alone holds > 50% of the mass
    for (double u : {0.0, 0.5, 0.999}) CHECK(sample_token(logits, p, u) == 1);
    CHECK_THROWS_WITH_AS(m.generate({}, o), "generate: the prompt is empty (give at least one token)", std::invalid_argument);
    CHECK_THROWS_WITH_AS(m.generate({99}, o), "generate: token id 99 is outside the vocabulary (0..16)", std::invalid_argument);
}

TEST_CASE("nn: a sequence longer than block_size is refused clearly") {
    GPT m(small_gpt());
    CHECK_THROWS_WITH_AS(m.forward(random_ids(1, 13, 17, 4)), "GPT: sequence of 13 tokens exceeds block_size 12", TensorError);
}

TEST_CASE("nn: BERT masking rates are 15% selected, then 80/10/10") {
    Tensor ids = random_ids(64, 256, 1000, 5);
    Generator g(11);
    const int32_t mask_id = 999;
    const std::vector<int32_t> special = {0, 1, 2};  // never selected
    MaskedBatch mb = mask_tokens(ids, mask_id, 1000, special, g);
    double n = 64.0 * 256.0;
    // ±1 point (selected: σ ≈ 0.3 points at this size; the shares of the ~2400 selected: σ < 1)
    CHECK(std::abs(mb.selected / n - 0.15) < 0.01);
    CHECK(std::abs(mb.masked / (double)mb.selected - 0.8) < 0.03);
    CHECK(std::abs(mb.randomized / (double)mb.selected - 0.1) < 0.025);
    CHECK(mb.selected == mb.masked + mb.randomized + mb.unchanged);
    // The outputs themselves, position by position, not only the counters.
    auto labels = mb.labels.to_vector<int32_t>();
    auto input = mb.input_ids.to_vector<int32_t>();
    auto orig = ids.to_vector<int32_t>();
    int64_t selected = 0, shown_mask = 0, shown_other = 0, specials = 0;
    for (size_t i = 0; i < labels.size(); ++i) {
        bool is_special = std::find(special.begin(), special.end(), orig[i]) != special.end();
        specials += is_special;
        if (labels[i] == -100) {
            CHECK(input[i] == orig[i]);  // not selected: untouched
            continue;
        }
        CHECK_FALSE(is_special);
        CHECK(labels[i] == orig[i]);  // the label is the original token
        CHECK(input[i] >= 0);
        CHECK(input[i] < 1000);
        selected++;
        shown_mask += input[i] == mask_id;
        shown_other += input[i] != mask_id && input[i] != orig[i];
    }
    CHECK(specials > 0);  // the special ids did occur, and none was selected
    CHECK(selected == mb.selected);
    // a random replacement may draw mask_id or the original token itself (p = 2/1000 each time)
    CHECK(shown_mask >= mb.masked);
    CHECK(shown_mask <= mb.masked + mb.randomized);
    CHECK(shown_other <= mb.randomized);
    CHECK(shown_other >= mb.randomized * 95 / 100);
}

TEST_CASE("nn: the encoder is bidirectional: changing the last token changes the first position") {
    EncoderConfig c;
    c.vocab_size = 30;
    c.max_len = 8;
    c.n_embd = 16;
    c.n_head = 2;
    Encoder e(c);
    NoGradGuard ng;
    Tensor ids = random_ids(1, 6, 30, 6);
    auto a = e.encode(ids).to_vector<float>();
    auto v = ids.to_vector<int32_t>();
    v.back() = (v.back() + 1) % 30;
    auto b = e.encode(Tensor::from(v, {1, 6})).to_vector<float>();
    CHECK(a[0] != b[0]);
    // padding: a padded key never influences real positions
    Tensor mask = Tensor::from(std::vector<int32_t>{1, 1, 1, 1, 1, 0}, {1, 6});
    auto pa = e.encode(ids, mask).to_vector<float>();
    auto pb = e.encode(Tensor::from(v, {1, 6}), mask).to_vector<float>();
    for (int i = 0; i < 5 * 16; ++i) CHECK(pa[i] == doctest::Approx(pb[i]).epsilon(1e-6));
    CHECK_THROWS_WITH_AS(e.encode(random_ids(1, 9, 30, 1)),
                         "Encoder: input of 9 tokens is longer than its 8 positions (max_len); BERT-style models cannot read past their position table",
                         TensorError);
    // no positions: named by the encoder, as by GPT (it was "softmax: needs a non-empty last axis")
    CHECK_THROWS_WITH_AS(e.encode(Tensor::from(std::vector<int32_t>{}, {2, 0})),
                         "Encoder: ids [2,0] hold no positions (T = 0)", TensorError);
    // a sequence that is all padding: named, not NaN (attention's softmax of only −inf)
    Tensor two = random_ids(2, 6, 30, 7);
    Tensor second_empty = Tensor::from(std::vector<int32_t>{1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, {2, 6});
    CHECK_THROWS_WITH_AS(e.encode(two, second_empty),
                         "Encoder: sequence 1 of the batch is all padding (its attention_mask has no 1), so it has "
                         "nothing to attend to",
                         TensorError);
}

// ---- learning: both model families can memorise one small batch ----------------------------

#include "nn/optim.h"
#include "nn/safetensors.h"

// AdamW (lr 1e-2, no decay) on one fixed batch for at most 300 steps, stopping once the
// loss is below 0.05; returns the last loss.
static double overfit(Module& model, const std::function<Tensor()>& loss_fn) {
    AdamWOptions o;
    o.lr = 1e-2;
    o.weight_decay = 0;
    AdamW opt(model.named_parameters(), o);
    double loss = 0;
    for (int step = 0; step < 300 && (step == 0 || loss >= 0.05); ++step) {
        Tensor l = loss_fn();
        opt.zero_grad();
        l.backward();
        opt.step();
        loss = l.item();
    }
    return loss;
}

TEST_CASE("nn: a GPT overfits a single small batch (loss < 0.05)") {
    GPTConfig c = small_gpt();
    GPT m(c);
    Tensor x = random_ids(2, 12, c.vocab_size, 21), y = random_ids(2, 12, c.vocab_size, 22);
    CHECK(overfit(m, [&] { return m.loss(x, y); }) < 0.05);
}

TEST_CASE("nn: an Encoder overfits a single masked batch (loss < 0.05)") {
    EncoderConfig c;
    c.vocab_size = 20;
    c.max_len = 10;
    c.n_layer = 2;
    c.n_head = 2;
    c.n_embd = 32;
    Encoder e(c);
    Tensor ids = random_ids(2, 10, 19, 31);
    Generator g(3);
    MaskedBatch mb = mask_tokens(ids, 19, 20, {}, g, 0.3);
    REQUIRE(mb.selected > 0);
    CHECK(overfit(e, [&] { return e.mlm_loss(mb.input_ids, mb.labels); }) < 0.05);
}

TEST_CASE("nn: a GPT saved and loaded gives bit-identical logits; tied weights stay tied") {
    GPTConfig c = small_gpt();
    c.tie_weights = true;
    GPT a(c, 1), b(c, 2);
    std::string path = "/tmp/aprender-test-gpt-roundtrip.safetensors";
    save_safetensors(path, a.state_dict(), c.to_metadata());
    Metadata meta = load_into(b, path);
    CHECK(GPTConfig::from_metadata(meta).tie_weights);
    Tensor ids = random_ids(1, 8, c.vocab_size, 5);
    NoGradGuard ng;
    CHECK(a.forward(ids).to_vector<float>() == b.forward(ids).to_vector<float>());
    CHECK(b.lm_head->weight.same(b.wte->weight));
}

TEST_CASE("nn: a checkpoint's config is read strictly and checked against its tensors before anything is built") {
    GPTConfig c = small_gpt();
    GPT a(c, 1);
    std::string path = "/tmp/aprender-test-gpt-config.safetensors";
    save_safetensors(path, a.state_dict(), c.to_metadata());
    Checkpoint good = load_safetensors(path);
    CHECK(GPTConfig::from_checkpoint(good).n_layer == c.n_layer);
    auto with = [&](const std::string& key, const std::string& value) {
        Checkpoint ck = good;
        ck.metadata[key] = value;
        return ck;
    };
    // more blocks than the file has numbers for: refused before 10^8 blocks are built
    CHECK_THROWS_WITH(GPTConfig::from_checkpoint(with("n_layer", "100000000")),
                      doctest::Contains("parameters but the file holds only"));
    // sizes whose product passes int64: counted in double and refused, not overflowed
    Checkpoint huge = with("n_embd", "4611686018427387904");
    huge.metadata.insert_or_assign("n_head", std::string(1, '1'));
    CHECK_THROWS_WITH(GPTConfig::from_checkpoint(huge), doctest::Contains("beyond any machine"));
    CHECK_THROWS_WITH(GPTConfig::from_checkpoint(with("dropout", "0.1xyz")),
                      doctest::Contains("'dropout' is not a number: '0.1xyz'"));
    CHECK_THROWS_WITH(GPTConfig::from_checkpoint(with("dropout", "nan")), doctest::Contains("dropout must be in [0, 1)"));
    CHECK_THROWS_WITH(GPTConfig::from_checkpoint(with("bias", "yes")), doctest::Contains("'bias' must be true or false"));
    CHECK_THROWS_WITH(GPTConfig::from_checkpoint(with("vocab_size", "")), doctest::Contains("'vocab_size' is not an integer"));

    EncoderConfig e;
    e.vocab_size = 20, e.max_len = 8, e.n_layer = 1, e.n_head = 2, e.n_embd = 16;
    Metadata em = e.to_metadata();
    em["vocab_size"] = "21abc";
    CHECK_THROWS_WITH(EncoderConfig::from_metadata(em), doctest::Contains("'vocab_size' is not an integer: '21abc'"));
    e.max_len = int64_t(1) << 61;
    CHECK_THROWS_WITH(e.validate(), doctest::Contains("Encoder config:"));
}

TEST_CASE("nn: tied weights that differ in a checkpoint are refused, not half loaded") {
    GPTConfig c = small_gpt();
    c.tie_weights = true;
    GPT a(c, 1), b(c, 2);
    NamedTensors sd = a.state_dict();
    for (auto& [name, t] : sd)
        if (name == "lm_head.weight") t = t.detach() + 1.0;  // a separate tensor now, holding other values
    CHECK_THROWS_WITH(b.load_state_dict(sd),
                      doctest::Contains("tied in the model but different in the checkpoint: wte.weight and lm_head.weight"));
    CHECK_NOTHROW(b.load_state_dict(a.state_dict()));  // the same bytes under both names load
}

TEST_CASE("nn: NaN or infinite weights are found by name") {
    NamedTensors ok = {{"w", Tensor::from(std::vector<float>{1, 2}, {2})}, {"ids", Tensor::from(std::vector<int32_t>{1}, {1})}};
    CHECK_FALSE(non_finite_tensor(ok).has_value());
    NamedTensors bad = ok;
    bad.push_back({"b", Tensor::from(std::vector<float>{0, std::nanf("")}, {2})});
    CHECK(non_finite_tensor(bad) == std::optional<std::string>("b"));
    bad.back().second = Tensor::from(std::vector<double>{INFINITY}, {1})  /* f64 */;
    CHECK(non_finite_tensor(bad) == std::optional<std::string>("b"));
}

TEST_CASE("nn: BERT masking selects at least one position, even in a tiny batch") {
    Tensor ids = random_ids(1, 4, 20, 3);
    Generator g(5);
    MaskedBatch mb = mask_tokens(ids, 19, 20, {}, g, 1e-9);  // a rate that draws nothing
    CHECK(mb.selected == 1);
    Generator g2(5);
    MaskedBatch all_special = mask_tokens(Tensor::from(std::vector<int32_t>{7, 7}, {1, 2}), 19, 20, {7}, g2);
    CHECK(all_special.selected == 0);  // nothing may be selected: nothing is
}

TEST_CASE("nn: a GPT given no positions says so") {
    GPT m(small_gpt(), 1);
    CHECK_THROWS_WITH_AS(m.forward(Tensor::zeros({1, 0}, DType::i32)), "GPT: ids [1,0] hold no positions (T = 0)", TensorError);
}

// README "Performance (CPU)": every parallel split depends on the shape alone (products by
// rows, columns or batch; reductions and layer norm's gw/gb by fixed blocks), so training
// gives the same bits with any number of threads. A model big enough that every split
// happens (B·T = 1024 rows, several layer-norm blocks), with dropout, 3 AdamW steps.
TEST_CASE("nn: GPT training gives the same bits with 1, 2, 3 and 5 threads") {
    GPTConfig c;
    c.vocab_size = 65;
    c.block_size = 128;
    c.n_layer = 2;
    c.n_head = 4;
    c.n_embd = 64;
    c.dropout = 0.1;
    Tensor x = random_ids(8, 128, c.vocab_size, 41), y = random_ids(8, 128, c.vocab_size, 42);
    auto train = [&] {
        GPT m(c, 7);
        AdamW opt(m.named_parameters(), {});
        std::vector<double> out;
        for (int step = 0; step < 3; ++step) {
            Tensor l = m.loss(x, y);
            opt.zero_grad();
            l.backward();
            opt.step();
            out.push_back(l.item());
        }
        for (auto& [name, p] : m.named_parameters())
            for (double v : p.to_double_vector()) out.push_back(v);
        return out;
    };
    int threads = num_threads();
    set_num_threads(1);
    std::vector<double> one = train();
    for (int n : {2, 3, 5}) {
        set_num_threads(n);
        std::vector<double> more = train();
        REQUIRE(more.size() == one.size());
        int64_t differ = 0;
        for (size_t i = 0; i < one.size(); ++i) differ += more[i] != one[i];
        CHECK_MESSAGE(differ == 0, n, " threads: ", differ, " of ", one.size(), " numbers differ from 1 thread's");
    }
    set_num_threads(threads);
}
