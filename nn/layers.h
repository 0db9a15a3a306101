// layers.h — the basic layers, with PyTorch's parameter names and layouts so that
// checkpoints move between aprender and PyTorch unchanged.
#pragma once

#include "nn/module.h"

namespace aprender::nn {

// y = x·Wᵀ + b, weight [out, in] (PyTorch's layout), bias [out].
// Default init as PyTorch: U(-1/√in, 1/√in) for both.
class Linear : public Module {
public:
    Linear(int64_t in_features, int64_t out_features, bool bias, Generator& gen);
    Tensor forward(const Tensor& x) override { return linear(x, weight, bias); }
    std::string type_name() const override { return "Linear"; }
    int64_t in_features, out_features;
    Tensor weight, bias;  // bias undefined when constructed without one
};

// A table of vectors: row i is the embedding of token i. weight [num, dim] ~ N(0, 1).
class Embedding : public Module {
public:
    Embedding(int64_t num_embeddings, int64_t dim, Generator& gen);
    Tensor forward(const Tensor& ids) override { return embedding(ids, weight); }
    std::string type_name() const override { return "Embedding"; }
    Tensor weight;
};

// Normalise the last axis to mean 0, variance 1, then scale and shift (weight = 1, bias = 0).
class LayerNorm : public Module {
public:
    explicit LayerNorm(int64_t dim, bool bias = true, double eps = 1e-5);
    Tensor forward(const Tensor& x) override { return layer_norm(x, weight, bias, eps); }
    std::string type_name() const override { return "LayerNorm"; }
    Tensor weight, bias;
    double eps;
};

// Zeroes a fraction p of the activations while training (scaling the rest by 1/(1-p)),
// and does nothing in eval(). The generator is shared with the model, so a fixed seed
// gives the same masks every run.
class Dropout : public Module {
public:
    Dropout(double p, std::shared_ptr<Generator> gen) : p(p), gen_(std::move(gen)) {
        if (!(p >= 0 && p < 1))  // NaN too: checked when the model is built, not at its first forward
            throw std::invalid_argument(fmt::format("Dropout: probability must be in [0, 1), got {}", p));
    }
    Tensor forward(const Tensor& x) override { return dropout(x, p, is_training(), *gen_); }
    std::string type_name() const override { return "Dropout"; }
    double p;

private:
    std::shared_ptr<Generator> gen_;
};

// The transformer's feed-forward part: Linear C→4C, GELU, Linear 4C→C (+ dropout).
class MLP : public Module {
public:
    MLP(int64_t n_embd, bool bias, double dropout, std::shared_ptr<Generator> gen);
    Tensor forward(const Tensor& x) override;
    std::string type_name() const override { return "MLP"; }
    std::shared_ptr<Module> c_fc, c_proj;  // Module, so LoRA can wrap them too
    std::shared_ptr<Dropout> drop;
};

}  // namespace aprender::nn
