// Tests for nn/safetensors: bit-exact round trips, the byte layout, every corrupt case,
// and that a failed save never destroys the previous checkpoint.
#include "nn/layers.h"
#include "nn/safetensors.h"
#include "process.h"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <csignal>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace aprender;
using namespace aprender::nn;
namespace fs = std::filesystem;

namespace {

using TempDir = testing::TempDir;

std::string read_bytes(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}
// A file built by hand: 8-byte length, header text, data bytes.
std::string make_file(const std::string& header, const std::string& data) {
    uint64_t n = header.size();
    std::string out(8, '\0');
    std::memcpy(out.data(), &n, 8);
    return out + header + data;
}
std::string error_of(const std::string& bytes) {
    try {
        parse_safetensors(bytes, "bad.safetensors");
    } catch (const SafetensorsError& e) {
        return e.what();
    }
    return "(no error)";
}
bool same_bits(const Tensor& a, const Tensor& b) {
    if (a.dtype() != b.dtype() || a.shape() != b.shape()) return false;
    Tensor ca = a.contiguous(), cb = b.contiguous();
    return std::memcmp(ca.raw_data(), cb.raw_data(), ca.numel() * dtype_size(ca.dtype())) == 0;
}

}  // namespace

TEST_CASE("nn: safetensors round trip is bit-exact for f32, f64, i32, scalars and empty tensors") {
    TempDir tmp;
    Generator gen(7);
    Tensor a = Tensor::normal({3, 5}, 0, 1, gen);
    a.data<float>()[0] = -0.0f;                              // signed zero survives
    a.data<float>()[1] = std::numeric_limits<float>::denorm_min();
    Tensor b = Tensor::normal({2, 2, 2}, 0, 1e10, gen, DType::f64);
    Tensor c = Tensor::from(std::vector<int32_t>{INT32_MIN, -1, 0, INT32_MAX});
    Tensor s = Tensor::scalar(3.25);
    Tensor e = Tensor::empty({0, 4});
    Tensor v = Tensor::normal({4, 6}, 0, 1, gen).t();  // a non-contiguous view
    NamedTensors in = {{"a", a}, {"b", b}, {"c", c}, {"scalar", s}, {"empty", e}, {"view", v}};
    save_safetensors(tmp / "x.safetensors", in, {{"config", R"({"n_layer": 2})"}, {"note", "olá"}});
    Checkpoint ck = load_safetensors(tmp / "x.safetensors");
    REQUIRE(ck.tensors.size() == in.size());
    for (size_t i = 0; i < in.size(); ++i) {
        CHECK(ck.tensors[i].first == in[i].first);
        CHECK(same_bits(ck.tensors[i].second, in[i].second));
    }
    CHECK(ck.tensors[3].second.shape() == Shape{});
    CHECK(ck.metadata.at("config") == R"({"n_layer": 2})");
    CHECK(ck.metadata.at("note") == "olá");
    CHECK(!fs::exists(tmp / "x.safetensors.tmp"));
}

TEST_CASE("nn: safetensors header layout, byte by byte") {
    TempDir tmp;
    Tensor w = Tensor::from({1.0f, 2.0f, 3.0f, 4.0f, 5.0f, 6.0f}, {2, 3});
    Tensor ids = Tensor::from(std::vector<int32_t>{7, 8});
    save_safetensors(tmp / "l.safetensors", {{"w", w}, {"ids", ids}}, {{"k", "v"}});
    std::string bytes = read_bytes(tmp / "l.safetensors");
    // first 8 bytes: N, little-endian
    uint64_t n = 0;
    for (int i = 7; i >= 0; --i) n = n * 256 + (unsigned char)bytes[i];
    CHECK((8 + n) % 8 == 0);                       // data section is 8-byte aligned
    CHECK(bytes.size() == 8 + n + 6 * 4 + 2 * 4);  // header + 24 + 8 data bytes
    std::string header = bytes.substr(8, n);
    CHECK(header.front() == '{');
    auto last = header.find_last_not_of(' ');
    CHECK(header[last] == '}');                    // padding is spaces only
    auto j = nlohmann::json::parse(header);
    CHECK(j["__metadata__"]["k"] == "v");
    CHECK(j["w"]["dtype"] == "F32");
    CHECK(j["w"]["shape"] == nlohmann::json::array({2, 3}));
    CHECK(j["w"]["data_offsets"] == nlohmann::json::array({0, 24}));
    CHECK(j["ids"]["dtype"] == "I32");
    CHECK(j["ids"]["data_offsets"] == nlohmann::json::array({24, 32}));
    // raw little-endian data: 1.0f is 00 00 80 3f; 7 is 07 00 00 00
    CHECK(bytes.substr(8 + n, 4) == std::string("\x00\x00\x80\x3f", 4));
    CHECK(bytes.substr(8 + n + 24, 4) == std::string("\x07\x00\x00\x00", 4));
}

TEST_CASE("nn: safetensors reads F16, BF16 and I64 by conversion, and rejects duplicate names") {
    // 1.0 in half is 0x3c00, -2.5 is 0xc100, smallest subnormal 0x0001 = 2^-24; bf16 1.5 is 0x3fc0
    std::string data = std::string("\x00\x3c\x00\xc1\x01\x00", 6) + std::string("\xc0\x3f", 2) +
                       std::string("\xff\xff\xff\xff\xff\xff\xff\xff", 8);
    std::string h = R"({"h":{"dtype":"F16","shape":[3],"data_offsets":[0,6]},)"
                    R"("b":{"dtype":"BF16","shape":[1],"data_offsets":[6,8]},)"
                    R"("i":{"dtype":"I64","shape":[],"data_offsets":[8,16]}})";
    Checkpoint ck = parse_safetensors(make_file(h, data), "conv");
    CHECK(ck.tensors[0].second.to_vector<float>() == std::vector<float>{1.0f, -2.5f, std::ldexp(1.0f, -24)});
    CHECK(ck.tensors[1].second.item() == 1.5);
    CHECK(ck.tensors[2].second.dtype() == DType::i32);
    CHECK(ck.tensors[2].second.item() == -1);
    std::string dup = R"({"a":{"dtype":"F32","shape":[],"data_offsets":[0,4]},"a":{"dtype":"F32","shape":[],"data_offsets":[0,4]}})";
    CHECK(error_of(make_file(dup, "abcd")).find("'a' appears twice") != std::string::npos);
}

TEST_CASE("nn: safetensors corrupt files give clear errors") {
    std::string good_h = R"({"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})";
    std::string good = make_file(good_h, std::string(8, '\0'));
    REQUIRE(parse_safetensors(good, "good").tensors.size() == 1);
    auto err = [](const std::string& h, const std::string& d) { return error_of(make_file(h, d)); };

    SUBCASE("truncated") {
        CHECK(error_of(good.substr(0, 5)).find("too short (5 bytes)") != std::string::npos);
        // cut inside the data: the header's offsets now run past the end
        std::string e = error_of(good.substr(0, good.size() - 3));
        CHECK(e.find("tensor 'w'") != std::string::npos);
        CHECK(e.find("out of range") != std::string::npos);
        CHECK(e.find("bad.safetensors") != std::string::npos);
    }
    SUBCASE("header length larger than the file") {
        std::string b = good;
        b[0] = (char)0xff;  // N = 255 + ...
        b[1] = (char)0x7f;
        CHECK(error_of(b).find("only") != std::string::npos);
        CHECK(error_of(b).find("truncated or is not a safetensors file") != std::string::npos);
    }
    SUBCASE("bad JSON") {
        CHECK(err(R"({"w":{"dtype":"F32",)", "").find("not valid JSON") != std::string::npos);
        CHECK(err(R"([1,2])", "").find("must be a JSON object") != std::string::npos);
        // A number past double's range: nlohmann throws out_of_range, not parse_error (found by
        // tests/fuzz/stored_model.cpp, an offset mutated into 888e1144).
        CHECK(err(R"({"w":{"dtype":"F32","shape":[2],"data_offsets":[0,888e1144]}})", std::string(8, '\0')) ==
              "safetensors file 'bad.safetensors': the header is not valid JSON: number overflow parsing '888e1144'");
    }
    SUBCASE("offsets out of range") {
        std::string e = err(R"({"w":{"dtype":"F32","shape":[2],"data_offsets":[8,16]}})", std::string(8, '\0'));
        CHECK(e.find("tensor 'w': data_offsets [8, 16] are out of range") != std::string::npos);
    }
    SUBCASE("overlapping offsets") {
        std::string e = err(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
                            R"("b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})",
                            std::string(8, '\0'));
        CHECK(e.find("tensors 'a' (bytes [0, 8)) and 'b' (bytes [4, 8)) overlap") != std::string::npos);
    }
    SUBCASE("holes and trailing bytes") {
        CHECK(err(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})", std::string(8, '\0'))
                  .find("bytes [0, 4) of the data section belong to no tensor") != std::string::npos);
        CHECK(err(good_h, std::string(12, '\0')).find("4 trailing bytes") != std::string::npos);
    }
    SUBCASE("wrong dtype string") {
        CHECK(err(R"({"w":{"dtype":"float32","shape":[2],"data_offsets":[0,8]}})", std::string(8, '\0'))
                  .find("tensor 'w': unknown dtype 'float32'") != std::string::npos);
        CHECK(err(R"({"w":{"dtype":"U8","shape":[8],"data_offsets":[0,8]}})", std::string(8, '\0'))
                  .find("cannot be loaded by aprender") != std::string::npos);
    }
    SUBCASE("shape does not match the byte count") {
        CHECK(err(R"({"w":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}})", std::string(8, '\0'))
                  .find("shape [3] of dtype F32 needs 12 bytes, but data_offsets [0, 8] hold 8") != std::string::npos);
        CHECK(err(R"({"w":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}})", std::string(8, '\0'))
                  .find("non-negative") != std::string::npos);
    }
    SUBCASE("malformed entries and metadata") {
        CHECK(err(R"({"w":{"dtype":"F32","shape":[2]}})", "").find("no \"data_offsets\"") != std::string::npos);
        CHECK(err(R"({"__metadata__":{"n":3}})", "").find("'n' is a number") != std::string::npos);
    }
    SUBCASE("a missing file") {
        CHECK_THROWS_WITH_AS(load_safetensors("/nonexistent/x.safetensors"),
                             doctest::Contains("cannot open safetensors file '/nonexistent/x.safetensors'"),
                             SafetensorsError);
        CHECK_THROWS_WITH_AS(load_safetensors(fs::temp_directory_path().string()), doctest::Contains("it is a directory"),
                             SafetensorsError);
    }
}

namespace {
struct TwoLayer : Module {
    std::shared_ptr<Linear> fc1, fc2;
    TwoLayer(int64_t hidden, Generator& gen) {
        register_module("fc1", fc1 = std::make_shared<Linear>(4, hidden, true, gen));
        register_module("fc2", fc2 = std::make_shared<Linear>(hidden, 2, false, gen));
    }
};
}  // namespace

TEST_CASE("nn: safetensors load_into a module checks names and shapes") {
    TempDir tmp;
    Generator g1(1), g2(2);
    auto a = std::make_shared<TwoLayer>(8, g1);
    auto b = std::make_shared<TwoLayer>(8, g2);
    save_safetensors(tmp / "m.safetensors", a->state_dict(), {{"hidden", "8"}});
    Metadata meta = load_into(*b, tmp / "m.safetensors");
    CHECK(meta.at("hidden") == "8");
    CHECK(same_bits(a->fc1->weight, b->fc1->weight));
    CHECK(same_bits(a->fc2->weight, b->fc2->weight));

    auto wider = std::make_shared<TwoLayer>(16, g2);  // wrong shape vs the model
    try {
        load_into(*wider, tmp / "m.safetensors");
        FAIL("expected an error");
    } catch (const SafetensorsError& e) {
        std::string m = e.what();
        CHECK(m.find("m.safetensors") != std::string::npos);
        CHECK(m.find("fc1.weight (checkpoint [8,4] float32, model [16,4] float32)") != std::string::npos);
    }
}

TEST_CASE("nn: safetensors writes tied weights under both names") {
    TempDir tmp;
    Tensor w = Tensor::from({1.0f, 2.0f});
    save_safetensors(tmp / "t.safetensors", {{"wte.weight", w}, {"lm_head.weight", w}});
    Checkpoint ck = load_safetensors(tmp / "t.safetensors");
    REQUIRE(ck.tensors.size() == 2);
    CHECK(ck.tensors[1].first == "lm_head.weight");
    CHECK(same_bits(ck.tensors[0].second, ck.tensors[1].second));
    CHECK_THROWS_WITH(save_safetensors(tmp / "d.safetensors", {{"a", w}, {"a", w}}), doctest::Contains("'a' appears twice"));
}

TEST_CASE("nn: a failed safetensors save leaves the old checkpoint intact") {
    TempDir tmp;
    const std::string path = tmp / "ckpt.safetensors";
    save_safetensors(path, {{"w", Tensor::ones({4})}});
    const std::string before = read_bytes(path);

    SUBCASE("an error before writing: undefined tensor") {
        CHECK_THROWS_AS(save_safetensors(path, {{"w", Tensor()}}), SafetensorsError);
    }
    SUBCASE("the temporary file cannot be created") {
        fs::create_directory(path + ".tmp");  // works even for root, unlike a read-only dir
        CHECK_THROWS_WITH(save_safetensors(path, {{"w", Tensor::zeros({4})}}), doctest::Contains("cannot create"));
        fs::remove(path + ".tmp");
    }
    SUBCASE("the disk fills up in the middle of the data") {
        // RLIMIT_FSIZE makes write() fail with EFBIG past 4096 bytes: a real I/O error
        // halfway through the tensors (SIGXFSZ is ignored so that we see the error).
        auto old_handler = std::signal(SIGXFSZ, SIG_IGN);
        rlimit old{};
        getrlimit(RLIMIT_FSIZE, &old);
        rlimit small = old;
        small.rlim_cur = 4096;
        setrlimit(RLIMIT_FSIZE, &small);
        std::string msg;
        try {
            save_safetensors(path, {{"w", Tensor::zeros({4})}, {"big", Tensor::zeros({10000})}});
        } catch (const SafetensorsError& e) {
            msg = e.what();
        }
        setrlimit(RLIMIT_FSIZE, &old);
        std::signal(SIGXFSZ, old_handler);
        CHECK(msg.find("failed") != std::string::npos);
    }
    CHECK(read_bytes(path) == before);
    CHECK(!fs::exists(path + ".tmp"));
    CHECK(load_safetensors(path).tensors[0].second.to_vector<float>() == std::vector<float>(4, 1.0f));
}

TEST_CASE("nn: saving never replaces a device or a pipe by a file") {
    // A save renames its new file over the path: over /dev/null (as root) that replaced the
    // device itself. A FIFO stands in for it here: it must still be a FIFO afterwards.
    TempDir tmp;
    const std::string pipe = tmp / "a_pipe";
    REQUIRE(mkfifo(pipe.c_str(), 0600) == 0);
    CHECK_THROWS_WITH(save_safetensors(pipe, {{"w", Tensor::ones({4})}}), doctest::Contains("not a regular file"));
    CHECK(fs::is_fifo(pipe));
    CHECK(!fs::exists(pipe + ".tmp"));
}

TEST_CASE("nn: safetensors survives every truncation and single-byte corruption") {
    TempDir tmp;
    save_safetensors(tmp / "f.safetensors",
                     {{"a", Tensor::from({1.0f, 2.0f, 3.0f})}, {"b", Tensor::from(std::vector<int32_t>{4, 5})}},
                     {{"m", "x"}});
    const std::string good = read_bytes(tmp / "f.safetensors");
    // Every proper prefix is an error (never a crash, never a silently shorter tensor).
    for (size_t len = 0; len < good.size(); ++len) CHECK_THROWS_AS(parse_safetensors(good.substr(0, len), "cut"), SafetensorsError);
    // Any single changed byte either still parses or gives a SafetensorsError — nothing else.
    int errors = 0;
    for (size_t i = 0; i < good.size(); ++i)
        for (unsigned char v : {0x00, 0x22, 0x2c, 0x39, 0x5d, 0x7b, 0xff}) {
            std::string bad = good;
            bad[i] = (char)v;
            try {
                parse_safetensors(bad, "flip");
            } catch (const SafetensorsError&) {
                ++errors;
            }
        }
    CHECK(errors > 0);
}

TEST_CASE("nn: read_safetensors_header gives metadata and shapes, and refuses what load_safetensors refuses") {
    TempDir tmp;
    const std::string path = tmp / "h.safetensors";
    save_safetensors(path, {{"w", Tensor::ones({2, 3})}, {"ids", Tensor::from(std::vector<int32_t>{1, 2})}},
                     {{"model", "gpt"}, {"seed", "42"}});
    SafetensorsHeader h = read_safetensors_header(path);
    CHECK(h.metadata == Metadata{{"model", "gpt"}, {"seed", "42"}});
    REQUIRE(h.tensors.size() == 2);
    CHECK(h.tensors[0].name == "w");
    CHECK(h.tensors[0].dtype == "F32");
    CHECK(h.tensors[0].shape == Shape{2, 3});
    CHECK(h.tensors[1].name == "ids");
    CHECK(h.tensors[1].dtype == "I32");
    CHECK(h.tensors[1].begin == 24);
    CHECK(h.tensors[1].end == 32);

    // Each broken file gets the very error the full loader gives it.
    const std::string good = read_bytes(path);
    auto both = [&](const std::string& bytes) {
        const std::string bad = tmp / "bad.safetensors";
        std::ofstream(bad, std::ios::binary) << bytes;
        std::string full = "(no error)", header = "(no error)";
        try {
            load_safetensors(bad);
        } catch (const SafetensorsError& e) {
            full = e.what();
        }
        try {
            read_safetensors_header(bad);
        } catch (const SafetensorsError& e) {
            header = e.what();
        }
        CHECK(header == full);
        return header;
    };
    CHECK(both(good.substr(0, 5)).find("the file is too short (5 bytes)") != std::string::npos);
    CHECK(both(good.substr(0, 20)).find("truncated or is not a safetensors file") != std::string::npos);
    CHECK(both(good.substr(0, good.size() - 4)).find("is the file truncated?") != std::string::npos);
    CHECK(both(make_file("{\"a\": 1,", "")).find("the header is not valid JSON") != std::string::npos);
    CHECK(both(make_file("[1, 2]", "")).find("the header must be a JSON object, not array") != std::string::npos);
    CHECK(both("just some text, not a checkpoint at all").find("not a safetensors file") != std::string::npos);
    std::string huge = good;
    const uint64_t n = uint64_t(1) << 62;
    std::memcpy(huge.data(), &n, 8);
    CHECK(both(huge).find("the header length says 4611686018427387904 bytes") != std::string::npos);

    // A length past the 100 MB limit in a file that long (sparse: no bytes are written) is
    // refused before the header is read, as the full loader refuses it before parsing.
    const std::string big = tmp / "big.safetensors";
    {
        std::ofstream f(big, std::ios::binary);
        const uint64_t len = 150'000'000;
        f.write(reinterpret_cast<const char*>(&len), 8);
    }
    fs::resize_file(big, 200'000'000);
    CHECK_THROWS_WITH_AS(read_safetensors_header(big), doctest::Contains("larger than the 100 MB limit"),
                         SafetensorsError);
    CHECK_THROWS_WITH_AS(read_safetensors_header(tmp / "none.safetensors"), doctest::Contains("cannot open"),
                         SafetensorsError);
    CHECK_THROWS_WITH_AS(read_safetensors_header(tmp.dir.string()), doctest::Contains("it is a directory"),
                         SafetensorsError);
}
