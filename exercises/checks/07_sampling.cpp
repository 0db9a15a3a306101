// Checks of exercise 7: temperature, top-k, top-p (and both), greedy, and drawing.
#include "exercises/07_sampling/sampling.h"
#include "exercises/check.h"

#include <cmath>

using namespace aprender::exercises;
using namespace aprender::exercises::check;

namespace {

std::vector<double> softmax(const std::vector<double>& z) {
    double mx = *std::max_element(z.begin(), z.end()), t = 0;
    std::vector<double> p;
    for (double x : z) t += std::exp(x - mx);
    for (double x : z) p.push_back(std::exp(x - mx) / t);
    return p;
}
// Logits whose softmax is exactly these probabilities (up to float rounding).
std::vector<float> logits_of(const std::vector<double>& p) {
    std::vector<float> l;
    for (double x : p) l.push_back((float)std::log(x));
    return l;
}

}  // namespace

EXERCISE_CHECK(7, "temperature 1 and 0.5, no cut: a softmax") {
    std::vector<float> l = {1.0f, 3.0f, 2.0f, 0.5f};
    expect_all_near(sampling_distribution(l, 1.0, 0, 1.0), softmax({1, 3, 2, 0.5}), 1e-6,
                    "distribution for logits 1 3 2 0.5, temperature 1", "softmax(logits): exp, then divide by the sum");
    expect_all_near(sampling_distribution(l, 0.5, 0, 1.0), softmax({2, 6, 4, 1}), 1e-6,
                    "distribution with temperature 0.5", "divide the logits by the temperature before the softmax");
    std::vector<float> big = {1000.0f, 999.0f};
    expect_all_near(sampling_distribution(big, 1.0, 0, 1.0), softmax({1, 0}), 1e-6, "distribution for logits 1000 999",
                    "subtract the largest logit before exp (exp(1000) overflows)");
}

EXERCISE_CHECK(7, "temperature 0: greedy") {
    expect_all_near(sampling_distribution({0.1f, 2.5f, -1.0f, 2.0f}, 0.0, 0, 1.0), {0, 1, 0, 0}, 0,
                    "distribution with temperature 0", "temperature ≤ 0 puts all the mass on the argmax");
}

EXERCISE_CHECK(7, "top-k keeps the k most likely, renormalised") {
    std::vector<float> l = {1.0f, 3.0f, 2.0f, 0.5f};
    auto p = softmax({1, 3, 2, 0.5});
    double s = p[1] + p[2];
    expect_all_near(sampling_distribution(l, 1.0, 2, 1.0), {0, p[1] / s, p[2] / s, 0}, 1e-6,
                    "distribution with top_k = 2 for logits 1 3 2 0.5",
                    "keep tokens 1 and 2 (the two largest), set the others to exactly 0, and divide by the kept mass");
    expect_all_near(sampling_distribution(l, 1.0, 1, 1.0), {0, 1, 0, 0}, 1e-12, "distribution with top_k = 1",
                    "top_k = 1 is greedy");
    expect_all_near(sampling_distribution(l, 1.0, 10, 1.0), p, 1e-6, "distribution with top_k = 10 > vocabulary (4)",
                    "top_k larger than the vocabulary keeps everything");
}

EXERCISE_CHECK(7, "top-p keeps the smallest nucleus with mass ≥ p") {
    auto l = logits_of({0.05, 0.5, 0.15, 0.3});
    expect_all_near(sampling_distribution(l, 1.0, 0, 0.6), {0, 0.5 / 0.8, 0, 0.3 / 0.8}, 1e-6,
                    "probabilities 0.05 0.5 0.15 0.3 with top_p = 0.6",
                    "sort descending: 0.5 (< 0.6, go on), 0.5+0.3 = 0.8 ≥ 0.6: stop; keep {1, 3}, renormalise");
    expect_all_near(sampling_distribution(l, 1.0, 0, 0.45), {0, 1, 0, 0}, 1e-6, "the same with top_p = 0.45",
                    "0.5 ≥ 0.45 already: the nucleus is the top token alone");
    expect_all_near(sampling_distribution(l, 1.0, 0, 0.9), {0, 0.5 / 0.95, 0.15 / 0.95, 0.3 / 0.95}, 1e-6,
                    "the same with top_p = 0.9", "0.5 + 0.3 = 0.8 < 0.9, + 0.15 = 0.95 ≥ 0.9: three tokens");
}

EXERCISE_CHECK(7, "top-k, then top-p on what top-k kept") {
    auto l = logits_of({0.05, 0.5, 0.15, 0.3});
    // top_k = 2 keeps 0.5 and 0.3 → 0.625 and 0.375; top_p = 0.6 → 0.625 alone is enough.
    expect_all_near(sampling_distribution(l, 1.0, 2, 0.6), {0, 1, 0, 0}, 1e-6,
                    "top_k = 2 then top_p = 0.6 on probabilities 0.05 0.5 0.15 0.3",
                    "apply top-p to the renormalised top-k distribution (0.625, 0.375): 0.625 ≥ 0.6");
}

EXERCISE_CHECK(7, "sample_from is the inverse CDF") {
    std::vector<double> p = {0.2, 0.0, 0.5, 0.3};
    double us[] = {0.0, 0.1999, 0.2, 0.5, 0.6999, 0.7, 0.95, 0.999999};
    int32_t want[] = {0, 0, 2, 2, 2, 3, 3, 3};
    for (int i = 0; i < 8; ++i)
        expect_eq(sample_from(p, us[i]), want[i], fmt::format("sample_from({{0.2, 0, 0.5, 0.3}}, u = {})", us[i]),
                  "cumulative sums are 0.2, 0.2, 0.7, 1.0: return the first i whose cumulative sum is > u "
                  "(a token with p = 0 can never be drawn)");
}
