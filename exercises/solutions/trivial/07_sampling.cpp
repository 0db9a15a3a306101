// A plausible wrong answer to exercise 7 (instructors only; the main suite checks that it fails): a plain softmax (no greedy, top-k or top-p), and always the argmax.
#include "exercises/07_sampling/sampling.h"
#include <cmath>
#include <algorithm>
namespace aprender::exercises {
std::vector<double> sampling_distribution(const std::vector<float>& l, double t, int64_t, double) {
  std::vector<double> p; double s = 0, mx = *std::max_element(l.begin(), l.end()); for (float x : l) { p.push_back(std::exp((x - mx) / (t > 0 ? t : 1))); s += p.back(); } for (double& x : p) x /= s; return p; }
int32_t sample_from(const std::vector<double>& p, double) { return std::max_element(p.begin(), p.end()) - p.begin(); }
}
