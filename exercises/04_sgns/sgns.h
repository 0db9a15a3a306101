// Exercise 4 — word2vec: the skip-gram negative-sampling loss and its gradient.
// Statement: README.md in this folder.
#pragma once

#include <vector>

namespace aprender::exercises {

// For a center word's vector v_c, the true context word's vector u_o and K negative
// (randomly drawn) words' vectors u_1..u_K, all of the same dimension:
//
//     loss = −log σ(u_o·v_c) − Σ_k log σ(−u_k·v_c)
//
// and the gradient of the loss with respect to v_c, u_o and every u_k.
struct SgnsResult {
    double loss = 0;
    std::vector<double> grad_center;                  // ∂loss/∂v_c
    std::vector<double> grad_context;                 // ∂loss/∂u_o
    std::vector<std::vector<double>> grad_negatives;  // ∂loss/∂u_k, one per negative
};

SgnsResult sgns_loss(const std::vector<double>& center, const std::vector<double>& context,
                     const std::vector<std::vector<double>>& negatives);

}  // namespace aprender::exercises
