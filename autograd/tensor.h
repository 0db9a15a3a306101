// tensor.h — the Tensor: a cheap handle to an n-dimensional array that remembers how
// it was made, so that gradients can flow back through it.
//
// A Tensor is a shared pointer to a TensorImpl. Copying a Tensor copies the handle,
// not the numbers (like a Python variable). The numbers live in a Storage; a
// TensorImpl looks at them through a shape, strides and an offset, which is how
// transpose, slice and reshape are "views" that copy nothing:
//
//     storage:  [0 1 2 3 4 5]       a = Tensor::arange(6).reshape({2, 3})
//     a:              shape [2,3] strides [3,1] offset 0  -> [[0 1 2] [3 4 5]]
//     a.t():          shape [3,2] strides [1,3] offset 0  -> [[0 3] [1 4] [2 5]]
//     a.slice(1,1,3): shape [2,2] strides [3,1] offset 1  -> [[1 2] [4 5]]   (NumPy: a[:, 1:])
//
// Autograd in one example (see engine.cpp for the walk, ops.h for the ops):
//
//     Tensor w = Tensor::from({2.0f, -1.0f}).requires_grad_();
//     Tensor x = Tensor::from({3.0f, 4.0f});
//     Tensor loss = sum(w * x);    // records a BinaryBackward (mul) and a SumBackward node
//     loss.backward();             // walks them in reverse: dloss/dw = x
//     w.grad();                    // [3, 4]
#pragma once

#include "autograd/dtype.h"

#include <fmt/format.h>

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace aprender {

using Shape = std::vector<int64_t>;
std::string shape_str(const Shape& s);  // "[2,3]"
int64_t shape_numel(const Shape& s);
Shape contiguous_strides(const Shape& s);

// Every mistake a user can make with tensors (wrong shape, wrong dtype, an index out
// of range) throws this, with a message that names the op and the values involved.
struct TensorError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// A block of memory on one device, freed by that device's backend.
struct Storage {
    Storage(size_t nbytes, Device device);
    ~Storage();
    Storage(const Storage&) = delete;
    Storage& operator=(const Storage&) = delete;
    void* data = nullptr;
    size_t nbytes = 0;
    Device device;
    // Bumped by every in-place write (copy_from, an optimizer step). A node that saved a
    // tensor for backward checks it is unchanged (Node::save): see node.h.
    uint64_t version = 0;
};

class Node;  // a recorded backward step (node.h)

struct TensorImpl {
    std::shared_ptr<Storage> storage;
    Shape shape, strides;  // strides and offset count elements, not bytes
    int64_t offset = 0;
    DType dtype = DType::f32;
    bool requires_grad = false;     // a leaf asks for .grad; an op output inherits it
    bool retains_grad = false;      // a non-leaf that keeps its .grad (retain_grad())
    std::shared_ptr<TensorImpl> grad;
    std::shared_ptr<Node> grad_fn;  // the node that made this tensor (null for leaves)
};

// A counter-based random generator (Philox 4x32-10, see random.h). Each draw of n
// numbers uses counters [offset, offset + n) and advances offset by n rounded up to a
// multiple of 4 (whole Philox blocks, so two draws never share one), so the numbers
// depend only on (seed, position): the same on every device and thread count.
struct Generator {
    explicit Generator(uint64_t seed = 0) : seed(seed) {}
    uint64_t seed;
    uint64_t offset = 0;
};

class Tensor {
public:
    Tensor() = default;  // an undefined tensor (no storage)
    explicit Tensor(std::shared_ptr<TensorImpl> impl) : impl_(std::move(impl)) {}

    // ---- creation ------------------------------------------------------------
    static Tensor empty(const Shape& shape, DType dtype = DType::f32, Device device = Device::cpu());
    static Tensor zeros(const Shape& shape, DType dtype = DType::f32, Device device = Device::cpu());
    static Tensor ones(const Shape& shape, DType dtype = DType::f32, Device device = Device::cpu());
    static Tensor full(const Shape& shape, double value, DType dtype = DType::f32, Device device = Device::cpu());
    static Tensor arange(int64_t n, DType dtype = DType::f32, Device device = Device::cpu());
    // From host numbers; shape defaults to 1-D [n], even for n = 1 (0-d: scalar()).
    static Tensor from(const std::vector<float>& values, Shape shape = {});
    static Tensor from(const std::vector<double>& values, Shape shape = {});
    static Tensor from(const std::vector<int32_t>& values, Shape shape = {});
    static Tensor from(std::initializer_list<float> values, Shape shape = {});
    static Tensor scalar(double value, DType dtype = DType::f32, Device device = Device::cpu());
    static Tensor uniform(const Shape& shape, double lo, double hi, Generator& gen, DType dtype = DType::f32,
                          Device device = Device::cpu());
    static Tensor normal(const Shape& shape, double mean, double std, Generator& gen, DType dtype = DType::f32,
                         Device device = Device::cpu());

    // ---- what it is ------------------------------------------------------------
    bool defined() const { return impl_ != nullptr; }
    const Shape& shape() const { return impl().shape; }
    const Shape& strides() const { return impl().strides; }
    int64_t offset() const { return impl().offset; }
    int64_t dim() const { return (int64_t)impl().shape.size(); }
    int64_t size(int64_t d) const;  // negative d counts from the end
    int64_t numel() const { return shape_numel(impl().shape); }
    DType dtype() const { return impl().dtype; }
    Device device() const { return impl().storage->device; }
    bool is_contiguous() const;
    std::string str() const;  // numpy-like text with shape and dtype

    // ---- the numbers (CPU tensors) -----------------------------------------------
    // Pointer to the first element (offset applied). T must match dtype.
    template <class T> T* data() const;
    void* raw_data() const;  // any device: storage pointer + offset in bytes
    // How many times the numbers were overwritten in place (shared by all views of the
    // storage); bump_version() is for code that writes through raw_data() (optimizers).
    uint64_t version() const;
    void bump_version() const;
    double item() const;     // the value of a one-element tensor
    std::vector<double> to_double_vector() const;  // any dtype, any layout, row-major order
    template <class T> std::vector<T> to_vector() const;

    // ---- copies and conversions ----------------------------------------------------
    Tensor contiguous() const;  // itself when already contiguous, else a copy (differentiable)
    Tensor clone() const;       // always a copy (differentiable)
    // Conversions make a new leaf: no gradient flows back through them. to(DType) starts
    // without requires_grad; to(Device) keeps it for a leaf (model.to(cuda) moves
    // parameters that still train), but the gradient lands on the copy, not the original.
    Tensor to(DType dtype) const;
    Tensor to(Device device) const;
    Tensor detach() const;      // same numbers, no history
    // Overwrite this tensor's numbers with src's (same shape; converted to this dtype and
    // device), without recording anything: for optimizers, loading weights and merging LoRA.
    void copy_from(const Tensor& src) const;

    // ---- views (differentiable; see ops.h for the free-function forms) ------------
    Tensor reshape(const Shape& shape) const;
    Tensor view(const Shape& shape) const;
    Tensor permute(const Shape& order) const;
    Tensor transpose(int64_t d0, int64_t d1) const;
    Tensor t() const;  // 2-D transpose
    Tensor narrow(int64_t dim, int64_t start, int64_t length) const;
    Tensor slice(int64_t dim, int64_t start, int64_t end) const;  // [start, end)
    Tensor select(int64_t dim, int64_t index) const;              // narrow + squeeze
    Tensor unsqueeze(int64_t dim) const;
    Tensor squeeze(int64_t dim) const;
    Tensor expand(const Shape& shape) const;
    Tensor flatten() const;

    // ---- autograd ---------------------------------------------------------------
    bool requires_grad() const { return impl().requires_grad; }
    Tensor& requires_grad_(bool on = true);
    bool is_leaf() const { return impl().grad_fn == nullptr; }
    const std::shared_ptr<Node>& grad_fn() const { return impl().grad_fn; }
    Tensor grad() const;  // undefined until a backward pass reached this tensor
    void set_grad(const Tensor& g) const;  // g must match shape, dtype and device (undefined: none)
    void zero_grad() const;  // drops .grad (the next backward starts it afresh)
    // Keep .grad on a non-leaf too (leaves always keep it); throws if it requires no grad.
    void retain_grad() const;
    // Backpropagate from this tensor. With no gradient given it must hold one element
    // (a loss); retain_graph keeps the recorded nodes for a second backward.
    void backward(const Tensor& grad_output = Tensor(), bool retain_graph = false) const;

    TensorImpl& impl() const;
    const std::shared_ptr<TensorImpl>& impl_ptr() const { return impl_; }
    bool same(const Tensor& other) const { return impl_ == other.impl_; }

private:
    std::shared_ptr<TensorImpl> impl_;
};

// Make a new tensor that views `base`'s storage with another shape/strides/offset.
Tensor make_view(const Tensor& base, Shape shape, Shape strides, int64_t offset);

}  // namespace aprender

// fmt::format("{}", t) prints t.str(). No format options (a width or fill has no meaning
// for a tensor), which also spares GCC 12 a false -Wstringop-overflow in fmt's fill parser.
template <>
struct fmt::formatter<aprender::Tensor> {
    constexpr auto parse(fmt::format_parse_context& ctx) { return ctx.begin(); }
    auto format(const aprender::Tensor& t, fmt::format_context& ctx) const {
        const std::string s = t.str();
        return std::copy(s.begin(), s.end(), ctx.out());
    }
};
