// Reference solution of exercise 7 (instructors only; not in the student kit).
#include "exercises/07_sampling/sampling.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace aprender::exercises {

std::vector<double> sampling_distribution(const std::vector<float>& logits, double temperature, int64_t top_k,
                                          double top_p) {
    size_t V = logits.size();
    std::vector<double> p(V, 0.0);
    if (V == 0) return p;
    if (temperature <= 0) {
        p[std::max_element(logits.begin(), logits.end()) - logits.begin()] = 1.0;
        return p;
    }
    double mx = *std::max_element(logits.begin(), logits.end()), total = 0;
    for (size_t i = 0; i < V; ++i) total += p[i] = std::exp((logits[i] - mx) / temperature);
    for (double& x : p) x /= total;
    std::vector<size_t> order(V);
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return p[a] > p[b]; });
    size_t keep = top_k > 0 ? std::min<size_t>(top_k, V) : V;
    if (top_p < 1.0) {
        double kept = 0, cum = 0;
        for (size_t i = 0; i < keep; ++i) kept += p[order[i]];
        size_t n = 0;
        while (n < keep && cum < top_p * kept) cum += p[order[n++]];
        keep = std::max<size_t>(n, 1);
    }
    std::vector<double> q(V, 0.0);
    double kept = 0;
    for (size_t i = 0; i < keep; ++i) kept += p[order[i]];
    for (size_t i = 0; i < keep; ++i) q[order[i]] = p[order[i]] / kept;
    return q;
}

int32_t sample_from(const std::vector<double>& probs, double u) {
    double cum = 0;
    int32_t last = -1;
    for (size_t i = 0; i < probs.size(); ++i) {
        if (probs[i] <= 0) continue;
        cum += probs[i];
        last = (int32_t)i;
        if (u < cum) return last;
    }
    return last;  // u at the very top (rounding): the last token with p > 0
}

}  // namespace aprender::exercises
