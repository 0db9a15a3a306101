// Fuzz target: the autograd API called the way a student's code calls it — with any
// shapes, dims, dtypes and indices, right or wrong.
//
// The input is a small program. A pool holds a few tensors (f32, f64 and int32 ids, some
// asking for gradients); each instruction is an opcode byte followed by its arguments
// (pool slots, dims in [-4, 4], sizes mostly 0..5 and sometimes negative or huge), and
// its result joins the pool. Checks:
//   - every call either works or throws one of our errors (TensorError, invalid_argument)
//     with a message — a wrong shape, dim or index must never crash or read out of bounds;
//   - a result's shape has no negative size;
//   - backward through any result succeeds, and every gradient has its input's shape,
//     dtype and device (the one broadcast-reducing helper, sum_to, is what keeps this true).
// Sizes are capped so that each input runs in milliseconds: shapes the target asks for
// are kept under 2^16 elements, and larger results (a legal expand, say) leave the pool.
#include "tests/fuzz/fuzz.h"

#include "autograd/grad_mode.h"
#include "autograd/ops.h"

#include <algorithm>
#include <cstdint>
#include <vector>

using namespace aprender;

namespace {

constexpr int64_t kMaxNumel = 1 << 16;

// Reads the program's bytes; past the end every read is 0, so any input is a program.
struct Reader {
    const std::string& bytes;
    size_t at = 0;
    uint8_t byte() { return at < bytes.size() ? uint8_t(bytes[at++]) : 0; }
    bool done() const { return at >= bytes.size(); }
    int64_t dim() { return int64_t(byte() % 9) - 4; }  // -4 … 4
    // A size: mostly small, sometimes 0, negative or far too large (those must be refused).
    int64_t size() {
        uint8_t b = byte();
        if (b < 240) return b % 6;
        if (b < 248) return -1 - (b % 3);
        static const int64_t huge[] = {int64_t(1) << 20, int64_t(1) << 31, int64_t(1) << 32, int64_t(1) << 40,
                                       int64_t(1) << 62, INT64_MAX, INT64_MIN, -(int64_t(1) << 40)};
        return huge[b % 8];
    }
    Shape shape() {
        Shape s(byte() % 5);
        for (auto& d : s) d = size();
        return s;
    }
    std::vector<int64_t> dims() {
        std::vector<int64_t> d(byte() % 4);
        for (auto& x : d) x = dim();
        return d;
    }
    double value() {
        static const double values[] = {0.0, 1.0, -1.0, 0.5, 2.0, -3.0, 1e-8, 1e30, -1e30, 1e300};
        return values[byte() % std::size(values)];
    }
    DType dtype() { return DType(byte() % 3); }
};

bool small(const Shape& s) {
    double n = 1;
    for (int64_t d : s) {
        if (d < 0) return true;  // the op must refuse it; nothing is allocated
        n *= double(d);
    }
    return n <= kMaxNumel;
}

struct Program {
    Reader in;
    std::vector<Tensor> pool;
    Generator gen{7};

    // FUZZ_TRACE=1 prints each instruction and its tensors (to read a crash's program).
    const bool trace = std::getenv("FUZZ_TRACE") != nullptr;
    static void describe(const char* what, const Tensor& t) {
        std::fprintf(stderr, "  %s %s shape %s strides %s offset %lld\n", what, dtype_name(t.dtype()),
                     shape_str(t.shape()).c_str(), shape_str(t.strides()).c_str(), (long long)t.offset());
    }

    Tensor& pick() {
        Tensor& t = pool[in.byte() % pool.size()];
        if (trace) describe("in ", t);
        return t;
    }

    void add(const Tensor& t) {
        if (!t.defined()) fuzz::fail("an op returned an undefined tensor");
        if (trace) describe("out", t);
        for (int64_t d : t.shape())
            if (d < 0) fuzz::fail("a result with a negative size");
        // Large results are tried by the op that made them but do not join the pool: an
        // expand to [2^20, 2, 3] is a legal view, and an empty tensor can still have huge
        // sizes ([2^32, 0, 2^20]) — summing over its empty axis would ask for 2^52 zeros,
        // which is the user's request, not a bug.
        double span = 1;
        for (int64_t d : t.shape()) span *= double(std::max<int64_t>(d, 1));
        if (span > kMaxNumel) return;
        if (pool.size() < 12) pool.push_back(t);
        else pool[in.byte() % pool.size()] = t;
    }

    // One instruction; our errors are fine, anything else stops the run.
    void step() {
        uint8_t op = in.byte() % 34;
        if (trace) std::fprintf(stderr, "op %d\n", op);
        fuzz::expect_clean_error([&] { run(op); });
    }

    void run(uint8_t op) {
        switch (op) {
        case 0: add(aprender::add(pick(), pick())); break;
        case 1: add(sub(pick(), pick())); break;
        case 2: add(mul(pick(), pick())); break;
        case 3: add(div(pick(), pick())); break;
        case 4: add(maximum(pick(), pick())); break;
        case 5: {
            Tensor& x = pick();
            switch (in.byte() % 12) {
            case 0: add(exp(x)); break;
            case 1: add(log(x)); break;
            case 2: add(sqrt(x)); break;
            case 3: add(rsqrt(x)); break;
            case 4: add(abs(x)); break;
            case 5: add(tanh(x)); break;
            case 6: add(sigmoid(x)); break;
            case 7: add(relu(x)); break;
            case 8: add(gelu(x)); break;
            case 9: add(neg(x)); break;
            case 10: add(pow(x, in.value())); break;
            default: add(clamp(x, in.value(), in.value())); break;
            }
            break;
        }
        case 6: add(where(pick(), pick(), pick())); break;
        case 7: add(masked_fill(pick(), pick(), in.value())); break;
        case 8: {
            Tensor &a = pick(), &b = pick();
            add(in.byte() % 3 == 0 ? eq(a, b) : in.byte() % 2 ? gt(a, b) : lt(a, b));
            break;
        }
        case 9: {
            Tensor& x = pick();
            auto axes = in.dims();
            bool keep = in.byte() & 1;
            switch (in.byte() % 4) {
            case 0: add(sum(x, axes, keep)); break;
            case 1: add(mean(x, axes, keep)); break;
            case 2: add(amax(x, axes, keep)); break;
            default: add(var(x, axes, keep, in.byte() % 3)); break;
            }
            break;
        }
        case 10: {
            Tensor& x = pick();
            add(in.byte() & 1 ? max(x, in.dim(), in.byte() & 1) : argmax(x));
            break;
        }
        case 11: {
            Tensor& x = pick();
            Shape s = in.shape();
            if (!s.empty() && in.byte() % 3 == 0) s[in.byte() % s.size()] = -1;
            if (small(s)) add(in.byte() & 1 ? reshape(x, s) : view(x, s));
            break;
        }
        case 12: {
            Tensor& x = pick();
            Shape order(in.byte() % 5);
            for (auto& d : order) d = in.dim();
            add(permute(x, order));
            break;
        }
        case 13: add(transpose(pick(), in.dim(), in.dim())); break;
        case 14: {
            Tensor& x = pick();
            int64_t d = in.dim(), a = in.size(), b = in.size();
            switch (in.byte() % 3) {
            case 0: add(narrow(x, d, a, b)); break;
            case 1: add(x.slice(d, a, b)); break;
            default: add(x.select(d, a)); break;
            }
            break;
        }
        case 15: add(in.byte() & 1 ? unsqueeze(pick(), in.dim()) : squeeze(pick(), in.dim())); break;
        case 16: {
            Tensor& x = pick();
            Shape s = in.shape();
            if (small(s)) add(expand(x, s));
            break;
        }
        case 17: {
            Tensor& x = pick();
            switch (in.byte() % 4) {
            case 0: add(contiguous(x)); break;
            case 1: add(x.clone()); break;
            case 2: add(x.flatten()); break;
            default: add(x.t()); break;
            }
            break;
        }
        case 18: {
            std::vector<Tensor> xs(in.byte() % 4);
            for (auto& t : xs) t = pick();
            add(in.byte() & 1 ? concat(xs, in.dim()) : stack(xs, in.dim()));
            break;
        }
        case 19: {
            Tensor &a = pick(), &b = pick();
            // a batched product can be large even from small inputs: check before making it
            if (a.dim() >= 1 && b.dim() >= 1 && !small({a.numel(), b.shape().back()})) break;
            add(matmul(a, b));
            break;
        }
        case 20: {
            Tensor &x = pick(), &w = pick();
            add(in.byte() & 1 ? linear(x, w, pick()) : linear(x, w));
            break;
        }
        case 21: {
            Tensor& x = pick();
            switch (in.byte() % 3) {
            case 0: add(softmax(x)); break;
            case 1: add(log_softmax(x)); break;
            default: add(causal_softmax(x)); break;
            }
            break;
        }
        case 22: add(cross_entropy(pick(), pick(), in.byte() & 1 ? -100 : int32_t(in.size()))); break;
        case 23: add(layer_norm(pick(), pick(), pick(), in.byte() & 1 ? 1e-5 : 0.0)); break;
        case 24: add(embedding(pick(), pick())); break;
        case 25: {
            Tensor& x = pick();
            add(index_select(x, in.dim(), pick()));
            break;
        }
        case 26: {
            Tensor& x = pick();
            add(gather(x, in.dim(), pick()));
            break;
        }
        case 27: add(dropout(pick(), in.value(), in.byte() & 1, gen)); break;
        case 28: add(pick().to(in.dtype())); break;
        case 29: {
            Shape s = in.shape();
            if (!small(s)) break;
            DType t = in.dtype();
            switch (in.byte() % 5) {
            case 0: add(Tensor::zeros(s, t)); break;
            case 1: add(Tensor::full(s, in.value(), t)); break;
            case 2: {
                int64_t n = in.size();  // a negative n must be refused; a huge one is not made here
                if (n <= kMaxNumel) add(Tensor::arange(n, t));
                break;
            }
            case 3: add(Tensor::normal(s, 0.0, 1.0, gen, t)); break;
            default: add(Tensor::uniform(s, in.value(), in.value(), gen, t)); break;
            }
            break;
        }
        case 30: {
            Tensor& g = pick();
            Shape s = in.shape();
            if (small(s)) add(sum_to(g, s));
            break;
        }
        case 31: (void)pick().item(); break;  // more than one element: refused, not read past the end
        case 32: pick().requires_grad_(in.byte() & 1); break;
        default: backward(pick()); break;
        }
    }

    // Backward from any tensor: its sum when it has more than one element (backward of a
    // non-scalar needs a gradient argument). Every leaf's gradient must match the leaf.
    void backward(const Tensor& y) {
        if (!y.requires_grad()) return;
        Tensor loss = y.numel() == 1 ? y : sum(y);
        loss.backward();
        for (const Tensor& t : pool) {
            Tensor g = t.grad();
            if (!g.defined()) continue;
            if (g.shape() != t.shape()) fuzz::fail("a gradient whose shape is not its tensor's");
            if (g.dtype() != t.dtype()) fuzz::fail("a gradient whose dtype is not its tensor's");
        }
        for (const Tensor& t : pool) t.zero_grad();
    }
};

}  // namespace

FUZZ_SEEDS(const std::string& dir) {
    // A few programs: arithmetic with broadcasting and backward, a reduction, attention's
    // softmax, an embedding lookup with cross-entropy.
    fuzz::write_seed(dir, "broadcast", std::string("\x00\x00\x01\x21\x00", 5));
    fuzz::write_seed(dir, "reduce", std::string("\x09\x01\x01\x05\x00\x21\x05", 7));
    fuzz::write_seed(dir, "softmax", std::string("\x15\x00\x00\x21\x06", 5));
    fuzz::write_seed(dir, "embedding", std::string("\x18\x03\x01\x16\x05\x03\x01", 7));
}

FUZZ_TARGET(const std::string& bytes) {
    Program p{Reader{bytes}};
    Generator init(1);
    p.pool = {
        Tensor::normal({2, 3}, 0, 1, init).requires_grad_(),         // f32 matrix, trainable
        Tensor::normal({3}, 0, 1, init, DType::f64).requires_grad_(),  // f64 vector, trainable
        Tensor::from(std::vector<int32_t>{0, 2, 1, 1, 0, 2}, {2, 3}),  // token ids
        Tensor::normal({3, 4}, 0, 1, init),                             // a table / weight
        Tensor::scalar(2.0),
    };
    for (int i = 0; i < 64 && !p.in.done(); ++i) p.step();
}
