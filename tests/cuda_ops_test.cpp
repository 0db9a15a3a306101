// CPU vs CUDA, op by op: every op of autograd/ops.h, forward and backward, on random
// float32 inputs (relative error ≤ 1e-5 elementwise, ≤ 1e-4 after reductions and
// matrix products). Skipped (and counted as skipped) without a GPU.
#include "cuda_util.h"

#include "autograd/ops.h"

#include <doctest/doctest.h>

using namespace aprender;
using namespace aprender::testing;

namespace {

Tensor randn32(const Shape& s, uint64_t seed) {
    Generator g(seed);
    return Tensor::normal(s, 0, 1, g);
}
Tensor positive32(const Shape& s, uint64_t seed) {  // in [0.5, 2): for log, sqrt, pow, div
    Generator g(seed);
    return Tensor::uniform(s, 0.5, 2.0, g);
}
Tensor ids32(const Shape& s, int32_t n, uint64_t seed) {
    Generator g(seed);
    std::vector<int32_t> v;
    for (float u : Tensor::uniform(s, 0, n, g).to_vector<float>()) v.push_back(std::min<int32_t>((int32_t)u, n - 1));
    return Tensor::from(v, s);
}
constexpr double kElem = 1e-5, kReduce = 1e-4;

}  // namespace

TEST_CASE("cuda: binary ops with broadcasting match the CPU" * doctest::skip(no_gpu())) {
    Tensor a = randn32({3, 1, 5}, 1), b = randn32({4, 5}, 2), p = positive32({4, 5}, 3);
    // gradients of broadcast operands go through sum_to: a reduction, hence kReduce
    check_parity("add", [](auto& v) { return v[0] + v[1]; }, {a, b}, kElem, kReduce);
    check_parity("sub", [](auto& v) { return v[0] - v[1]; }, {a, b}, kElem, kReduce);
    check_parity("mul", [](auto& v) { return v[0] * v[1]; }, {a, b}, kElem, kReduce);
    check_parity("div", [](auto& v) { return v[0] / v[1]; }, {a, p}, kElem, kReduce);
    check_parity("maximum", [](auto& v) { return maximum(v[0], v[1]); }, {a, b}, kElem, kReduce);
    // a non-contiguous operand (a transposed view) and a scalar-shaped one
    Tensor m = randn32({6, 4}, 4), s = randn32({}, 5);
    check_parity("transposed + scalar", [](auto& v) { return v[0].t() * v[1]; }, {m, s}, kElem, kReduce);
    check_parity("comparisons", [](auto& v) { return eq(v[0], v[0]) + gt(v[0], v[1]) - lt(v[0], v[1]); }, {a, b});
}

TEST_CASE("cuda: unary ops match the CPU" * doctest::skip(no_gpu())) {
    Tensor x = randn32({7, 33}, 6), p = positive32({7, 33}, 7);
    check_parity("add scalar", [](auto& v) { return add(v[0], 2.5); }, {x});
    check_parity("mul scalar", [](auto& v) { return mul(v[0], -1.5); }, {x});
    check_parity("neg", [](auto& v) { return neg(v[0]); }, {x});
    check_parity("pow", [](auto& v) { return pow(v[0], 1.7); }, {p});
    check_parity("exp", [](auto& v) { return exp(v[0]); }, {x});
    check_parity("log", [](auto& v) { return log(v[0]); }, {p});
    check_parity("sqrt", [](auto& v) { return sqrt(v[0]); }, {p});
    check_parity("rsqrt", [](auto& v) { return rsqrt(v[0]); }, {p});
    check_parity("abs", [](auto& v) { return abs(v[0]); }, {x});
    check_parity("tanh", [](auto& v) { return tanh(v[0]); }, {x});
    check_parity("sigmoid", [](auto& v) { return sigmoid(v[0]); }, {x});
    check_parity("relu", [](auto& v) { return relu(v[0]); }, {x});
    check_parity("gelu", [](auto& v) { return gelu(v[0]); }, {x});
    check_parity("clamp", [](auto& v) { return clamp(v[0], -0.5, 0.5); }, {x});
    check_parity("unary on a strided view", [](auto& v) { return exp(narrow(v[0].t(), 1, 2, 4)); }, {x});
}

TEST_CASE("cuda: where, masked_fill and dtype casts match the CPU" * doctest::skip(no_gpu())) {
    Tensor a = randn32({4, 6}, 8), b = randn32({1, 6}, 9);
    check_parity("where", [](auto& v) { return where(gt(v[0], v[1]), v[0], v[1]); }, {a, b}, kElem, kReduce);
    check_parity("masked_fill", [](auto& v) { return masked_fill(v[0], lt(v[0], v[1]), -7.0); }, {a, b});
    Tensor ids = ids32({4, 6}, 3, 10);
    check_parity("where with an int32 condition", [](auto& v) { return where(v[1], v[0], -v[0]); }, {a, ids});
    // casts: f32 -> f64 -> i32 -> f32 through strided copies
    Tensor g = a.to(gpu());
    check_close(a.to(DType::f64).t().contiguous(), g.to(DType::f64).t().contiguous(), 0, "cast to f64, transposed copy");
    check_close(mul(a, 10.0).to(DType::i32), mul(g, 10.0).to(DType::i32), 0, "cast to i32");
    // out of int32's range and NaN: the CPU saturates as the GPU's conversion does
    Tensor edges = Tensor::from({NAN, INFINITY, -INFINITY, 1e30f, -1e30f, 2.9f, -2.9f});
    check_close(edges.to(DType::i32), edges.to(gpu()).to(DType::i32), 0, "cast to i32 at the edges");
    check_close(edges.to(DType::f64).to(DType::i32), edges.to(DType::f64).to(gpu()).to(DType::i32), 0,
                "cast f64 to i32 at the edges");
}

TEST_CASE("cuda: reductions match the CPU" * doctest::skip(no_gpu())) {
    Tensor x = randn32({5, 6, 7}, 11);
    check_parity("sum all", [](auto& v) { return sum(v[0]); }, {x}, kReduce, kElem);
    check_parity("sum axis 0", [](auto& v) { return sum(v[0], {0}); }, {x}, kReduce, kElem);
    check_parity("sum axis 1 keepdim", [](auto& v) { return sum(v[0], {1}, true); }, {x}, kReduce, kElem);
    check_parity("sum axis -1", [](auto& v) { return sum(v[0], {-1}); }, {x}, kReduce, kElem);
    check_parity("sum axes 0,2", [](auto& v) { return sum(v[0], {0, 2}); }, {x}, kReduce, kElem);
    check_parity("sum of a permuted view", [](auto& v) { return sum(v[0].permute({2, 0, 1}), {1}); }, {x}, kReduce, kElem);
    check_parity("mean", [](auto& v) { return mean(v[0], {1}); }, {x}, kReduce, kElem);
    check_parity("amax all", [](auto& v) { return amax(v[0]); }, {x}, kReduce, kElem);
    check_parity("max axis 1", [](auto& v) { return max(v[0], 1); }, {x}, kReduce, kElem);
    check_parity("amax axis 0", [](auto& v) { return amax(v[0], {0}); }, {x}, kReduce, kElem);
    check_parity("var", [](auto& v) { return var(v[0], {2}); }, {x}, kReduce, kReduce);
    check_close(argmax(x), argmax(x.to(gpu())), 0, "argmax");
    // a long reduction that the kernel splits across blocks (atomics), both layouts
    Tensor big = randn32({300, 2000}, 12);
    check_parity("sum of 600k elements", [](auto& v) { return sum(v[0]); }, {big}, kReduce, kElem);
    check_parity("column sums (bias gradient layout)", [](auto& v) { return sum(v[0], {0}); }, {big}, kReduce, kElem);
    check_parity("row sums", [](auto& v) { return sum(v[0], {1}); }, {big}, kReduce, kElem);
    Tensor i = ids32({1000}, 50, 13);
    check_close(sum(i), sum(i.to(gpu())), 0, "int32 sum");
}

TEST_CASE("cuda: shape ops match the CPU" * doctest::skip(no_gpu())) {
    Tensor x = randn32({4, 5, 6}, 14), y = randn32({4, 2, 6}, 15);
    check_parity("reshape of a permute", [](auto& v) { return reshape(v[0].permute({2, 0, 1}), {6, 20}); }, {x});
    check_parity("narrow/transpose/contiguous", [](auto& v) { return narrow(v[0], 1, 1, 3).transpose(0, 2).contiguous(); }, {x});
    check_parity("unsqueeze/squeeze", [](auto& v) { return squeeze(unsqueeze(v[0], 1), 1) * 2.0; }, {x});
    check_parity("expand", [](auto& v) { return expand(narrow(v[0], 1, 0, 1), {4, 3, 6}) * 1.0; }, {x}, kElem, kReduce);
    check_parity("concat", [](auto& v) { return concat({v[0], v[1]}, 1); }, {x, y});
    check_parity("stack", [](auto& v) { return stack({v[0], v[0] * 2.0}, 0); }, {y});
    check_parity("split", [](auto& v) { return split(v[0], 2, 1)[1] * 3.0; }, {x});
}

TEST_CASE("cuda: matrix products (cuBLAS) match the CPU" * doctest::skip(no_gpu())) {
    check_parity("2-D", [](auto& v) { return matmul(v[0], v[1]); }, {randn32({17, 33}, 16), randn32({33, 9}, 17)}, kReduce,
                 kReduce);
    check_parity("transposed operands", [](auto& v) { return matmul(v[0].t(), v[1].t()); },
                 {randn32({33, 17}, 18), randn32({9, 33}, 19)}, kReduce, kReduce);
    check_parity("batched, broadcast B", [](auto& v) { return matmul(v[0], v[1]); },
                 {randn32({4, 17, 33}, 20), randn32({33, 9}, 21)}, kReduce, kReduce);
    check_parity("4-D attention shape", [](auto& v) { return matmul(v[0], v[1].transpose(-2, -1)); },
                 {randn32({2, 3, 8, 16}, 22), randn32({2, 3, 8, 16}, 23)}, kReduce, kReduce);
    check_parity("matrix @ vector", [](auto& v) { return matmul(v[0], v[1]); }, {randn32({7, 5}, 24), randn32({5}, 25)},
                 kReduce, kReduce);
    check_parity("linear", [](auto& v) { return linear(v[0], v[1], v[2]); },
                 {randn32({2, 5, 32}, 26), randn32({48, 32}, 27), randn32({48}, 28)}, kReduce, kReduce);
    // the bias a slice 4 bytes into its buffer: not 16-byte aligned, so not cuBLASLt's
    // epilogue but a copy into the rows first (as the CPU does, and float64 always)
    check_parity("linear, a misaligned bias", [](auto& v) { return linear(v[0], v[1], narrow(v[2], 0, 1, 48)); },
                 {randn32({2, 5, 32}, 26), randn32({48, 32}, 27), randn32({49}, 28)}, kReduce, kReduce);
    check_parity("linear without a bias", [](auto& v) { return linear(v[0], v[1], Tensor()); },
                 {randn32({2, 5, 32}, 26), randn32({48, 32}, 27)}, kReduce, kReduce);
    // a product big enough for cuBLAS to pick a tiled, split-k kernel
    check_parity("256x512x384", [](auto& v) { return matmul(v[0], v[1]); }, {randn32({256, 512}, 29), randn32({512, 384}, 30)},
                 kReduce, kReduce);
}

TEST_CASE("cuda: softmax, layer_norm, cross_entropy, embedding, gather, dropout match the CPU" * doctest::skip(no_gpu())) {
    Tensor s = randn32({2, 3, 7, 7}, 31);
    check_parity("softmax", [](auto& v) { return softmax(v[0]); }, {s}, kReduce, kReduce);
    check_parity("log_softmax", [](auto& v) { return log_softmax(v[0]); }, {s}, kReduce, kReduce);
    check_parity("causal_softmax", [](auto& v) { return causal_softmax(v[0]); }, {s}, kReduce, kReduce);
    check_parity("softmax of a long row", [](auto& v) { return softmax(v[0]); }, {randn32({3, 5000}, 32)}, kReduce, kReduce);
    Tensor ln_x = randn32({6, 40}, 33), w = randn32({40}, 34), b = randn32({40}, 35);
    check_parity("layer_norm", [](auto& v) { return layer_norm(v[0], v[1], v[2]); }, {ln_x, w, b}, kReduce, kReduce);
    check_parity("layer_norm, many rows", [](auto& v) { return layer_norm(v[0], v[1], v[2]); },
                 {randn32({700, 40}, 36), w, b}, kReduce, kReduce);
    Tensor logits = randn32({12, 11}, 37);
    std::vector<int32_t> t{0, 3, 10, -100, 5, 5, 1, 2, -100, 9, 7, 4};
    check_parity("cross_entropy with ignore_index", [](auto& v) { return cross_entropy(v[0], v[1]); },
                 {logits, Tensor::from(t, {12})}, kReduce, kReduce);
    Tensor table = randn32({10, 8}, 38), ids = ids32({3, 5}, 10, 39);  // repeated ids: atomics in the backward
    check_parity("embedding", [](auto& v) { return embedding(v[1], v[0]); }, {table, ids}, kElem, kReduce);
    check_parity("index_select", [](auto& v) { return index_select(v[0], 0, v[1]); }, {table, Tensor::from(std::vector<int32_t>{3, 3, 0, 9})},
                 kElem, kReduce);
    check_parity("gather", [](auto& v) { return gather(v[0], 1, v[1]); }, {table, ids32({10, 4}, 8, 40)}, kElem, kReduce);
    // dropout: the mask comes from Philox, so the same generator gives the same mask
    Tensor x = randn32({50, 40}, 41);
    check_parity("dropout", [](auto& v) {
        Generator g(5);
        return dropout(v[0], 0.3, true, g);
    }, {x});
}
