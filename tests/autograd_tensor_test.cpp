// Tensor basics: creation, views, printing, and the Philox generator.
#include "autograd/random.h"
#include "tests/test_util.h"

using namespace aprender;
using namespace aprender::testing;

TEST_CASE("autograd: creation shapes, including one-element tensors") {
    CHECK(Tensor::from({5.0f}).shape() == Shape{1});  // 1-D by default, even for one value
    CHECK(Tensor::from(std::vector<int32_t>{7}).shape() == Shape{1});
    CHECK(Tensor::arange(1).shape() == Shape{1});
    CHECK(Tensor::arange(4).to_double_vector() == std::vector<double>{0, 1, 2, 3});
    CHECK(Tensor::scalar(2.5).dim() == 0);
    CHECK(Tensor::scalar(2.5).item() == 2.5);
    CHECK(Tensor::from({1.0f, 2.0f, 3.0f, 4.0f}, {2, 2}).shape() == Shape{2, 2});
    CHECK(Tensor::zeros({2, 0}).numel() == 0);
    check_close(Tensor::full({2}, 3.5), {3.5, 3.5});
    check_close(Tensor::from({1.5f, -2.0f}).to(DType::f64).to(DType::i32), {1, -2});
}

TEST_CASE("autograd: views share storage and copy nothing") {
    Tensor a = Tensor::arange(6).reshape({2, 3});
    Tensor t = a.t();
    CHECK(t.shape() == Shape{3, 2});
    CHECK(t.strides() == Shape{1, 3});
    CHECK_FALSE(t.is_contiguous());
    check_close(t, {0, 3, 1, 4, 2, 5});
    Tensor s = a.slice(1, 1, 3);
    CHECK(s.offset() == 1);
    check_close(s, {1, 2, 4, 5});
    s.copy_from(Tensor::zeros({2, 2}));
    check_close(a, {0, 0, 0, 3, 0, 0});  // written through the view
    check_close(t.contiguous(), {0, 3, 0, 0, 0, 0});
    CHECK(t.contiguous().is_contiguous());
    CHECK(a.contiguous().same(a));
    check_close(Tensor::from({1.0f, 2.0f}).unsqueeze(0).expand({3, 2}), {1, 2, 1, 2, 1, 2});
}

TEST_CASE("autograd: clone copies any dtype, contiguous or not, and never shares storage") {
    // found by `make fuzz`: clone of a contiguous int32 tensor was mul(x, 1), refused for ids
    Tensor ids = Tensor::from(std::vector<int32_t>{3, 1, 2, 0}, {2, 2});
    for (const Tensor& x : {ids, ids.t(), Tensor::arange(4, DType::f64).reshape({2, 2}), Tensor::arange(4).reshape({2, 2})}) {
        Tensor c = x.clone();
        CHECK(c.dtype() == x.dtype());
        CHECK(c.shape() == x.shape());
        CHECK(c.is_contiguous());
        CHECK(c.raw_data() != x.raw_data());
        CHECK(c.to(DType::f64).to_vector<double>() == x.to(DType::f64).contiguous().to_vector<double>());
    }
}

TEST_CASE("autograd: printing with fmt shows values, shape and dtype") {
    std::string s = fmt::format("{}", Tensor::from({1.0f, 2.0f}));
    CHECK(s == "tensor([1.0000, 2.0000], shape=[2], dtype=float32)");
    CHECK(fmt::format("{}", Tensor::from(std::vector<int32_t>{3}, {1, 1})) == "tensor([[3]], shape=[1,1], dtype=int32)");
    CHECK(fmt::format("{}", Tensor::arange(10)).find("...") != std::string::npos);
}

TEST_CASE("autograd: Philox 4x32-10 matches the Random123 known answer") {
    // Random123's kat_vectors: philox4x32 10 rounds, counter 0, key 0
    philox::Words w = philox::philox4x32_10(0, 0);
    CHECK(w.v[0] == 0x6627e8d5u);
    CHECK(w.v[1] == 0xe169c58du);
    CHECK(w.v[2] == 0xbc57ac4cu);
    CHECK(w.v[3] == 0x9b00dbd8u);
}

TEST_CASE("autograd: Philox determinism and sane distributions") {
    Generator g1(42), g2(42), g3(43);
    std::vector<double> a = Tensor::uniform({1000}, -1, 2, g1).to_double_vector();
    CHECK(a == Tensor::uniform({1000}, -1, 2, g2).to_double_vector());  // same seed, same numbers
    CHECK(a != Tensor::uniform({1000}, -1, 2, g3).to_double_vector());  // other seed, other numbers
    CHECK(a != Tensor::uniform({1000}, -1, 2, g1).to_double_vector());  // the stream moves on
    for (double v : a) CHECK((v >= -1 && v < 2));
    // The numbers depend only on (seed, position): one draw of 8 equals two draws of 4.
    Generator h1(7), h2(7);
    std::vector<double> eight = Tensor::normal({8}, 0, 1, h1, DType::f64).to_double_vector();
    std::vector<double> four = Tensor::normal({4}, 0, 1, h2, DType::f64).to_double_vector();
    std::vector<double> more = Tensor::normal({4}, 0, 1, h2, DType::f64).to_double_vector();
    four.insert(four.end(), more.begin(), more.end());
    CHECK(eight == four);
    CHECK(h1.offset == 8);

    Generator g(2024);
    Tensor n = Tensor::normal({200000}, 0.0, 1.0, g, DType::f64);
    double m = mean(n).item(), sd = std::sqrt(var(n).item());
    CHECK(std::fabs(m) < 0.01);
    CHECK(std::fabs(sd - 1.0) < 0.01);
    Tensor n2 = Tensor::normal({100000}, 3.0, 0.5, g, DType::f64);
    // bounds of about 5 standard errors at n = 100000 (σ/√n for a mean, σ/√(2n) for a std,
    // √((1/80 - 1/144)/n) for the variance of U(0, 1))
    CHECK(std::fabs(mean(n2).item() - 3.0) < 0.008);
    CHECK(std::fabs(std::sqrt(var(n2).item()) - 0.5) < 0.006);
    Tensor u = Tensor::uniform({100000}, 0, 1, g, DType::f64);
    CHECK(std::fabs(mean(u).item() - 0.5) < 0.005);
    CHECK(std::fabs(var(u).item() - 1.0 / 12) < 0.0012);
}

TEST_CASE("tensor: a shape whose element count passes int64 is an error, not a wrapped number") {
    CHECK_THROWS_WITH_AS(shape_numel({int64_t(1) << 40, int64_t(1) << 40}),
                         doctest::Contains("more elements than an int64 can count"), TensorError);
    CHECK(shape_numel({int64_t(1) << 31, int64_t(1) << 31}) == int64_t(1) << 62);
    CHECK(shape_numel({0, int64_t(1) << 62, 4}) == 0);
}

TEST_CASE("tensor: Device::parse takes cpu, cuda and cuda:N, and nothing half-right") {
    CHECK(Device::parse("cpu") == Device::cpu());
    CHECK(Device::parse("cuda") == Device::cuda(0));
    CHECK(Device::parse("cuda:1") == Device::cuda(1));
    for (const char* bad : {"tpu", "cuda:", "cuda:1x", "cuda:-1", "cuda: 1", "cuda:99999999999", "CPU"})
        CHECK_THROWS_WITH_AS(Device::parse(bad), doctest::Contains("unknown device"), TensorError);
}
