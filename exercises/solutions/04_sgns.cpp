// Reference solution of exercise 4 (instructors only; not in the student kit).
#include "exercises/04_sgns/sgns.h"

#include <cmath>
#include <stdexcept>

namespace aprender::exercises {

namespace {
double dot(const std::vector<double>& a, const std::vector<double>& b) {
    double s = 0;
    for (size_t i = 0; i < a.size(); ++i) s += a[i] * b[i];
    return s;
}
double sigmoid(double z) { return z >= 0 ? 1 / (1 + std::exp(-z)) : std::exp(z) / (1 + std::exp(z)); }
// −log σ(z) = log(1 + e^(−z)), without overflow
double neg_log_sigmoid(double z) { return z >= 0 ? std::log1p(std::exp(-z)) : -z + std::log1p(std::exp(z)); }
}  // namespace

SgnsResult sgns_loss(const std::vector<double>& vc, const std::vector<double>& uo,
                     const std::vector<std::vector<double>>& negs) {
    size_t d = vc.size();
    if (uo.size() != d) throw std::invalid_argument("sgns_loss: center and context differ in size");
    SgnsResult r;
    r.grad_center.assign(d, 0.0);
    r.grad_context.assign(d, 0.0);
    double zo = dot(uo, vc), go = sigmoid(zo) - 1;  // d/dz −log σ(z)
    r.loss = neg_log_sigmoid(zo);
    for (size_t i = 0; i < d; ++i) {
        r.grad_center[i] += go * uo[i];
        r.grad_context[i] = go * vc[i];
    }
    for (const auto& uk : negs) {
        if (uk.size() != d) throw std::invalid_argument("sgns_loss: a negative differs in size");
        double zk = dot(uk, vc), gk = sigmoid(zk);  // d/dz −log σ(−z) = σ(z)
        r.loss += neg_log_sigmoid(-zk);
        std::vector<double> g(d);
        for (size_t i = 0; i < d; ++i) {
            r.grad_center[i] += gk * uk[i];
            g[i] = gk * vc[i];
        }
        r.grad_negatives.push_back(g);
    }
    return r;
}

}  // namespace aprender::exercises
