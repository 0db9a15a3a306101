// Exercise 4 — the SGNS loss and its gradient. / A perda SGNS e seu gradiente.
#include "exercises/04_sgns/sgns.h"

#include "exercises/exercise.h"

#include <cmath>

namespace aprender::exercises {

SgnsResult sgns_loss(const std::vector<double>& center, const std::vector<double>& context,
                     const std::vector<std::vector<double>>& negatives) {
    // TODO(exercise 4):
    //  1. the loss: −log σ(u_o·v_c) − Σ_k log σ(−u_k·v_c). Careful: −log σ(z) = log(1 + e^(−z))
    //     overflows for z = −800 if written naively; std::log1p and a case on the sign of z help.
    //  2. the gradients (derive them on paper: d/dz [−log σ(z)] = σ(z) − 1):
    //     ∂/∂v_c, ∂/∂u_o, ∂/∂u_k — each a vector of the same size as the inputs.
    throw APRENDER_TODO(4, "sgns_loss");
}

}  // namespace aprender::exercises
