// module.cpp — the parameter registry behind every layer (see module.h).
#include "nn/module.h"

#include <fmt/format.h>

#include <cstring>
#include <map>
#include <set>

namespace aprender::nn {

Tensor Module::forward(const Tensor&) {
    throw std::runtime_error(type_name() + " has no single-input forward()");
}

void Module::register_parameter(const std::string& name, Tensor& slot, bool requires_grad) {
    if (!slot.defined()) throw std::logic_error("register_parameter: '" + name + "' is undefined");
    if (slot.requires_grad() != requires_grad) slot.requires_grad_(requires_grad);
    params_.emplace_back(name, &slot);
}

void Module::register_buffer(const std::string& name, Tensor& slot) { buffers_.emplace_back(name, &slot); }

void Module::collect(const std::string& prefix, bool params, NamedTensors& out) const {
    for (const auto& [name, t] : params ? params_ : buffers_) out.emplace_back(prefix + name, *t);
    for (const auto& c : children_)
        if (auto m = c.get()) m->collect(prefix + c.name + ".", params, out);
}

NamedTensors Module::named_parameters(bool trainable_only) const {
    NamedTensors all, out;
    collect("", true, all);
    std::set<TensorImpl*> seen;
    for (auto& [name, t] : all) {
        if (!seen.insert(&t.impl()).second) continue;
        if (trainable_only && !t.requires_grad()) continue;
        out.emplace_back(name, t);
    }
    return out;
}

std::vector<Tensor> Module::parameters(bool trainable_only) const {
    std::vector<Tensor> out;
    for (auto& [name, t] : named_parameters(trainable_only)) out.push_back(t);
    return out;
}

NamedTensors Module::named_buffers() const {
    NamedTensors out;
    collect("", false, out);
    return out;
}

NamedTensors Module::state_dict() const {
    NamedTensors out;
    collect("", true, out);
    collect("", false, out);
    return out;
}

std::vector<std::pair<std::string, std::shared_ptr<Module>>> Module::named_modules() const {
    std::vector<std::pair<std::string, std::shared_ptr<Module>>> out;
    // depth first, parents before children (module trees are shallow: recursion is fine)
    std::function<void(const std::string&, const Module&)> walk = [&](const std::string& prefix, const Module& m) {
        for (const auto& c : m.children_) {
            auto child = c.get();
            if (!child) continue;
            std::string name = prefix.empty() ? c.name : prefix + "." + c.name;
            out.emplace_back(name, child);
            walk(name, *child);
        }
    };
    walk("", *this);
    return out;
}

std::shared_ptr<Module> Module::submodule(const std::string& path) const {
    for (auto& [name, m] : named_modules())
        if (name == path) return m;
    throw std::runtime_error("no submodule named '" + path + "'");
}

void Module::replace_module(const std::string& path, std::shared_ptr<Module> replacement) {
    auto dot = path.rfind('.');
    Module* parent = this;
    std::shared_ptr<Module> holder;
    if (dot != std::string::npos) {
        holder = submodule(path.substr(0, dot));
        parent = holder.get();
    }
    std::string leaf = dot == std::string::npos ? path : path.substr(dot + 1);
    for (auto& c : parent->children_)
        if (c.name == leaf) {
            c.set(std::move(replacement));
            return;
        }
    throw std::runtime_error("replace_module: no submodule named '" + path + "'");
}

void Module::load_state_dict(const NamedTensors& tensors, bool strict) {
    std::map<std::string, const Tensor*> given;
    for (auto& [name, t] : tensors) given[name] = &t;
    std::vector<std::string> missing, mismatched, unexpected;
    NamedTensors mine = state_dict();
    std::set<std::string> known;
    for (auto& [name, t] : mine) {
        known.insert(name);
        auto it = given.find(name);
        if (it == given.end()) {
            missing.push_back(name);
            continue;
        }
        if (it->second->shape() != t.shape() || it->second->dtype() != t.dtype())
            mismatched.push_back(fmt::format("{} (checkpoint {} {}, model {} {})", name, shape_str(it->second->shape()),
                                             dtype_name(it->second->dtype()), shape_str(t.shape()), dtype_name(t.dtype())));
    }
    for (auto& [name, t] : tensors)
        if (!known.count(name)) unexpected.push_back(name);
    // Tied weights (one tensor, two names, e.g. wte.weight and lm_head.weight) are saved
    // under each name; both copies must hold the same bytes, or loading would keep
    // whichever came last and silently drop the other.
    std::map<const TensorImpl*, std::string> first_name;
    std::vector<std::string> untied;
    for (auto& [name, t] : mine) {
        auto [it, fresh] = first_name.emplace(&t.impl(), name);
        if (fresh || !given.count(name) || !given.count(it->second)) continue;
        Tensor a = given[it->second]->detach().to(Device::cpu()).contiguous();
        Tensor b = given[name]->detach().to(Device::cpu()).contiguous();
        if (a.shape() == b.shape() && a.dtype() == b.dtype() &&
            std::memcmp(a.raw_data(), b.raw_data(), (size_t)a.numel() * dtype_size(a.dtype())) != 0)
            untied.push_back(it->second + " and " + name);
    }
    auto join = [](const std::vector<std::string>& v) {
        std::string s;
        for (size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + v[i];
        return s;
    };
    std::string problems;
    if (!mismatched.empty()) problems += "\n  mis-shaped: " + join(mismatched);
    if (strict && !missing.empty()) problems += "\n  missing: " + join(missing);
    if (strict && !unexpected.empty()) problems += "\n  unexpected: " + join(unexpected);
    if (!untied.empty()) problems += "\n  tied in the model but different in the checkpoint: " + join(untied);
    if (!problems.empty()) throw std::runtime_error("load_state_dict: the checkpoint does not fit the model:" + problems);
    NoGradGuard no_grad;
    for (auto& [name, t] : mine)
        if (auto it = given.find(name); it != given.end()) t.copy_from(*it->second);
}

void Module::train(bool on) {
    training_ = on;
    for (auto& c : children_)
        if (auto m = c.get()) m->train(on);
}

int64_t Module::num_parameters(bool trainable_only) const {
    int64_t n = 0;
    for (auto& [name, t] : named_parameters(trainable_only)) n += t.numel();
    return n;
}

void Module::requires_grad_(bool on) {
    for (auto& [name, t] : named_parameters()) t.requires_grad_(on);
}

void Module::zero_grad() {
    for (auto& [name, t] : named_parameters()) t.zero_grad();
}

void Module::to(Device device) {
    // Each registered slot gets a tensor on the new device; tied slots stay tied. A tensor
    // already there is left as it is: replacing it would drop its .grad and cut it off from
    // an optimizer holding it (model.to(cpu) on a CPU model did both, silently).
    std::map<TensorImpl*, Tensor> moved;
    std::function<void(Module&)> walk = [&](Module& m) {
        for (auto* list : {&m.params_, &m.buffers_})
            for (auto& [name, slot] : *list) {
                if (slot->device() == device) continue;
                auto it = moved.find(&slot->impl());
                if (it == moved.end()) {
                    Tensor t = slot->detach().to(device);
                    if (slot->requires_grad()) t.requires_grad_(true);
                    it = moved.emplace(&slot->impl(), t).first;
                }
                *slot = it->second;
            }
        for (auto& c : m.children_)
            if (auto child = c.get()) walk(*child);
    };
    walk(*this);
}

Device Module::device() const {
    auto ps = named_parameters();
    return ps.empty() ? Device::cpu() : ps[0].second.device();
}

void ModuleList::push_back(std::shared_ptr<Module> m) {
    items_.push_back(std::make_unique<std::shared_ptr<Module>>(std::move(m)));
    register_module(std::to_string(items_.size() - 1), *items_.back());
}

}  // namespace aprender::nn
