// node.h — one recorded step of the computation, able to run backwards.
//
// When an op sees an input that requires grad, it creates a Node subclass (BinaryBackward,
// SumBackward, LinearBackward, ...) that saves only what its backward needs, and links it to the
// nodes of its inputs through `next`. The graph is therefore a DAG of Nodes whose
// leaves are the parameters. engine.cpp walks it.
//
// Writing a new node (worked example, the product z = x * y — a simplified BinaryBackward
// of ops_elementwise.cpp, which handles add, sub, mul, div and maximum in one node):
//
//     struct MulBackward : Node {
//         Tensor x, y;                                    // saved inputs
//         std::vector<Tensor> backward(const Tensor& gz) override {
//             return {sum_to(gz * y, x.shape()),          // dz/dx = y
//                     sum_to(gz * x, y.shape())};         // dz/dy = x
//         }
//         const char* name() const override { return "MulBackward"; }
//         void release() override { x = y = Tensor(); }
//     };
//
// The op that makes the node saves tensors through save() — `node->x = node->save(x.detach())`
// — so that the engine can refuse a backward whose saved numbers were overwritten in
// place since (see Node::save below).
//
// backward() runs with graph recording off (NoGradGuard), so it may use ordinary ops.
// It returns one gradient per input, in the order of `next`; an undefined Tensor means
// "no gradient for that input".
#pragma once

#include "autograd/tensor.h"

#include <memory>
#include <vector>

namespace aprender {

// Where an input's gradient goes: to the node that produced it, or — for a leaf that
// requires grad — straight into that leaf's .grad. Both empty: the input needs none.
struct Edge {
    std::shared_ptr<Node> node;
    std::shared_ptr<TensorImpl> leaf;
    bool needed() const { return node || leaf; }
};

class Node {
public:
    // Not `= default`: see engine.cpp (a long chain must not be destroyed recursively).
    virtual ~Node();
    virtual std::vector<Tensor> backward(const Tensor& grad_output) = 0;
    virtual const char* name() const = 0;
    // Drop saved tensors after backward (unless the graph is retained).
    virtual void release() {}

    std::vector<Edge> next;                 // one per differentiable input
    std::weak_ptr<TensorImpl> output;       // for retain_grad on non-leaves
    bool released = false;

    // Every tensor a node keeps for backward goes through save(): `x = save(in.detach())`.
    // It notes the storage's version; if the numbers are then overwritten in place
    // (y.copy_from(...), an optimizer step) before backward, check_saved() — called by the
    // engine — refuses, instead of computing a gradient from numbers that are not the
    // ones the forward pass used. (PyTorch: "modified by an inplace operation".)
    Tensor save(const Tensor& t);
    void check_saved() const;

private:
    struct SavedVersion {
        std::weak_ptr<Storage> storage;  // weak: saving must not keep memory alive
        uint64_t version;
    };
    std::vector<SavedVersion> saved_;
};

// Link a freshly made node into the graph: record the edges of `inputs`, and make
// `out` its output. Does nothing (and returns false) when no input requires grad or
// grad mode is off — then the node is simply dropped.
bool attach(const std::shared_ptr<Node>& node, std::initializer_list<const Tensor*> inputs, Tensor& out);
bool attach(const std::shared_ptr<Node>& node, const std::vector<Tensor>& inputs, Tensor& out);

// Does any of these tensors require grad while grad mode is on?
bool any_requires_grad(std::initializer_list<const Tensor*> inputs);

}  // namespace aprender
