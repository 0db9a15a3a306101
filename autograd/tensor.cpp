// tensor.cpp — creating tensors, reading their numbers, converting and printing them.
// The ops live in ops_*.cpp; the backward walk in engine.cpp.
#include "autograd/tensor.h"

#include "autograd/backend.h"
#include "autograd/node.h"
#include "autograd/ops.h"
#include "autograd/ops_util.h"

#include <cmath>
#include <cstring>
#include <functional>

namespace aprender {

std::string shape_str(const Shape& s) {
    std::string out = "[";
    for (size_t i = 0; i < s.size(); ++i) {
        if (i) out += ',';
        out += std::to_string(s[i]);
    }
    return out + "]";
}

int64_t shape_numel(const Shape& s) {
    int64_t n = 1;
    for (int64_t d : s)  // a shape from a corrupt file can multiply past int64: say so, don't wrap
        if (__builtin_mul_overflow(n, d, &n))
            throw TensorError(fmt::format("the shape {} has more elements than an int64 can count", shape_str(s)));
    return n;
}

Shape contiguous_strides(const Shape& s) {
    Shape st(s.size());
    int64_t acc = 1;
    for (int64_t i = (int64_t)s.size() - 1; i >= 0; --i) {
        st[i] = acc;
        // an empty shape such as [0, 2^62, 5, 5] has no elements, but its strides still
        // multiply the other sizes: past int64 they would wrap (found by `make fuzz`)
        if (__builtin_mul_overflow(acc, std::max<int64_t>(s[i], 1), &acc))
            throw TensorError(fmt::format("the shape {} is too large: its strides pass what an int64 can count", shape_str(s)));
    }
    return st;
}

Device Device::parse(const std::string& name) {
    if (name == "cpu") return cpu();
    if (name == "cuda") return cuda(0);
    const std::string n = name.rfind("cuda:", 0) == 0 ? name.substr(5) : "";
    if (!n.empty() && n.size() <= 4 && n.find_first_not_of("0123456789") == std::string::npos)
        return cuda(std::stoi(n));  // digits only: "cuda:1x" and "cuda:-1" are not devices
    throw TensorError("unknown device '" + name + "' (expected cpu, cuda or cuda:N)");
}

Storage::Storage(size_t n, Device d) : nbytes(n), device(d) { data = backend(d).allocate(n); }
Storage::~Storage() { backend(device).release(data, nbytes); }

// ---- creation ------------------------------------------------------------------------

static void check_shape(const Shape& shape, const char* op) {
    for (int64_t d : shape)
        if (d < 0) throw TensorError(fmt::format("{}: negative dimension in shape {}", op, shape_str(shape)));
}

// Every factory allocates here; `op` is the name the caller used, so a bad shape given to
// zeros() is reported by zeros, not by the empty() it calls.
static Tensor allocate(const Shape& shape, DType dtype, Device device, const char* op) {
    check_shape(shape, op);
    auto impl = std::make_shared<TensorImpl>();
    int64_t bytes = 0;
    if (__builtin_mul_overflow(std::max<int64_t>(shape_numel(shape), 1), (int64_t)dtype_size(dtype), &bytes))
        throw TensorError(fmt::format("{}: a tensor of shape {} would need more bytes than an int64 can count", op,
                                      shape_str(shape)));
    impl->storage = std::make_shared<Storage>(bytes, device);
    impl->shape = shape;
    impl->strides = contiguous_strides(shape);
    impl->dtype = dtype;
    return Tensor(impl);
}

static Tensor filled(const Shape& shape, double value, DType dtype, Device device, const char* op) {
    detail::check_value_fits(value, dtype, op);
    Tensor t = allocate(shape, dtype, device, op);
    backend(device).fill(t.raw_data(), t.numel(), value, dtype);
    return t;
}

Tensor Tensor::empty(const Shape& shape, DType dtype, Device device) { return allocate(shape, dtype, device, "empty"); }
Tensor Tensor::full(const Shape& shape, double value, DType dtype, Device device) {
    return filled(shape, value, dtype, device, "full");
}
Tensor Tensor::zeros(const Shape& shape, DType dtype, Device device) { return filled(shape, 0.0, dtype, device, "zeros"); }
Tensor Tensor::ones(const Shape& shape, DType dtype, Device device) { return filled(shape, 1.0, dtype, device, "ones"); }
Tensor Tensor::scalar(double value, DType dtype, Device device) { return filled({}, value, dtype, device, "scalar"); }

template <class T>
static Tensor from_host(const std::vector<T>& values, Shape shape, DType dtype) {
    // No shape given: 1-D, also for a single value (a [1] tensor, not a 0-d scalar:
    // arange(1) and a batch of one target must keep their axis). Tensor::scalar makes 0-d.
    if (shape.empty()) shape = {(int64_t)values.size()};
    if (shape_numel(shape) != (int64_t)values.size())
        throw TensorError(fmt::format("from: {} values do not fill shape {}", values.size(), shape_str(shape)));
    Tensor t = Tensor::empty(shape, dtype);
    if (!values.empty()) std::memcpy(t.raw_data(), values.data(), values.size() * sizeof(T));
    return t;
}
Tensor Tensor::from(const std::vector<float>& v, Shape s) { return from_host(v, std::move(s), DType::f32); }
Tensor Tensor::from(const std::vector<double>& v, Shape s) { return from_host(v, std::move(s), DType::f64); }
Tensor Tensor::from(const std::vector<int32_t>& v, Shape s) { return from_host(v, std::move(s), DType::i32); }
Tensor Tensor::from(std::initializer_list<float> v, Shape s) { return from(std::vector<float>(v), std::move(s)); }

Tensor Tensor::arange(int64_t n, DType dtype, Device device) {
    if (n < 0) throw TensorError(fmt::format("arange: count must be >= 0, got {}", n));
    std::vector<double> v(n);
    for (int64_t i = 0; i < n; ++i) v[i] = (double)i;
    return Tensor::from(v).to(dtype).to(device);
}

static uint64_t take_counters(Generator& gen, int64_t n) {
    uint64_t start = gen.offset;
    gen.offset += (uint64_t)((n + 3) / 4 * 4);  // whole Philox blocks: draws never share one
    return start;
}

Tensor Tensor::uniform(const Shape& shape, double lo, double hi, Generator& gen, DType dtype, Device device) {
    if (!is_floating(dtype)) throw TensorError("uniform: needs a floating dtype");
    if (!(lo <= hi && std::isfinite(lo) && std::isfinite(hi)))
        throw TensorError(fmt::format("uniform: needs finite lo <= hi, got [{}, {})", lo, hi));
    Tensor t = allocate(shape, dtype, device, "uniform");
    backend(device).fill_uniform(t.raw_data(), t.numel(), lo, hi, gen.seed, take_counters(gen, t.numel()), dtype);
    return t;
}

Tensor Tensor::normal(const Shape& shape, double mean, double std, Generator& gen, DType dtype, Device device) {
    if (!is_floating(dtype)) throw TensorError("normal: needs a floating dtype");
    if (!(std >= 0 && std::isfinite(std) && std::isfinite(mean)))
        throw TensorError(fmt::format("normal: needs a finite mean and std >= 0, got mean {} std {}", mean, std));
    Tensor t = allocate(shape, dtype, device, "normal");
    backend(device).fill_normal(t.raw_data(), t.numel(), mean, std, gen.seed, take_counters(gen, t.numel()), dtype);
    return t;
}

// ---- what it is ------------------------------------------------------------------------

TensorImpl& Tensor::impl() const {
    if (!impl_)  // ops name themselves first where they can (check_defined in ops_util.h)
        throw TensorError("use of an undefined tensor (a default-constructed Tensor() holds no data)");
    return *impl_;
}

int64_t Tensor::size(int64_t d) const {
    int64_t n = dim();
    int64_t i = d < 0 ? d + n : d;
    if (i < 0 || i >= n) throw TensorError(fmt::format("size: dimension {} out of range for shape {}", d, shape_str(shape())));
    return shape()[i];
}

bool Tensor::is_contiguous() const {
    if (numel() == 0) return true;  // no element to be out of place (PyTorch's rule too)
    int64_t expected = 1;
    for (int64_t i = dim() - 1; i >= 0; --i) {
        if (shape()[i] == 1) continue;  // the stride of a size-1 axis never matters
        if (strides()[i] != expected) return false;
        expected *= shape()[i];
    }
    return true;
}

void* Tensor::raw_data() const {
    return static_cast<char*>(impl().storage->data) + offset() * dtype_size(dtype());
}

template <class T>
static constexpr DType dtype_of() {
    if constexpr (std::is_same_v<T, float>) return DType::f32;
    else if constexpr (std::is_same_v<T, double>) return DType::f64;
    else return DType::i32;
}

template <class T>
T* Tensor::data() const {
    if (dtype() != dtype_of<T>())
        throw TensorError(fmt::format("data<{}>: tensor holds {}", dtype_name(dtype_of<T>()), dtype_name(dtype())));
    if (!device().is_cpu()) throw TensorError("data(): tensor is on " + device().str() + "; use .to(Device::cpu())");
    return static_cast<T*>(raw_data());
}
template float* Tensor::data<float>() const;
template double* Tensor::data<double>() const;
template int32_t* Tensor::data<int32_t>() const;

std::vector<double> Tensor::to_double_vector() const {
    Tensor c = detach().to(Device::cpu()).to(DType::f64).contiguous();
    const double* p = c.data<double>();
    return std::vector<double>(p, p + c.numel());
}

template <class T>
std::vector<T> Tensor::to_vector() const {
    Tensor c = detach().to(Device::cpu()).to(dtype_of<T>()).contiguous();
    const T* p = c.data<T>();
    return std::vector<T>(p, p + c.numel());
}
template std::vector<float> Tensor::to_vector<float>() const;
template std::vector<double> Tensor::to_vector<double>() const;
template std::vector<int32_t> Tensor::to_vector<int32_t>() const;

double Tensor::item() const {
    if (numel() != 1)
        throw TensorError(fmt::format("item: tensor of shape {} has {} elements, not 1", shape_str(shape()), numel()));
    return to_double_vector()[0];
}

// ---- copies and conversions -------------------------------------------------------------

static Strided strided(const Tensor& t) { return {t.raw_data(), t.shape(), t.strides()}; }

Tensor Tensor::to(DType dt) const {
    if (dt == dtype()) return *this;
    Tensor out = empty(shape(), dt, device());
    backend(device()).copy(strided(*this), dtype(), strided(out), dt);
    return out;  // a cast is a new leaf: no gradient flows through dtype changes
}

Tensor Tensor::to(Device d) const {
    if (d == device()) return *this;
    Tensor src = contiguous();
    Tensor out = empty(shape(), dtype(), d);
    size_t nbytes = numel() * dtype_size(dtype());
    if (d.is_cpu()) backend(src.device()).to_host(out.raw_data(), src.raw_data(), nbytes);
    else if (src.device().is_cpu()) backend(d).from_host(out.raw_data(), src.raw_data(), nbytes);
    else {
        Tensor host = src.to(Device::cpu());
        backend(d).from_host(out.raw_data(), host.raw_data(), nbytes);
    }
    out.impl().requires_grad = requires_grad() && is_leaf();
    return out;
}

Tensor Tensor::detach() const {
    auto impl = std::make_shared<TensorImpl>(this->impl());  // impl() throws on an undefined tensor
    impl->requires_grad = false;
    impl->retains_grad = false;
    impl->grad = nullptr;
    impl->grad_fn = nullptr;
    return Tensor(impl);
}

uint64_t Tensor::version() const { return impl().storage->version; }
void Tensor::bump_version() const { impl().storage->version++; }

void Tensor::copy_from(const Tensor& src) const {
    if (src.shape() != shape())
        throw TensorError(fmt::format("copy_from: source shape {} differs from {}", shape_str(src.shape()), shape_str(shape())));
    Tensor s = src.device() == device() ? src : src.to(device());
    // w.copy_from(w.t()): reading and writing the same storage would read numbers already
    // overwritten, so an overlapping source is copied out first.
    if (s.impl().storage == impl().storage) s = aprender::mul(s.detach(), 1.0);
    backend(device()).copy(strided(s), s.dtype(), strided(*this), dtype());
    bump_version();
}

Tensor Tensor::contiguous() const { return aprender::contiguous(*this); }
Tensor Tensor::clone() const { return aprender::clone(*this); }

Tensor make_view(const Tensor& base, Shape shape, Shape strides, int64_t offset) {
    auto impl = std::make_shared<TensorImpl>();
    impl->storage = base.impl().storage;
    impl->shape = std::move(shape);
    impl->strides = std::move(strides);
    impl->offset = offset;
    impl->dtype = base.dtype();
    return Tensor(impl);
}

// ---- views: the methods forward to the differentiable free functions -------------------
Tensor Tensor::reshape(const Shape& s) const { return aprender::reshape(*this, s); }
Tensor Tensor::view(const Shape& s) const { return aprender::view(*this, s); }
Tensor Tensor::permute(const Shape& o) const { return aprender::permute(*this, o); }
Tensor Tensor::transpose(int64_t a, int64_t b) const { return aprender::transpose(*this, a, b); }
Tensor Tensor::t() const {
    if (dim() != 2) throw TensorError(fmt::format("t: expects a 2-D tensor, got shape {}", shape_str(shape())));
    return aprender::transpose(*this, 0, 1);
}
Tensor Tensor::narrow(int64_t d, int64_t start, int64_t len) const { return aprender::narrow(*this, d, start, len); }
Tensor Tensor::slice(int64_t d, int64_t start, int64_t end) const {
    int64_t length;  // an end - start past int64 is out of bounds anyway: narrow says so
    if (__builtin_sub_overflow(end, start, &length)) length = INT64_MAX;
    return aprender::narrow(*this, d, start, length);
}
Tensor Tensor::select(int64_t d, int64_t index) const { return aprender::squeeze(narrow(d, index, 1), d); }
Tensor Tensor::unsqueeze(int64_t d) const { return aprender::unsqueeze(*this, d); }
Tensor Tensor::squeeze(int64_t d) const { return aprender::squeeze(*this, d); }
Tensor Tensor::expand(const Shape& s) const { return aprender::expand(*this, s); }
Tensor Tensor::flatten() const { return aprender::reshape(*this, {numel()}); }

// ---- autograd handles ------------------------------------------------------------------

Tensor& Tensor::requires_grad_(bool on) {
    if (on && !is_floating(dtype()))
        throw TensorError(std::string("requires_grad_: only floating tensors can require grad, this one is ") + dtype_name(dtype()));
    if (!is_leaf()) throw TensorError("requires_grad_: only leaf tensors can change requires_grad (use detach())");
    impl().requires_grad = on;
    return *this;
}

Tensor Tensor::grad() const { return impl().grad ? Tensor(impl().grad) : Tensor(); }
void Tensor::set_grad(const Tensor& g) const {
    if (g.defined() && g.shape() != shape())
        throw TensorError(fmt::format("set_grad: gradient shape {} differs from tensor shape {}", shape_str(g.shape()), shape_str(shape())));
    if (g.defined() && (g.dtype() != dtype() || !(g.device() == device())))
        throw TensorError(fmt::format("set_grad: gradient is {} on {}, the tensor {} on {}", dtype_name(g.dtype()),
                                      g.device().str(), dtype_name(dtype()), device().str()));
    impl().grad = g.defined() ? g.impl_ptr() : nullptr;
}
void Tensor::zero_grad() const { impl().grad = nullptr; }
void Tensor::retain_grad() const {
    if (!requires_grad()) throw TensorError("retain_grad: tensor does not require grad");
    if (!is_leaf()) impl().retains_grad = true;
}

// ---- printing -----------------------------------------------------------------------------

static std::string format_number(double v, DType dt) {
    if (dt == DType::i32) return fmt::format("{}", (int64_t)v);
    if (std::isnan(v)) return "nan";
    if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
    double a = std::fabs(v);
    if (a != 0 && (a < 1e-4 || a >= 1e5)) return fmt::format("{:.4e}", v);
    return fmt::format("{:.4f}", v);
}

std::string Tensor::str() const {
    if (!defined()) return "tensor(undefined)";
    std::vector<double> v = to_double_vector();
    const Shape& s = shape();
    std::string body;
    if (s.empty()) {
        body = format_number(v[0], dtype());
    } else {
        // Print up to 6 entries per axis (first 3, ..., last 3), numpy style.
        std::vector<int64_t> st = contiguous_strides(s);
        std::function<std::string(size_t, int64_t)> rec = [&](size_t d, int64_t base) -> std::string {
            std::string out = "[";
            int64_t n = s[d];
            bool cut = n > 6;
            for (int64_t i = 0; i < n; ++i) {
                if (cut && i == 3) {
                    out += d + 1 == s.size() ? "..., " : "...,\n" + std::string(d + 1, ' ');
                    i = n - 3;
                }
                out += d + 1 == s.size() ? format_number(v[base + i * st[d]], dtype()) : rec(d + 1, base + i * st[d]);
                if (i + 1 < n) out += d + 1 == s.size() ? ", " : ",\n" + std::string(d + 1, ' ');
            }
            return out + "]";
        };
        body = s.size() && shape_numel(s) == 0 ? "[]" : rec(0, 0);
    }
    std::string extra = device().is_cpu() ? "" : ", device=" + device().str();
    if (requires_grad()) extra += ", requires_grad";
    return fmt::format("tensor({}, shape={}, dtype={}{})", body, shape_str(s), dtype_name(dtype()), extra);
}

}  // namespace aprender
