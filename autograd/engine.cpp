// engine.cpp — reverse-mode automatic differentiation: the backward walk.
//
// loss.backward() must give every leaf w the number dloss/dw. The chain rule says
// dloss/dw = sum over every path from w to loss of the product of local derivatives,
// so we visit the recorded nodes from the loss back to the leaves, each node only once
// *all* the nodes that consume its output have handed it their gradient (reverse
// topological order). Each node then turns "gradient of its output" into "gradient of
// each input" (Node::backward) and passes those on along its edges.
//
// The walk is iterative (explicit stacks, no recursion), so a chain of a
// million ops cannot overflow the C++ stack.
#include "autograd/backend.h"
#include "autograd/grad_mode.h"
#include "autograd/node.h"
#include "autograd/ops.h"

#include <unordered_map>

namespace aprender {

// ---- grad mode ---------------------------------------------------------------------------
static thread_local bool g_grad_enabled = true;
bool grad_enabled() { return g_grad_enabled; }
void set_grad_enabled(bool on) { g_grad_enabled = on; }

// ---- destruction ----------------------------------------------------------------------------
// Each node owns the nodes of its inputs (through `next`). With the default destructor,
// dropping the last handle to a chain of a million ops destroys node 1, whose destructor
// destroys node 2, ... a million nested calls: a stack overflow. So a dying node takes
// its inputs' nodes out of its edges and destroys them from a loop, taking over the
// inputs of every node it holds the last reference to.
Node::~Node() {
    std::vector<std::shared_ptr<Node>> doomed;
    for (Edge& e : next)
        if (e.node) doomed.push_back(std::move(e.node));
    while (!doomed.empty()) {
        std::shared_ptr<Node> n = std::move(doomed.back());
        doomed.pop_back();
        if (n.use_count() == 1)  // ours is the last reference: n dies at the end of this turn
            for (Edge& e : n->next)
                if (e.node) doomed.push_back(std::move(e.node));
    }
}

// ---- recording ------------------------------------------------------------------------------
Tensor Node::save(const Tensor& t) {
    if (t.defined()) saved_.push_back({t.impl().storage, t.version()});
    return t;
}

void Node::check_saved() const {
    for (const SavedVersion& s : saved_)
        if (auto st = s.storage.lock(); st && st->version != s.version)
            throw TensorError(fmt::format(
                "backward: a tensor that {} saved for the gradient was overwritten in place after the forward pass "
                "(copy_from or an optimizer step; version {} -> {}): run the forward pass again, or change a copy "
                "(clone()) instead",
                name(), s.version, st->version));
}

static Edge edge_of(const Tensor& t) {
    if (!t.defined() || !t.requires_grad()) return {};
    if (t.grad_fn()) return {t.grad_fn(), nullptr};
    return {nullptr, t.impl_ptr()};
}

bool any_requires_grad(std::initializer_list<const Tensor*> inputs) {
    if (!grad_enabled()) return false;
    for (const Tensor* t : inputs)
        if (t->defined() && t->requires_grad()) return true;
    return false;
}

bool attach(const std::shared_ptr<Node>& node, const std::vector<Tensor>& inputs, Tensor& out) {
    if (!grad_enabled()) return false;
    bool any = false;
    for (const Tensor& t : inputs) any = any || (t.defined() && t.requires_grad());
    if (!any) return false;
    node->next.clear();
    for (const Tensor& t : inputs) node->next.push_back(edge_of(t));
    node->output = out.impl_ptr();
    out.impl().grad_fn = node;
    out.impl().requires_grad = true;
    return true;
}

bool attach(const std::shared_ptr<Node>& node, std::initializer_list<const Tensor*> inputs, Tensor& out) {
    std::vector<Tensor> v;
    for (const Tensor* t : inputs) v.push_back(*t);
    return attach(node, v, out);
}

// ---- accumulation ---------------------------------------------------------------------------
// .grad += g. The first gradient is never aliased: one gradient tensor can be handed to
// several inputs (add's backward passes the same one to both sides), so it is copied —
// unless nothing else can see its bytes (this handle is the only one on its storage, as
// for a weight's gradient fresh from a matmul): then it is taken as it is, which saves a
// pass over every parameter per step (on a GPU, a kernel launch each). PyTorch's
// AccumulateGrad does the same.
static void accumulate(TensorImpl& target, const Tensor& g) {
    if (!target.grad) {
        const TensorImpl& gi = g.impl();
        bool sole_owner = g.impl_ptr().use_count() == 1 && gi.storage.use_count() == 1;
        if (!g.is_contiguous()) target.grad = g.contiguous().impl_ptr();
        else target.grad = sole_owner ? g.impl_ptr() : mul(g, 1.0).impl_ptr();
        return;
    }
    Tensor sum = add(Tensor(target.grad), g);
    target.grad = sum.impl_ptr();
}

// ---- the walk ---------------------------------------------------------------------------------
void Tensor::backward(const Tensor& grad_output, bool retain_graph) const {
    if (!requires_grad())
        throw TensorError("backward: tensor does not require grad (no input of the computation requires grad)");
    Tensor seed = grad_output;
    if (!seed.defined()) {
        if (numel() != 1)
            throw TensorError(fmt::format(
                "backward: output of shape {} is not a scalar; pass a gradient of that shape", shape_str(shape())));
        seed = Tensor::ones(shape(), dtype(), device());
    } else if (seed.shape() != shape()) {
        throw TensorError(fmt::format("backward: gradient shape {} differs from output shape {}",
                                      shape_str(seed.shape()), shape_str(shape())));
    } else if (seed.dtype() != dtype() || !(seed.device() == device())) {
        throw TensorError(fmt::format("backward: gradient is {} on {}, the output {} on {}", dtype_name(seed.dtype()),
                                      seed.device().str(), dtype_name(dtype()), device().str()));
    }
    NoGradGuard no_grad;  // gradients are computed, not recorded (no double backward)

    if (is_leaf()) {
        accumulate(impl(), seed);
        return;
    }
    Node* root = grad_fn().get();
    if (root->released)
        throw TensorError(std::string("backward: the graph through ") + root->name() +
                          " was already freed by an earlier backward; pass retain_graph=true to the first one");

    // 1. Count, for each node, how many edges of the graph point at it.
    std::unordered_map<Node*, int> pending;
    std::vector<Node*> stack{root}, order;
    pending[root] = 0;
    while (!stack.empty()) {
        Node* n = stack.back();
        stack.pop_back();
        order.push_back(n);
        for (const Edge& e : n->next) {
            if (!e.node) continue;
            if (e.node->released)
                throw TensorError(std::string("backward: the graph through ") + e.node->name() +
                                  " was already freed by an earlier backward; pass retain_graph=true to the first one");
            auto [it, fresh] = pending.try_emplace(e.node.get(), 0);
            it->second++;
            if (fresh) stack.push_back(e.node.get());
        }
    }

    // 2. Process nodes whose consumers have all reported (Kahn's algorithm).
    std::unordered_map<Node*, Tensor> grads;
    grads[root] = seed;
    std::vector<Node*> ready{root};
    while (!ready.empty()) {
        Node* n = ready.back();
        ready.pop_back();
        Tensor g = std::move(grads[n]);
        grads.erase(n);
        if (!g.defined()) {  // no gradient reached this node: pass the news along, nothing else
            for (const Edge& e : n->next)
                if (e.node && --pending[e.node.get()] == 0) ready.push_back(e.node.get());
            continue;
        }
        if (auto out = n->output.lock(); out && out->retains_grad) accumulate(*out, g);
        n->check_saved();
        std::vector<Tensor> input_grads = n->backward(g);
        if (input_grads.size() != n->next.size())
            throw std::logic_error(std::string(n->name()) + " returned the wrong number of gradients");
        for (size_t i = 0; i < n->next.size(); ++i) {
            const Edge& e = n->next[i];
            const Tensor& gi = input_grads[i];
            if (!e.needed() || !gi.defined()) {
                if (e.node && --pending[e.node.get()] == 0) ready.push_back(e.node.get());
                continue;
            }
            if (e.leaf) {
                accumulate(*e.leaf, gi);
            } else {
                Tensor& slot = grads[e.node.get()];
                slot = slot.defined() ? add(slot, gi) : gi;
                if (--pending[e.node.get()] == 0) ready.push_back(e.node.get());
            }
        }
    }

    // 3. Free what the nodes saved, unless asked to keep the graph for another pass.
    if (!retain_graph)
        for (Node* n : order) {
            n->release();
            n->released = true;
        }
}

}  // namespace aprender
