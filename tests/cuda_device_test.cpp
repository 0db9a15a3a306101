// The CUDA device itself: the clear error where there is none (runs everywhere), float64
// gradient checks computed on the GPU, index errors with the CPU's messages, Philox
// numbers equal to the CPU's, the caching allocator and the TF32 switch.
#include "cuda_util.h"
#include "gradcheck_cases.h"
#include "test_util.h"

#include "autograd/ops.h"

#if APRENDER_CUDA
#include "cuda/cuda.h"
#include "cuda/kernels.h"
#endif

#include <doctest/doctest.h>

#include <string>

using namespace aprender;
using namespace aprender::testing;

TEST_CASE("cuda: asking for the GPU where there is none is a clear error" * doctest::skip(!no_gpu())) {
    CHECK_FALSE(cuda_available());
    std::string expected = APRENDER_CUDA ? "device cuda: no CUDA GPU is visible to this process"
                                         : "device cuda: this build of aprender has no CUDA support (rebuild with nvcc on "
                                           "the PATH, or CUDA=1)";
    CHECK_THROWS_WITH_AS(Tensor::zeros({2}, DType::f32, Device::cuda()), expected.c_str(), TensorError);
    CHECK_THROWS_WITH_AS(Tensor::from({1.0f, 2.0f}).to(Device::cuda()), expected.c_str(), TensorError);
}

// The CPU's gradient checks (tests/gradcheck_cases.cpp), every case, computed on the GPU:
// gradcheck copies the inputs over with their layout, runs f and backward there and
// perturbs each element with the GPU's fill kernel. Same method, same tolerances
// (L = sum(f(x)·R), central differences with h = 1e-6 in float64). Every kernel family
// takes float64, so no op is missing; one test per family, as on the CPU.
TEST_CASE("cuda: float64 gradient checks on the GPU: elementwise" * doctest::skip(no_gpu())) {
    // a transposed input stays transposed on the device (else the GPU would never see one)
    Tensor xt = randn64({4, 3}, 1).t(), moved = detail::on_device(xt, gpu());
    CHECK(moved.device() == gpu());
    CHECK(moved.strides() == xt.strides());
    CHECK(moved.to_double_vector() == xt.to_double_vector());
    // and a wrong backward fails there as on the CPU (the perturbations reach the GPU's memory)
    GradcheckOptions on_gpu;
    on_gpu.device = gpu();
    CHECK_FALSE(gradcheck([](const Inputs& v) { return v[0] * v[0].detach(); }, {randn64({2, 3}, 1)}, on_gpu).ok);
    check_grad_cases(elementwise_grad_cases(), gpu());
}
TEST_CASE("cuda: float64 gradient checks on the GPU: reductions" * doctest::skip(no_gpu())) {
    check_grad_cases(reduction_grad_cases(), gpu());
}
TEST_CASE("cuda: float64 gradient checks on the GPU: matmul" * doctest::skip(no_gpu())) {
    check_grad_cases(matmul_grad_cases(), gpu());
}
TEST_CASE("cuda: float64 gradient checks on the GPU: shape ops" * doctest::skip(no_gpu())) {
    check_grad_cases(shape_grad_cases(), gpu());
}
TEST_CASE("cuda: float64 gradient checks on the GPU: neural-network ops" * doctest::skip(no_gpu())) {
    check_grad_cases(nn_grad_cases(), gpu());
}
TEST_CASE("cuda: float64 gradient checks on the GPU: reused inputs, a diamond" * doctest::skip(no_gpu())) {
    check_grad_cases(graph_grad_cases(), gpu());
}
TEST_CASE("cuda: at kinks and ties the GPU's gradient follows PyTorch's conventions, as the CPU's" *
          doctest::skip(no_gpu())) {
    check_kinks_and_ties(gpu());
}

namespace {
std::string message_of(const std::function<void()>& f) {
    try {
        f();
    } catch (const TensorError& e) {
        return e.what();
    }
    return "(no error)";
}
}  // namespace

TEST_CASE("cuda: out-of-range ids, targets and indices are errors with the CPU's messages" * doctest::skip(no_gpu())) {
    // On the GPU the check is read at the next synchronisation (here: copying the result
    // to the CPU), not at the launch: see "the index checks" in cuda/cuda_backend.cpp.
    auto on_cpu = [](const Tensor& t) { (void)t.to(Device::cpu()); };
    Tensor table = Tensor::zeros({5, 3});
    Tensor bad_ids = Tensor::from(std::vector<int32_t>{1, 7, 2, 9});
    std::string cpu = message_of([&] { embedding(bad_ids, table); });
    CHECK(cpu == "embedding: id 7 at position 1 is out of range for a table of 5 rows");
    CHECK(message_of([&] { on_cpu(embedding(bad_ids.to(gpu()), table.to(gpu()))); }) == cpu);

    Tensor logits = Tensor::zeros({3, 4});
    Tensor bad_t = Tensor::from(std::vector<int32_t>{0, -100, 4});
    cpu = message_of([&] { cross_entropy(logits, bad_t); });
    CHECK(cpu == "cross_entropy: target 4 at row 2 is out of range for 4 classes");
    CHECK(message_of([&] { on_cpu(cross_entropy(logits.to(gpu()), bad_t.to(gpu()))); }) == cpu);

    Tensor x = Tensor::zeros({2, 3});
    Tensor bad_i = Tensor::from(std::vector<int32_t>{0, 1, -1, 5}, {2, 2});
    cpu = message_of([&] { gather(x, 1, bad_i); });
    CHECK(cpu == "gather: index -1 is out of range for dimension 1 of size 3");
    CHECK(message_of([&] { on_cpu(gather(x.to(gpu()), 1, bad_i.to(gpu()))); }) == cpu);

    // the backward passes that run before the check is read skip the bad index (no stray
    // writes; compute-sanitizer would see one), and the error still surfaces
    Tensor w = Tensor::ones({5, 3}, DType::f32, gpu());
    w.requires_grad_();
    CHECK(message_of([&] {
              Tensor loss = sum(embedding(bad_ids.to(gpu()), w));
              loss.backward();
              on_cpu(w.grad());
          }) == "embedding: id 7 at position 1 is out of range for a table of 5 rows");

    // gather's backward with its saved index edited behind the version counter's back (a
    // raw backend copy, as data<>() would on the CPU): the CPU's message, no stray write
    Tensor xg = Tensor::ones({2, 3}, DType::f32, gpu());
    xg.requires_grad_();
    Tensor idx = Tensor::from(std::vector<int32_t>{0, 2}, {2, 1}).to(gpu());
    Tensor picked = gather(xg, 1, idx);
    Tensor edit = Tensor::from(std::vector<int32_t>{100000000, 2}, {2, 1}).to(gpu());
    backend(gpu()).copy({edit.raw_data(), {2, 1}, {1, 1}}, DType::i32, {idx.raw_data(), {2, 1}, {1, 1}}, DType::i32);
    CHECK(message_of([&] {
              sum(picked).backward();
              on_cpu(xg.grad());
          }) == "gather backward: index 100000000 is outside 0..2 (was the index tensor changed after the forward pass?)");

    // more checks than the 64 words kept: the first bad one is still the one reported
    Tensor good = Tensor::from(std::vector<int32_t>{0, 4}).to(gpu()), table_gpu = table.to(gpu());
    CHECK(message_of([&] {
              for (int k = 0; k < 100; ++k) (void)embedding(k == 70 ? bad_ids.to(gpu()) : good, table_gpu);
              backend(gpu()).synchronize();
          }) == "embedding: id 7 at position 1 is out of range for a table of 5 rows");
    CHECK(message_of([&] { backend(gpu()).synchronize(); }) == "(no error)");  // reported once, then forgotten

    // after an error the device is still usable
    CHECK(sum(Tensor::ones({4}, DType::f32, gpu())).item() == 4.0);
    CHECK_THROWS_WITH_AS(Tensor::zeros({2}, DType::f32, Device::cuda(1)),
                         "device cuda:1: aprender drives one GPU, cuda:0 (pick another with CUDA_VISIBLE_DEVICES)",
                         TensorError);
}

TEST_CASE("cuda: Philox gives the same numbers on the GPU as on the CPU" * doctest::skip(no_gpu())) {
    for (DType dt : {DType::f32, DType::f64}) {
        Generator gc(2024), gg(2024);
        // an odd size and a second draw: offsets that do not start a Philox block at 0
        Tensor uc = Tensor::uniform({1001}, -3, 5, gc, dt), ug = Tensor::uniform({1001}, -3, 5, gg, dt, gpu());
        check_close(uc, ug, 0, std::string("uniform ") + dtype_name(dt));  // bit for bit
        Tensor nc = Tensor::normal({77, 13}, 1, 2, gc, dt), ng = Tensor::normal({77, 13}, 1, 2, gg, dt, gpu());
        // CUDA's log/sin/cos may differ from glibc's in the last bits (CUDA documents 1 ulp for
        // log, 2 for sin/cos): a few float64 ulps of z, and, after rounding, at most one float32
        // ulp. In float64, 1 + 2z cancels near z = -0.5, where a 1-ulp change of z (2.2e-16) is
        // ~3e-15 of the tolerance floor (1% of max |value| = 0.07): at 1e-15, 33 of these 1001
        // elements fail for a single ulp; 1e-13 allows ~10 ulps of z.
        check_close(nc, ng, dt == DType::f32 ? 1.2e-7 : 1e-13, std::string("normal ") + dtype_name(dt));
        CHECK(gc.offset == gg.offset);
    }
}

#if APRENDER_CUDA
// Host code only, so it runs wherever CUDA is compiled in, GPU or not.
TEST_CASE("cuda: kernel layouts drop size-1 axes and merge contiguous ones, as the CPU's nd_loop") {
    Shape s{2, 1, 3, 4}, dense = contiguous_strides(s);
    auto L = cuda::make_layout<1>(s, {&dense}, "test");
    CHECK(L.rank == 1);
    CHECK(L.numel == 24);
    CHECK(L.size[0] == 24);
    CHECK(L.stride[0][0] == 1);
    // a transposed operand next to a dense one: nothing merges
    Shape t{3, 2}, tr{1, 3}, out = contiguous_strides(t);
    auto T = cuda::make_layout<2>(t, {&tr, &out}, "test");
    CHECK(T.rank == 2);
    CHECK((T.stride[0][0] == 1 && T.stride[0][1] == 3 && T.stride[1][0] == 2 && T.stride[1][1] == 1));
    // broadcasting a [1, 5] row over [4, 5]: the row's stride 0 keeps the axes apart
    Shape b{4, 5}, row{0, 1}, full = contiguous_strides(b);
    auto B = cuda::make_layout<2>(b, {&row, &full}, "test");
    CHECK(B.rank == 2);
    CHECK(B.stride[0][0] == 0);
    // an empty shape is a scalar: rank 0, one element
    Shape none{};
    CHECK(cuda::make_layout<1>(none, {&none}, "test").numel == 1);
    // nine axes that cannot merge: a clear error instead of a wrong answer
    Shape nine(9, 2), odd(9, 0);
    for (int d = 0; d < 9; ++d) odd[d] = int64_t(1) << (2 * (8 - d));  // strides 4^k: never contiguous
    CHECK_THROWS_WITH_AS(cuda::make_layout<1>(nine, {&odd}, "copy"),
                         "copy: the CUDA backend handles at most 8 non-mergeable axes, got 9", TensorError);
}

TEST_CASE("cuda: the caching allocator reuses blocks and empties on request" * doctest::skip(no_real_gpu())) {
    { Tensor warm = Tensor::empty({1000}, DType::f32, gpu()); }
    cuda::MemoryStats before = cuda::memory_stats();
    for (int i = 0; i < 10; ++i) Tensor t = Tensor::empty({1000}, DType::f32, gpu());  // the same size class every time
    cuda::MemoryStats after = cuda::memory_stats();
    CHECK(after.cuda_malloc_calls == before.cuda_malloc_calls);
    CHECK(after.cache_hits >= before.cache_hits + 10);
    CHECK(after.cached_bytes > 0);
    cuda::empty_cache();
    CHECK(cuda::memory_stats().cached_bytes == 0);
    MESSAGE(cuda::memory_report());
}

TEST_CASE("cuda: TF32 is off by default and can be switched on" * doctest::skip(no_real_gpu())) {
    CHECK_FALSE(cuda::allow_tf32());
    Generator g(3);
    Tensor a = Tensor::normal({256, 256}, 0, 1, g), b = Tensor::normal({256, 256}, 0, 1, g);
    Tensor ref = matmul(a, b);
    cuda::set_allow_tf32(true);
    Tensor fast = matmul(a.to(gpu()), b.to(gpu()));
    cuda::set_allow_tf32(false);
    // TF32 rounds each input to a 10-bit mantissa (relative error up to 2^-11), so a sum of
    // 256 products of N(0, 1) numbers is off by ~6e-3 absolute, whatever its value: near-zero
    // outputs then exceed 1e-2 of (|value| + 1% of the largest |value|) by 2x (simulated on
    // these very inputs: worst |diff|/tol = 2.3 at 1e-2, 0.45 at 5e-2). A wrong kernel is off by O(1).
    check_close(ref, fast, 5e-2, "matmul with TF32 (10-bit mantissa products)");
    check_close(ref, matmul(a.to(gpu()), b.to(gpu())), 1e-4, "matmul with TF32 off again");
}
#endif

// A tensor left on the CPU beside GPU ones is the commonest device mistake. A real GPU cannot
// read host memory (the kernel faults with an "illegal memory access", reported later and
// elsewhere), so every op with two float inputs must refuse with a message naming both
// devices; and integer indices — token ids, gather indices, targets — are moved to the data
// they index, so `model.forward(tokenizer_ids)` works on a model on the GPU.
TEST_CASE("cuda: an input left on the CPU is an error naming both devices; indices follow the data" *
          doctest::skip(no_gpu())) {
    Tensor a = randn64({3, 4}, 1).to(DType::f32), b = randn64({3, 4}, 2).to(DType::f32);
    Tensor w = randn64({4, 4}, 3).to(DType::f32), ln = Tensor::ones({4});
    Tensor ga = a.to(gpu()), gb = b.to(gpu()), gw = w.to(gpu());
    Tensor cond = gt(a, b);
    auto refuses = [](const std::string& what, const std::function<Tensor()>& f) {
        INFO(what);
        CHECK_THROWS_WITH_AS(f(), doctest::Contains("different devices"), TensorError);
    };
    refuses("add", [&] { return add(ga, b); });
    refuses("mul", [&] { return mul(a, gb); });
    refuses("maximum", [&] { return maximum(ga, b); });
    refuses("where (condition)", [&] { return where(cond, ga, gb); });
    refuses("where (branch)", [&] { return where(cond.to(gpu()), ga, b); });
    refuses("masked_fill", [&] { return masked_fill(ga, cond, 0.0); });
    refuses("eq", [&] { return eq(ga, b); });
    refuses("matmul", [&] { return matmul(ga, w); });
    refuses("linear (weight)", [&] { return linear(ga, w); });
    refuses("linear (bias)", [&] { return linear(ga, gw, Tensor::zeros({4})); });
    refuses("layer_norm (weight)", [&] { return layer_norm(ga, ln, ln.to(gpu())); });
    refuses("layer_norm (bias)", [&] { return layer_norm(ga, ln.to(gpu()), ln); });
    refuses("concat", [&] { return concat({ga, b}, 0); });
    refuses("stack", [&] { return stack({a, gb}, 0); });

    // indices on the CPU, data on the GPU: same numbers as all on the CPU
    Tensor ids = Tensor::from(std::vector<int32_t>{2, 0, 1, 2}, {2, 2});
    CHECK(embedding(ids, gw).device() == gpu());
    check_close(embedding(ids, w), embedding(ids, gw).to(Device::cpu()), 0, "embedding, ids on the CPU");
    Tensor idx = Tensor::from(std::vector<int32_t>{3, 0, 1, 1, 2, 0, 0, 3, 2, 1, 1, 0}, {3, 4});
    check_close(gather(a, 1, idx), gather(ga, 1, idx).to(Device::cpu()), 0, "gather, index on the CPU");
    Tensor pick = Tensor::from(std::vector<int32_t>{3, 1});
    check_close(index_select(a, 1, pick), index_select(ga, 1, pick).to(Device::cpu()), 0, "index_select");
    Tensor targets = Tensor::from(std::vector<int32_t>{1, 3, 0});
    check_close(cross_entropy(a, targets), cross_entropy(ga, targets).to(Device::cpu()), 1e-6, "cross_entropy");
}
