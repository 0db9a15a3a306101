// module.h — the base of every layer and model: named parameters, submodules, modes.
//
// A module owns its parameters as ordinary Tensor members and *registers* them under
// a name, so that generic code (optimizers, checkpoints, LoRA) can find them all:
//
//     struct Linear : Module {
//         Tensor weight, bias;
//         Linear(int64_t in, int64_t out) {
//             register_parameter("weight", weight = ...);
//             register_parameter("bias", bias = ...);
//         }
//     };
//     struct Block : Module {
//         std::shared_ptr<Module> q_proj;        // any module that maps x -> y
//         Block() { register_module("q_proj", q_proj = std::make_shared<Linear>(...)); }
//     };
//
// Names compose with dots, PyTorch style: "h.0.attn.q_proj.weight". Registration keeps
// a pointer to the member itself, so replace_module("h.0.attn.q_proj", lora) swaps the
// layer that forward() actually calls — that is how LoRA wraps a Linear in place.
// Modules are created with std::make_shared and never copied or moved (the registry
// points into them).
#pragma once

#include "autograd/ops.h"

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace aprender::nn {

using NamedTensors = std::vector<std::pair<std::string, Tensor>>;

class Module {
public:
    Module() = default;
    Module(const Module&) = delete;
    Module& operator=(const Module&) = delete;
    virtual ~Module() = default;

    // The one-input forward most layers have; modules with other inputs define their own.
    virtual Tensor forward(const Tensor& x);
    Tensor operator()(const Tensor& x) { return forward(x); }
    virtual std::string type_name() const { return "Module"; }

    // Every parameter: each module's own (in registration order), then each child's, depth
    // first; a tensor shared by two names (tied weights) is listed once, under its first name.
    NamedTensors named_parameters(bool trainable_only = false) const;
    std::vector<Tensor> parameters(bool trainable_only = false) const;
    NamedTensors named_buffers() const;
    std::vector<std::pair<std::string, std::shared_ptr<Module>>> named_modules() const;  // every submodule, depth first, parents first (not this module)
    std::shared_ptr<Module> submodule(const std::string& path) const;  // throws when absent

    // Every parameter and buffer under every name (tied weights appear under each name).
    NamedTensors state_dict() const;
    // Copy numbers in by name. Shapes and dtypes must always agree (and the saved copies of
    // a tied weight must be equal); strict also requires every name to match both ways. The
    // error lists all missing, unexpected and mis-shaped names.
    void load_state_dict(const NamedTensors& tensors, bool strict = true);

    void train(bool on = true);
    void eval() { train(false); }
    bool is_training() const { return training_; }
    int64_t num_parameters(bool trainable_only = false) const;
    void requires_grad_(bool on);  // freeze (false) or unfreeze every parameter
    void zero_grad();
    // Moves every parameter and buffer to `device`, slot by slot (tied weights stay tied): a
    // moved one is a new tensor, without .grad, so build an optimizer after this. A tensor
    // already on `device` is left as it is.
    void to(Device device);
    Device device() const;

    // Swap the submodule at a dotted path (e.g. "h.0.attn.q_proj") for another one.
    void replace_module(const std::string& path, std::shared_ptr<Module> replacement);

protected:
    void register_parameter(const std::string& name, Tensor& slot, bool requires_grad = true);
    void register_buffer(const std::string& name, Tensor& slot);
    template <class M>
    void register_module(const std::string& name, std::shared_ptr<M>& slot) {
        ChildSlot c;
        c.name = name;
        c.get = [&slot]() -> std::shared_ptr<Module> { return slot; };
        c.set = [&slot, name](std::shared_ptr<Module> m) {
            if (!m) throw std::runtime_error("replace_module: '" + name + "' cannot hold a null module");
            auto typed = std::dynamic_pointer_cast<M>(m);
            if (!typed) throw std::runtime_error("replace_module: '" + name + "' cannot hold a " + m->type_name());
            slot = typed;
        };
        children_.push_back(std::move(c));
    }

private:
    struct ChildSlot {
        std::string name;
        std::function<std::shared_ptr<Module>()> get;
        std::function<void(std::shared_ptr<Module>)> set;
    };
    void collect(const std::string& prefix, bool params, NamedTensors& out) const;
    std::vector<std::pair<std::string, Tensor*>> params_, buffers_;
    std::vector<ChildSlot> children_;
    bool training_ = true;
};

// A list of modules named "0", "1", ... (GPT's blocks: "h.0", "h.1").
class ModuleList : public Module {
public:
    void push_back(std::shared_ptr<Module> m);
    size_t size() const { return items_.size(); }
    std::shared_ptr<Module>& operator[](size_t i) { return *items_[i]; }
    std::string type_name() const override { return "ModuleList"; }

private:
    std::vector<std::unique_ptr<std::shared_ptr<Module>>> items_;  // stable slots
};

}  // namespace aprender::nn
