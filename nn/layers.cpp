// layers.cpp — Linear, Embedding, LayerNorm, MLP (see layers.h).
#include "nn/layers.h"

#include <cmath>

namespace aprender::nn {

Linear::Linear(int64_t in, int64_t out, bool has_bias, Generator& gen) : in_features(in), out_features(out) {
    if (in <= 0 || out <= 0) throw std::invalid_argument(fmt::format("Linear: sizes must be positive, got {}→{}", in, out));
    double bound = 1.0 / std::sqrt((double)in);
    weight = Tensor::uniform({out, in}, -bound, bound, gen);
    register_parameter("weight", weight);
    if (has_bias) {
        bias = Tensor::uniform({out}, -bound, bound, gen);
        register_parameter("bias", bias);
    }
}

Embedding::Embedding(int64_t num, int64_t dim, Generator& gen) {
    if (num <= 0 || dim <= 0) throw std::invalid_argument(fmt::format("Embedding: sizes must be positive, got {}×{}", num, dim));
    weight = Tensor::normal({num, dim}, 0.0, 1.0, gen);
    register_parameter("weight", weight);
}

LayerNorm::LayerNorm(int64_t dim, bool has_bias, double eps) : eps(eps) {
    weight = Tensor::ones({dim});
    register_parameter("weight", weight);
    if (has_bias) {
        bias = Tensor::zeros({dim});
        register_parameter("bias", bias);
    }
}

MLP::MLP(int64_t n_embd, bool bias, double p, std::shared_ptr<Generator> gen) {
    register_module("c_fc", c_fc = std::make_shared<Linear>(n_embd, 4 * n_embd, bias, *gen));
    register_module("c_proj", c_proj = std::make_shared<Linear>(4 * n_embd, n_embd, bias, *gen));
    register_module("drop", drop = std::make_shared<Dropout>(p, gen));
}

Tensor MLP::forward(const Tensor& x) {      // x: (B, T, C)
    Tensor h = gelu(c_fc->forward(x));       // (B, T, 4C)
    return drop->forward(c_proj->forward(h)); // (B, T, C)
}

}  // namespace aprender::nn
