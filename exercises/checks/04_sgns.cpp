// Checks of exercise 4: the SGNS loss (known values, stability) and its gradient
// (against central finite differences of the loss itself).
#include "exercises/04_sgns/sgns.h"
#include "exercises/check.h"

#include <random>

using namespace aprender::exercises;
using namespace aprender::exercises::check;

namespace {

using Vec = std::vector<double>;
Vec randvec(std::mt19937_64& rng, size_t d) {
    std::normal_distribution<double> n(0, 0.7);
    Vec v(d);
    for (double& x : v) x = n(rng);
    return v;
}
double ref_loss(const Vec& vc, const Vec& uo, const std::vector<Vec>& negs) {
    auto dot = [](const Vec& a, const Vec& b) {
        double s = 0;
        for (size_t i = 0; i < a.size(); ++i) s += a[i] * b[i];
        return s;
    };
    double l = std::log1p(std::exp(-dot(uo, vc)));
    for (const Vec& u : negs) l += std::log1p(std::exp(dot(u, vc)));
    return l;
}

}  // namespace

EXERCISE_CHECK(4, "zero vectors: the loss is (K+1)·log 2") {
    Vec z(5, 0.0);
    SgnsResult r = sgns_loss(z, z, {z, z, z});
    expect_near(r.loss, 4 * std::log(2.0), 1e-12, "loss with v_c = u_o = u_k = 0 and K = 3 negatives",
                "σ(0) = 1/2, so each of the 1 + K terms is −log(1/2) = log 2");
}

EXERCISE_CHECK(4, "the loss of random vectors") {
    std::mt19937_64 rng(4);
    Vec vc = randvec(rng, 8), uo = randvec(rng, 8);
    std::vector<Vec> negs = {randvec(rng, 8), randvec(rng, 8), randvec(rng, 8), randvec(rng, 8), randvec(rng, 8)};
    expect_near(sgns_loss(vc, uo, negs).loss, ref_loss(vc, uo, negs), 1e-10, "loss with d = 8, K = 5",
                "loss = −log σ(u_o·v_c) − Σ_k log σ(−u_k·v_c): mind the minus sign inside the negatives' σ");
}

EXERCISE_CHECK(4, "a confident right answer costs ~0, a confident wrong one is large but finite") {
    Vec vc = {20.0, 20.0}, good = {20.0, 20.0}, bad = {-20.0, -20.0};
    SgnsResult r = sgns_loss(vc, good, {bad});
    expect_near(r.loss, 0.0, 1e-12, "loss when u_o·v_c = 800 and u_k·v_c = −800", "σ(800) = 1: nothing to learn");
    SgnsResult w = sgns_loss(vc, bad, {good});
    expect_near(w.loss, 1600.0, 1e-9, "loss when u_o·v_c = −800 and u_k·v_c = 800 (each term costs 800)",
                "−log σ(z) for z = −800 is 800, but log(1 + exp(800)) overflows to inf: write it as "
                "−z + log1p(exp(z)) when z < 0");
}

EXERCISE_CHECK(4, "gradients agree with finite differences") {
    std::mt19937_64 rng(44);
    const size_t d = 6, K = 4;
    Vec vc = randvec(rng, d), uo = randvec(rng, d);
    std::vector<Vec> negs;
    for (size_t k = 0; k < K; ++k) negs.push_back(randvec(rng, d));
    SgnsResult r = sgns_loss(vc, uo, negs);
    expect_eq(r.grad_center.size(), d, "size of grad_center", "one number per coordinate of v_c");
    expect_eq(r.grad_context.size(), d, "size of grad_context", "one number per coordinate of u_o");
    expect_eq(r.grad_negatives.size(), K, "number of grad_negatives", "one gradient vector per negative word");
    const double h = 1e-6;
    auto numeric = [&](Vec& x, size_t i) {
        double s = x[i];
        x[i] = s + h;
        double lp = ref_loss(vc, uo, negs);
        x[i] = s - h;
        double lm = ref_loss(vc, uo, negs);
        x[i] = s;
        return (lp - lm) / (2 * h);
    };
    Vec nc, no;
    for (size_t i = 0; i < d; ++i) nc.push_back(numeric(vc, i));
    for (size_t i = 0; i < d; ++i) no.push_back(numeric(uo, i));
    expect_all_near(r.grad_center, nc, 1e-6, "∂loss/∂v_c", "(σ(u_o·v_c) − 1)·u_o + Σ_k σ(u_k·v_c)·u_k");
    expect_all_near(r.grad_context, no, 1e-6, "∂loss/∂u_o", "(σ(u_o·v_c) − 1)·v_c");
    for (size_t k = 0; k < K; ++k) {
        Vec nk;
        for (size_t i = 0; i < d; ++i) nk.push_back(numeric(negs[k], i));
        expect_all_near(r.grad_negatives[k], nk, 1e-6, fmt::format("∂loss/∂u_{} (negative {})", k + 1, k + 1),
                        "σ(u_k·v_c)·v_c: the negative is pushed away from v_c");
    }
}

EXERCISE_CHECK(4, "no negatives: only the positive term") {
    Vec vc = {1.0, -2.0, 0.5}, uo = {0.3, 0.1, -1.0};
    SgnsResult r = sgns_loss(vc, uo, {});
    expect_near(r.loss, ref_loss(vc, uo, {}), 1e-12, "loss with K = 0", "the sum over negatives is empty");
    expect_true(r.grad_negatives.empty(), "grad_negatives with K = 0", "empty", fmt::format("{} vectors", r.grad_negatives.size()),
                "one gradient per negative, so none here");
}
