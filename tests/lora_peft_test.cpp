// Adapters as files in PEFT's layout: exact round trip, the keys and JSON fields exactly
// as specified, and clear refusals (wrong base, wrong shapes, corrupt config).
#include "lora/adapters.h"
#include "lora/peft.h"
#include "lora/sha256.h"
#include "nn/gpt.h"
#include "process.h"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <unistd.h>

using namespace aprender;
namespace fs = std::filesystem;

namespace {

using TempDir = testing::TempDir;

nn::GPTConfig small_config() {
    nn::GPTConfig c;
    c.vocab_size = 23;
    c.block_size = 8;
    c.n_layer = 2;
    c.n_head = 2;
    c.n_embd = 16;
    return c;
}

Tensor ids_for(int64_t B, int64_t T, int64_t V, int64_t k = 7) {
    std::vector<int32_t> v;
    for (int64_t i = 0; i < B * T; ++i) v.push_back((int32_t)((i * k + 3) % V));
    return Tensor::from(v, {B, T});
}

// Give every B non-zero values, as training would.
void pretend_trained(nn::Module& m, uint64_t seed) {
    Generator g(seed);
    for (auto& [p, l] : lora::adapters(m)) l->B.copy_from(Tensor::normal(l->B.shape(), 0, 0.2, g));
}

std::string read_text(const std::string& path) {
    std::ifstream f(path);
    return std::string(std::istreambuf_iterator<char>(f), {});
}

}  // namespace

TEST_CASE("lora: sha256 matches the FIPS 180-4 test vectors") {
    CHECK(lora::sha256_hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    CHECK(lora::sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    CHECK(lora::sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq") ==
          "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    CHECK(lora::sha256_hex(std::string(1000000, 'a')) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST_CASE("lora: save -> load round trip is exact, keys and adapter_config.json fields as PEFT's") {
    TempDir tmp;
    nn::GPT m(small_config(), 11);
    std::string base_hash = lora::base_state_sha256(m);
    lora::Config c;
    c.r = 4;
    c.alpha = 8;
    c.dropout = 0.05;
    lora::apply(m, c);
    CHECK(lora::base_state_sha256(m) == base_hash);  // wrapping does not change the base
    pretend_trained(m, 3);
    lora::save_adapter(m, tmp / "tecnico", "base.safetensors");

    // keys and shapes
    nn::Checkpoint ck = nn::load_safetensors(tmp / "tecnico/adapter_model.safetensors");
    std::vector<std::string> keys;
    for (auto& [k, t] : ck.tensors) keys.push_back(k);
    CHECK(keys == std::vector<std::string>{
                      "base_model.model.h.0.attn.q_proj.lora_A.weight", "base_model.model.h.0.attn.q_proj.lora_B.weight",
                      "base_model.model.h.0.attn.v_proj.lora_A.weight", "base_model.model.h.0.attn.v_proj.lora_B.weight",
                      "base_model.model.h.1.attn.q_proj.lora_A.weight", "base_model.model.h.1.attn.q_proj.lora_B.weight",
                      "base_model.model.h.1.attn.v_proj.lora_A.weight", "base_model.model.h.1.attn.v_proj.lora_B.weight"});
    CHECK(ck.tensors[0].second.shape() == Shape{4, 16});
    CHECK(ck.tensors[1].second.shape() == Shape{16, 4});
    CHECK(ck.metadata.at("format") == "pt");
    // our own fields in the header, where PEFT does not look (it warns about unknown config fields)
    CHECK(ck.metadata.at("aprender_base_sha256") == base_hash);
    CHECK(ck.metadata.at("aprender_seed") == std::to_string(c.seed));

    // the config, field by field
    auto j = nlohmann::json::parse(read_text(tmp / "tecnico/adapter_config.json"));
    CHECK(j["peft_type"] == "LORA");
    CHECK(j["r"] == 4);
    CHECK(j["lora_alpha"] == 8);
    CHECK(j["lora_dropout"].get<double>() == doctest::Approx(0.05));
    CHECK(j["target_modules"] == nlohmann::json({"q_proj", "v_proj"}));
    CHECK(j["bias"] == "none");
    CHECK(j["use_rslora"] == false);
    CHECK(j["init_lora_weights"] == "gaussian");
    CHECK(j["base_model_name_or_path"] == "base.safetensors");
    CHECK(j["task_type"] == "CAUSAL_LM");
    CHECK_FALSE(j.contains("aprender_base_sha256"));
    CHECK_FALSE(j.contains("aprender_seed"));

    // load onto a fresh copy of the same base: same numbers, same outputs
    nn::GPT fresh(small_config(), 11);
    lora::Config back = lora::load_adapter(fresh, tmp / "tecnico", "tecnico");
    CHECK(back.r == 4);
    CHECK(back.alpha == 8);
    CHECK(back.targets == c.targets);
    auto a1 = lora::adapters(m), a2 = lora::adapters(fresh);
    REQUIRE(a1.size() == a2.size());
    for (size_t i = 0; i < a1.size(); ++i) {
        CHECK(a1[i].first == a2[i].first);
        CHECK(a1[i].second->A.to_vector<float>() == a2[i].second->A.to_vector<float>());
        CHECK(a1[i].second->B.to_vector<float>() == a2[i].second->B.to_vector<float>());
        CHECK(a1[i].second->scale == a2[i].second->scale);
        CHECK(a2[i].second->active_adapter() == "tecnico");
    }
    m.eval();
    fresh.eval();
    Tensor ids = ids_for(2, 8, 23);
    CHECK(m.forward(ids).to_vector<float>() == fresh.forward(ids).to_vector<float>());
    CHECK(fresh.num_parameters(true) == 4 * 4 * 32);  // only the loaded factors train
}

TEST_CASE("lora: loading onto the wrong base model fails clearly, and changes nothing") {
    TempDir tmp;
    nn::GPT m(small_config(), 11);
    lora::apply(m, lora::Config{});
    lora::save_adapter(m, tmp / "a", "base-11");

    nn::GPT other(small_config(), 12);  // same shapes, different weights
    try {
        lora::load_adapter(other, tmp / "a");
        FAIL("expected an error");
    } catch (const lora::AdapterFileError& e) {
        CHECK(std::string(e.what()).find("wrong base model for adapter") != std::string::npos);
        CHECK(std::string(e.what()).find("base-11") != std::string::npos);
    }
    CHECK(lora::adapters(other).empty());

    nn::GPTConfig wide = small_config();
    wide.n_embd = 32;
    nn::GPT w(wide, 11);
    try {
        lora::load_adapter(w, tmp / "a", "x", /*check_base=*/false);  // skip the hash: the shapes still catch it
        FAIL("expected an error");
    } catch (const lora::AdapterFileError& e) {
        CHECK(std::string(e.what()).find("but that layer maps 32 -> 32") != std::string::npos);
    }
    CHECK(lora::adapters(w).empty());
    CHECK_THROWS_WITH_AS(lora::load_adapter(m, tmp / "missing"), doctest::Contains("is not a directory"), lora::AdapterFileError);
}

TEST_CASE("lora: the base fingerprint — in the weights' metadata, in an older adapter's config, or missing") {
    TempDir tmp;
    nn::GPT m(small_config(), 11);
    lora::Config c;
    c.seed = 77;
    lora::apply(m, c);
    lora::save_adapter(m, tmp / "a");
    std::string cfg = tmp / "a/adapter_config.json", weights = tmp / "a/adapter_model.safetensors";
    nn::Checkpoint ck = nn::load_safetensors(weights);
    const std::string hash = ck.metadata.at("aprender_base_sha256");
    nn::GPT other(small_config(), 12);  // same shapes, another base

    // an adapter saved before the move: both fields in adapter_config.json, none in the header
    auto j = nlohmann::json::parse(read_text(cfg));
    j["aprender_base_sha256"] = hash;
    j["aprender_seed"] = 77;
    std::ofstream(cfg) << j.dump();
    nn::Metadata peft_only{{"format", "pt"}};
    nn::save_safetensors(weights, ck.tensors, peft_only);
    CHECK(lora::read_adapter(tmp / "a").base_sha256 == hash);
    CHECK(lora::read_adapter(tmp / "a").config.seed == 77);
    CHECK_THROWS_WITH(lora::load_adapter(other, tmp / "a"), doctest::Contains("wrong base model"));
    nn::GPT same(small_config(), 11);
    CHECK(lora::load_adapter(same, tmp / "a").seed == 77);

    // no fingerprint anywhere (an adapter from another tool): refused unless the check is skipped
    j.erase("aprender_base_sha256");
    std::ofstream(cfg) << j.dump();
    CHECK_THROWS_WITH(lora::load_adapter(other, tmp / "a"),
                      doctest::Contains("has no aprender_base_sha256 (in adapter_model.safetensors's metadata)"));
    nn::GPT third(small_config(), 12);
    CHECK_NOTHROW(lora::load_adapter(third, tmp / "a", "x", /*check_base=*/false));

    // a seed in the header that is not a number
    nn::save_safetensors(weights, ck.tensors, {{"format", "pt"}, {"aprender_seed", "seven"}});
    CHECK_THROWS_WITH_AS(lora::read_adapter(tmp / "a"), doctest::Contains("metadata aprender_seed must be a whole number, got 'seven'"),
                         lora::AdapterFileError);
}

TEST_CASE("lora: corrupt or inconsistent adapter files are refused naming the problem") {
    TempDir tmp;
    nn::GPT m(small_config(), 11);
    lora::Config c;
    c.r = 2;
    lora::apply(m, c);
    lora::save_adapter(m, tmp / "a");
    std::string cfg = tmp / "a/adapter_config.json";
    std::string good = read_text(cfg);
    auto rewrite = [&](const std::function<void(nlohmann::json&)>& f) {
        auto j = nlohmann::json::parse(good);
        f(j);
        std::ofstream(cfg) << j.dump();
    };
    nn::GPT fresh(small_config(), 11);
    rewrite([](auto& j) { j["r"] = 3; });
    CHECK_THROWS_WITH(lora::load_adapter(fresh, tmp / "a"), doctest::Contains("but r = 3 in adapter_config.json"));
    rewrite([](auto& j) { j["peft_type"] = "IA3"; });
    CHECK_THROWS_WITH(lora::load_adapter(fresh, tmp / "a"), doctest::Contains("only \"LORA\" adapters"));
    rewrite([](auto& j) { j.erase("lora_alpha"); });
    CHECK_THROWS_WITH(lora::load_adapter(fresh, tmp / "a"), doctest::Contains("missing field \"lora_alpha\""));
    rewrite([](auto& j) { j["bias"] = "some"; });
    CHECK_THROWS_WITH(lora::load_adapter(fresh, tmp / "a"), doctest::Contains("bias must be"));
    // a field of the wrong JSON type is named (nlohmann's own message would not say which)
    rewrite([](auto& j) { j["bias"] = 1; });
    CHECK_THROWS_WITH(lora::load_adapter(fresh, tmp / "a"), doctest::Contains("bias must be a string, got 1"));
    rewrite([](auto& j) { j["base_model_name_or_path"] = 5; });
    CHECK_THROWS_WITH(lora::load_adapter(fresh, tmp / "a"), doctest::Contains("base_model_name_or_path must be a string"));
    rewrite([](auto& j) { j["layers_to_transform"] = {"0"}; });
    CHECK_THROWS_WITH(lora::load_adapter(fresh, tmp / "a"), doctest::Contains("layers_to_transform must be"));
    rewrite([](auto& j) { j["fan_in_fan_out"] = "no"; });
    CHECK_THROWS_WITH(lora::load_adapter(fresh, tmp / "a"), doctest::Contains("fan_in_fan_out must be true or false"));
    // values that would make the layer's output NaN or inf
    rewrite([](auto& j) { j["lora_alpha"] = 1e308; });
    CHECK_THROWS_WITH(lora::load_adapter(fresh, tmp / "a"), doctest::Contains("lora_alpha must be a reasonable number"));
    rewrite([](auto& j) { j["lora_dropout"] = 2; });
    CHECK_THROWS_WITH(lora::load_adapter(fresh, tmp / "a"), doctest::Contains("lora_dropout must be in [0, 1), got 2"));
    rewrite([](auto& j) { j["lora_alpha"] = 0; });
    CHECK_THROWS_WITH(lora::load_adapter(fresh, tmp / "a"), doctest::Contains("lora_alpha is 0"));
    // a config that does not describe its weights (what `lora info` shows, what PEFT reads)
    rewrite([](auto& j) { j["target_modules"] = {"k_proj"}; });
    CHECK_THROWS_WITH(lora::read_adapter(tmp / "a"), doctest::Contains("which adapter_config.json's target_modules do not select"));
    rewrite([](auto& j) { j["target_modules"] = nlohmann::json::array(); });
    CHECK_THROWS_WITH(lora::read_adapter(tmp / "a"), doctest::Contains("target_modules is empty"));
    rewrite([](auto& j) { j["target_modules"] = "(["; });
    CHECK_THROWS_WITH(lora::read_adapter(tmp / "a"), doctest::Contains("target 're:([' is not a valid regular expression"));
    rewrite([](auto& j) { j["layers_to_transform"] = {5}; });
    CHECK_THROWS_WITH(lora::read_adapter(tmp / "a"), doctest::Contains("target_modules and layers_to_transform do not select"));
    rewrite([](auto& j) { j["target_modules"] = {"q_proj", "v_proj", "k_proj"}; });  // selects layers it has no factors for
    CHECK_THROWS_WITH(lora::load_adapter(fresh, tmp / "a"), doctest::Contains("holds no factors for it"));
    std::ofstream(cfg) << good;
    {
        std::string weights = tmp / "a/adapter_model.safetensors";
        nn::Checkpoint ck = nn::load_safetensors(weights);
        std::vector<float> v = ck.tensors[0].second.to_vector<float>();
        v[0] = std::nanf("");
        ck.tensors[0].second = Tensor::from(v, ck.tensors[0].second.shape());
        nn::save_safetensors(weights, ck.tensors, ck.metadata);
        CHECK_THROWS_WITH(lora::load_adapter(fresh, tmp / "a"), doctest::Contains("holds NaN or infinite values"));
    }
    CHECK(lora::adapters(fresh).empty());
    std::ofstream(cfg) << "{ not json";
    CHECK_THROWS_WITH(lora::load_adapter(fresh, tmp / "a"), doctest::Contains("not valid JSON"));
    std::ofstream(cfg) << good;
    std::ofstream(tmp / "a/adapter_model.safetensors", std::ios::trunc) << "garbage";
    CHECK_THROWS_AS(lora::load_adapter(fresh, tmp / "a"), nn::SafetensorsError);
    CHECK(lora::adapters(fresh).empty());
}

TEST_CASE("lora: bias = all saves the biases with the adapter, and they come back") {
    TempDir tmp;
    nn::GPT m(small_config(), 11);
    lora::Config c;
    c.bias = lora::BiasMode::all;
    lora::apply(m, c);
    {
        NoGradGuard ng;
        m.ln_f->bias.copy_from(Tensor::full({16}, 0.25));
    }
    pretend_trained(m, 4);
    lora::save_adapter(m, tmp / "b");
    nn::GPT fresh(small_config(), 11);
    lora::load_adapter(fresh, tmp / "b");  // the fingerprint leaves biases out, so this base matches
    CHECK(fresh.ln_f->bias.to_vector<float>() == std::vector<float>(16, 0.25f));
    m.eval();
    fresh.eval();
    Tensor ids = ids_for(1, 8, 23);
    CHECK(m.forward(ids).to_vector<float>() == fresh.forward(ids).to_vector<float>());
}
