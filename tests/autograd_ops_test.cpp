// The ops' float64 gradient checks (tests/gradcheck_cases.cpp, the list the GPU runs too)
// on the CPU, one test per family of autograd/ops.h; forward values by hand, the PyTorch
// conventions at kinks and ties, and what cuts the graph.
#include "autograd/parallel.h"
#include "tests/gradcheck_cases.h"
#include "tests/process.h"
#include "tests/test_util.h"

#include <atomic>
#include <regex>
#include <set>
#include <stdexcept>

using namespace aprender;
using namespace aprender::testing;

// ---- elementwise ---------------------------------------------------------------------------

TEST_CASE("ops: elementwise gradients: broadcasting, scalars, unary math, where, masked_fill") {
    check_grad_cases(elementwise_grad_cases(), Device::cpu());
}

TEST_CASE("ops: elementwise forward values by hand") {
    Tensor a = Tensor::from({1.0f, 2.0f, 3.0f}, {3, 1}), b = Tensor::from({10.0f, 20.0f}, {2});
    check_close(a + b, {11, 21, 12, 22, 13, 23});
    check_close(a - b, {-9, -19, -8, -18, -7, -17});
    check_close(a * b, {10, 20, 20, 40, 30, 60});
    check_close(b / a, {10, 20, 5, 10, 10.0 / 3, 20.0 / 3});
    check_close(maximum(a, Tensor::from({2.0f})), {2, 2, 3});
    Tensor x = Tensor::from({-2.0f, -0.5f, 0.0f, 1.0f, 4.0f});
    check_close(relu(x), {0, 0, 0, 1, 4});
    check_close(abs(x), {2, 0.5, 0, 1, 4});
    check_close(clamp(x, -1, 1), {-1, -0.5, 0, 1, 1});
    check_close(gelu(Tensor::from({1.0f, -1.0f, 0.0f})), {0.8411919906, -0.1588080094, 0.0});
    check_close(sigmoid(Tensor::from({0.0f})), {0.5});
    check_close(sqrt(Tensor::from({4.0f, 9.0f})), {2, 3});
    check_close(rsqrt(Tensor::from({4.0f})), {0.5});
    check_close(pow(Tensor::from({2.0f, 3.0f}), 3), {8, 27});
    check_close(eq(a, Tensor::from({2.0f})), {0, 1, 0});
    check_close(gt(a, Tensor::from({2.0f})), {0, 0, 1});
    check_close(lt(a, Tensor::from({2.0f})), {1, 0, 0});
}

TEST_CASE("ops: where and masked_fill forward") {
    Tensor x = Tensor::from({1.0f, 2.0f, 3.0f});
    check_close(masked_fill(x, Tensor::from({0.0f, 1.0f, 0.0f}), -1e9), {1, -1e9, 3});
    check_close(where(Tensor::from({1.0f, 0.0f, 1.0f}), x, Tensor::scalar(0)), {1, 0, 3});
}

// ---- reductions --------------------------------------------------------------------------------

TEST_CASE("ops: reductions gradients over axes, with and without keepdim, and sum_to") {
    check_grad_cases(reduction_grad_cases(), Device::cpu());
}

TEST_CASE("ops: comparisons, argmax and dtype casts cut the graph (no gradient flows through them)") {
    Tensor a = randn64({3, 4}, 21).requires_grad_(), b = randn64({3, 4}, 22).requires_grad_();
    for (const Tensor& cut : {eq(a, b), gt(a, b), lt(a, b), argmax(a), a.to(DType::f32)}) {
        CHECK_FALSE(cut.requires_grad());
        CHECK(cut.grad_fn() == nullptr);
    }
    // a mask made from x and used on x: the gradient is the mask's, through mul only
    Tensor x = Tensor::from(std::vector<double>{-1, 2, -3, 4}).requires_grad_();
    sum(mul(x, gt(x, Tensor::zeros({4}, DType::f64)))).backward();
    CHECK(x.grad().to_vector<double>() == std::vector<double>{0, 1, 0, 1});
}

// The promise "every differentiable op has a float64 gradient check" kept by a test: each
// op that autograd/ops.h declares (a line `Tensor name(` or `std::vector<Tensor> name(`) is
// called in tests/gradcheck_cases.cpp — the list both devices check — or is one of the
// ops the test above shows to cut the graph. A new op without a gradient case fails here.
TEST_CASE("ops: every op declared in autograd/ops.h has a gradient case (or is shown to cut the graph)") {
    const std::string header = ::testing::read_file("autograd/ops.h"), cases = ::testing::read_file("tests/gradcheck_cases.cpp");
    const std::regex declaration(R"(^(?:Tensor|std::vector<Tensor>) ([a-z_0-9]+)\()", std::regex::multiline);
    const std::set<std::string> cut_the_graph{"eq", "gt", "lt", "argmax"};
    std::set<std::string> ops;
    for (auto it = std::sregex_iterator(header.begin(), header.end(), declaration); it != std::sregex_iterator(); ++it)
        ops.insert((*it)[1]);
    CHECK(ops.size() > 40);  // the parse found the header's ops, not nothing
    for (const std::string& op : ops) {
        if (cut_the_graph.count(op)) continue;
        const bool called = std::regex_search(cases, std::regex("\\b" + op + "\\("));
        CHECK_MESSAGE(called, "autograd/ops.h declares ", op, " but tests/gradcheck_cases.cpp never calls it");
    }
}

TEST_CASE("ops: at kinks and ties the gradient follows PyTorch's conventions") {
    check_kinks_and_ties(Device::cpu());  // tests/gradcheck_cases.cpp: the GPU runs it too
}

TEST_CASE("ops: reductions forward values by hand") {
    Tensor x = Tensor::from({1.0f, 2.0f, 3.0f, 4.0f, 5.0f, 6.0f}, {2, 3});
    check_close(sum(x), {21});
    check_close(sum(x, {0}), {5, 7, 9});
    check_close(sum(x, {1}, true), {6, 15});
    CHECK(sum(x, {1}, true).shape() == Shape{2, 1});
    check_close(mean(x, {-1}), {2, 5});
    check_close(amax(x, {0}), {4, 5, 6});
    check_close(max(x, 1), {3, 6});
    check_close(var(Tensor::from({1.0f, 2.0f, 3.0f, 4.0f})), {5.0 / 3});
    check_close(var(Tensor::from({1.0f, 2.0f, 3.0f, 4.0f}), {}, false, 0), {1.25});
    check_close(argmax(x), {2, 2});
    CHECK(argmax(Tensor::from({1.0f, 5.0f, 2.0f})).dim() == 0);
    CHECK(argmax(Tensor::from({1.0f, 5.0f, 2.0f})).item() == 1);
    // amax: ties share the gradient equally
    Tensor t = Tensor::from({1.0f, 3.0f, 3.0f}).requires_grad_();
    amax(t).backward();
    check_close(t.grad(), {0, 0.5, 0.5});
}

// The CPU kernel splits reductions over the thread pool by the shape alone (see reduce_loop
// in autograd/cpu/reduce.cpp), so every thread count must give the very same bits: row
// sums, column sums, a full sum cut into blocks, a strided view, max, float64 and int32.
TEST_CASE("ops: reductions give the same bits with 1, 2 and 3 threads") {
    Generator gen(21);
    Tensor a = Tensor::normal({300, 1000}, 0, 1, gen);             // float32, 300k elements
    Tensor v = Tensor::normal({40, 30, 200}, 0, 1, gen).permute({2, 0, 1});  // not contiguous
    Tensor d = Tensor::normal({1 << 20}, 0, 1, gen, DType::f64);
    Tensor i = Tensor::uniform({500, 700}, -1000, 1000, gen).to(DType::i32);
    auto all = [&] {
        std::vector<std::vector<double>> r;
        for (const Tensor& t : {sum(a), sum(a, {-1}), sum(a, {0}), amax(a), amax(a, {1}), amax(a, {0}), sum(v),
                                sum(v, {0, 2}), sum(v, {1}), amax(v, {0, 2}), sum(d), amax(d), sum(i), sum(i, {0}),
                                amax(i, {1})})
            r.push_back(t.to_double_vector());
        return r;
    };
    int threads = num_threads();
    set_num_threads(1);
    auto one = all();
    for (int n : {2, 3}) {
        set_num_threads(n);
        CHECK(all() == one);
    }
    set_num_threads(threads);
    // and the numbers are right: a full float32 sum against a float64 one, int32 exactly
    check_close(Tensor::from(one[0]), {sum(a.to(DType::f64)).item()}, 1e-6);
    int64_t isum = 0;
    for (double x : i.to_double_vector()) isum += (int64_t)x;
    CHECK(one[12][0] == (double)isum);
}

// autograd/parallel.h: an exception thrown inside a chunk reaches the caller instead of
// ending the program, and it is the earliest chunk's, whatever the threads' timing.
TEST_CASE("parallel_for: a chunk's exception reaches the caller (the earliest one) and the pool goes on") {
    int threads = num_threads();
    for (int n : {1, 2, 3}) {
        set_num_threads(n);
        for (int trial = 0; trial < 20; ++trial) {
            std::atomic<int64_t> seen{0};
            auto loop = [&] {
                parallel_for(1000, 1, [&](int64_t begin, int64_t end) {
                    for (int64_t r = begin; r < end; ++r) {
                        if (r == 437 || r == 910) throw std::runtime_error(fmt::format("bad row {}", r));
                        seen.fetch_add(1);
                    }
                });
            };
            CHECK_THROWS_WITH_AS(loop(), "bad row 437", std::runtime_error);
            CHECK(seen.load() >= 437);  // every row before the first bad one ran
        }
        // a nested loop's exception travels through the outer chunk
        CHECK_THROWS_WITH_AS(parallel_for(64, 1,
                                          [&](int64_t, int64_t e) {
                                              parallel_for(8, 1, [&](int64_t ib, int64_t ie) {
                                                  if (e > 40 && ib <= 3 && 3 < ie) throw TensorError("inner");
                                              });
                                          }),
                             "inner", TensorError);
        // and the pool still works afterwards
        std::atomic<int64_t> total{0};
        parallel_for(10000, 1, [&](int64_t b, int64_t e) { total.fetch_add(e - b); });
        CHECK(total.load() == 10000);
    }
    set_num_threads(threads);
}

// ---- matmul ------------------------------------------------------------------------------------

TEST_CASE("ops: matmul gradients: 2-D, batched, broadcast, 1-D, non-contiguous, head views; linear") {
    check_grad_cases(matmul_grad_cases(), Device::cpu());
}

TEST_CASE("ops: matmul over attention's head views and crossed broadcasts (gemm batches the longest axis)") {
    // (B, T, nh·hs) seen as heads (B, nh, T, hs): two batch axes no single stride walks, so
    // gemm batches the longer one and loops over the other. Forward against the same
    // products on contiguous copies, matrix by matrix (the gradients: matmul_grad_cases).
    auto heads = [](const Tensor& x, int64_t nh) {
        int64_t B = x.shape()[0], T = x.shape()[1], C = x.shape()[2];
        return reshape(x, {B, T, nh, C / nh}).transpose(1, 2);
    };
    Tensor q1 = randn64({5, 4, 6}, 90), k1 = randn64({5, 4, 6}, 91);  // B 5 > nh 2
    Tensor s = matmul(heads(q1, 2), heads(k1, 2).transpose(-1, -2));
    Tensor s_ref = matmul(heads(q1, 2).contiguous(), heads(k1, 2).transpose(-1, -2).contiguous());
    check_close(s, s_ref.to_double_vector(), 1e-12);
    // crossed broadcasts: batch (6, 5) where a repeats along the second axis, b along the first
    Tensor a = randn64({6, 1, 3, 4}, 94), b = randn64({1, 5, 4, 2}, 95);
    Tensor c = matmul(a, b);
    CHECK(c.shape() == Shape{6, 5, 3, 2});
    for (int64_t i = 0; i < 6; ++i)
        for (int64_t j = 0; j < 5; ++j)
            check_close(c.select(0, i).select(0, j),
                        matmul(a.select(0, i).select(0, 0), b.select(0, 0).select(0, j)).to_double_vector(), 1e-12);
}

TEST_CASE("ops: matmul forward by hand, and against a transposed copy") {
    Tensor a = Tensor::from({1.0f, 2.0f, 3.0f, 4.0f}, {2, 2}), b = Tensor::from({5.0f, 6.0f, 7.0f, 8.0f}, {2, 2});
    check_close(matmul(a, b), {19, 22, 43, 50});
    check_close(matmul(a.t(), b), {26, 30, 38, 44});
    check_close(matmul(a, b.t()), {17, 23, 39, 53});
    check_close(matmul(Tensor::from({1.0f, 1.0f}), b), {12, 14});
    CHECK(matmul(Tensor::from({1.0f, 1.0f}), Tensor::from({2.0f, 3.0f})).dim() == 0);
    Tensor x = randn64({2, 3, 5}, 49), w = randn64({5, 4}, 50);
    check_close(matmul(x.transpose(0, 1), w), matmul(x.transpose(0, 1).contiguous(), w).to_double_vector(), 1e-12);
}

TEST_CASE("ops: linear with and without bias, forward") {
    Tensor x = randn64({2, 3, 4}, 51), w = randn64({5, 4}, 52), b = randn64({5}, 53);
    Tensor y = linear(x, w, b);
    CHECK(y.shape() == Shape{2, 3, 5});
    check_close(y, add(matmul(x, w.t()), b).to_double_vector(), 1e-12);
}

// ---- shape ops ----------------------------------------------------------------------------------

TEST_CASE("ops: view and shape op gradients (contiguous and not), concat, stack, split") {
    check_grad_cases(shape_grad_cases(), Device::cpu());
}

TEST_CASE("ops: split, concat and stack forward") {
    Tensor a = randn64({2, 3}, 70);
    auto parts = split(Tensor::arange(5), 2, 0);
    REQUIRE(parts.size() == 3);
    check_close(parts[2], {4});
    check_close(concat({Tensor::from({1.0f}), Tensor::from({2.0f, 3.0f})}, 0), {1, 2, 3});
    CHECK(stack({a, a, a}, 1).shape() == Shape{2, 3, 3});
}

// ---- neural-network ops ------------------------------------------------------------------------

TEST_CASE("ops: embedding, index_select, gather, softmax, cross_entropy, layer_norm, dropout gradients") {
    check_grad_cases(nn_grad_cases(), Device::cpu());
}

TEST_CASE("ops: embedding, index_select, gather forward by hand") {
    Tensor table = Tensor::from({0.0f, 1.0f, 10.0f, 11.0f, 20.0f, 21.0f}, {3, 2});
    check_close(embedding(Tensor::from(std::vector<int32_t>{2, 0}), table), {20, 21, 0, 1});
    check_close(gather(table, 1, Tensor::from(std::vector<int32_t>{1, 0, 1}, {3, 1})), {1, 10, 21});
    check_close(index_select(table, 0, Tensor::from(std::vector<int32_t>{1, 1})), {10, 11, 10, 11});
}

TEST_CASE("ops: softmax forward: hand values, rows sum to 1, causal mask, stable at 1e4") {
    check_close(softmax(Tensor::from({1.0f, 2.0f, 3.0f})), {0.09003057, 0.24472847, 0.66524096});
    Generator gen(5);
    Tensor s = softmax(Tensor::normal({4, 7}, 0, 3, gen));
    check_close(sum(s, {-1}), {1, 1, 1, 1});
    Tensor c = causal_softmax(Tensor::zeros({3, 3}));
    check_close(c, {1, 0, 0, 0.5, 0.5, 0, 1.0 / 3, 1.0 / 3, 1.0 / 3});
    Tensor big = Tensor::from({1e4f, 0.0f, -1e4f});
    Tensor ls = log_softmax(big);
    for (double v : ls.to_double_vector()) CHECK(std::isfinite(v));
    check_close(ls, {0, -1e4, -2e4});
    check_close(softmax(big), {1, 0, 0});
    // float32 keeps ~3 decimals at 1e4 (one ulp is 0.001), float64 all of them
    check_close(log_softmax(Tensor::from({1e4f, 1e4f})), {-std::log(2.0), -std::log(2.0)}, 1e-3);
    check_close(log_softmax(Tensor::from(std::vector<double>{1e4, 1e4})), {-std::log(2.0), -std::log(2.0)}, 1e-12);
}

TEST_CASE("ops: cross_entropy ignores its ignore index and equals -log softmax at the target") {
    Tensor targets = Tensor::from(std::vector<int32_t>{2, -100, 0, 4}, {2, 2});
    Tensor logits = randn64({2, 2, 5}, 103);
    double ce = cross_entropy(logits, targets).item();
    std::vector<double> ls = log_softmax(logits).to_double_vector();
    double expected = -(ls[0 * 5 + 2] + ls[2 * 5 + 0] + ls[3 * 5 + 4]) / 3.0;  // row 1 ignored
    CHECK(ce == doctest::Approx(expected).epsilon(1e-12));
    // stable with large logits too
    Tensor big = Tensor::from({1e4f, 0.0f, -1e4f}, {1, 3});
    CHECK(cross_entropy(big, Tensor::from(std::vector<int32_t>{1})).item() == doctest::Approx(1e4));
}

TEST_CASE("ops: layer_norm forward: mean 0, var 1") {
    Generator gen(6);
    Tensor y = layer_norm(Tensor::normal({4, 64}, 3.0, 5.0, gen), Tensor(), Tensor());
    for (double m : mean(y, {-1}).to_double_vector()) CHECK(std::fabs(m) < 1e-5);
    for (double v : var(y, {-1}, false, 0).to_double_vector()) CHECK(v == doctest::Approx(1.0).epsilon(1e-3));
    check_close(layer_norm(Tensor::from({1.0f, 3.0f}), Tensor::from({2.0f, 2.0f}), Tensor::from({1.0f, 1.0f}), 0.0),
                {-1, 3});
}

TEST_CASE("ops: dropout with a fixed generator: the same mask, p of the elements zeroed") {
    Generator g1(9), g2(9);
    Tensor ones = Tensor::ones({1000});
    std::vector<double> d1 = dropout(ones, 0.25, true, g1).to_double_vector();
    CHECK(d1 == dropout(ones, 0.25, true, g2).to_double_vector());  // same seed, same mask
    int zeros = 0;
    for (double v : d1) {
        CHECK((v == 0 || v == doctest::Approx(1 / 0.75)));
        zeros += v == 0;
    }
    CHECK(zeros > 200);
    CHECK(zeros < 300);
    CHECK(dropout(ones, 0.25, false, g1).same(ones));  // eval mode: identity
    CHECK(dropout(ones, 0.0, true, g1).same(ones));
}

// ---- graphs: reuse and diamonds --------------------------------------------------------------------

TEST_CASE("autograd: reused inputs and a diamond-shaped graph") {
    check_grad_cases(graph_grad_cases(), Device::cpu());
    Tensor t = Tensor::from({3.0f}).requires_grad_();
    (t * t).backward();
    check_close(t.grad(), {6});
}

// An op's output holds its backward node and the node holds what it saved: if a node saved
// the output itself (not a detached copy), the pair would keep each other alive and leak
// whenever no backward runs — an evaluation loop without NoGradGuard. amax(keepdim) did
// (found by `make fuzz` under LeakSanitizer). Every case of the gradient-check list, run
// forward only: once the output is dropped, its node must be gone.
TEST_CASE("ops: no op's output keeps itself alive through its backward node") {
    std::vector<GradCase> all;
    for (auto family : {elementwise_grad_cases, reduction_grad_cases, matmul_grad_cases, shape_grad_cases, nn_grad_cases,
                        graph_grad_cases})
        for (auto& c : family()) all.push_back(std::move(c));
    int checked = 0;
    for (const auto& c : all) {
        Inputs in;
        for (const Tensor& t : c.inputs) {
            Tensor copy = t.detach().clone();
            if (copy.dtype() == DType::f64) copy.requires_grad_();
            in.push_back(copy);
        }
        std::weak_ptr<Node> node;
        {
            Tensor out;
            try {
                out = c.f(in);
            } catch (const std::exception& e) {
                FAIL(c.name << ": " << e.what());
            }
            if (!out.grad_fn()) continue;
            node = out.grad_fn();
        }
        CHECK_MESSAGE(node.expired(), c.name);
        ++checked;
    }
    CHECK(checked > 100);
}

// Found by `make fuzz` (ASan): amax over a full axis of a tensor with an empty *kept* axis
// wrote outputs into a zero-byte buffer. Empty in, empty out; summing an empty axis gives 0s.
TEST_CASE("ops: reductions of empty tensors: empty kept axes give empty results, empty reduced axes give zeros") {
    for (DType dt : {DType::f32, DType::f64}) {
        Tensor x = Tensor::zeros({0, 5, 5}, dt);
        CHECK(amax(x, {1}).shape() == Shape{0, 5});
        CHECK(max(x, 2, true).shape() == Shape{0, 5, 1});
        CHECK(sum(x, {1, 2}).shape() == Shape{0});
        CHECK(mean(x, {2}).shape() == Shape{0, 5});
        CHECK(sum(Tensor::zeros({5, 0}, dt), {0}).shape() == Shape{0});
        CHECK(sum(Tensor::zeros({5, 0}, dt), {1}).to(DType::f64).to_vector<double>() == std::vector<double>(5, 0.0));
        CHECK(sum(Tensor::zeros({0}, dt)).item() == 0.0);
        CHECK_THROWS_WITH_AS(amax(Tensor::zeros({5, 0}, dt), {1}), "amax: reducing over an empty axis", TensorError);
        CHECK_THROWS_WITH_AS(mean(Tensor::zeros({5, 0}, dt), {1}), "mean: reducing over an empty axis", TensorError);
    }
}
