// A plausible wrong answer to exercise 9 (instructors only; the main suite checks that it fails): no scale, and merge/unmerge that do nothing.
#include "exercises/09_lora_forward/lora_forward.h"
namespace aprender::exercises {
Tensor lora_forward(const Tensor& x, const Tensor& W0, const Tensor& b, const Tensor& A, const Tensor& B, double) { return add(linear(x, W0, b), linear(linear(x, A), B)); }
void lora_merge(Tensor&, const Tensor&, const Tensor&, double) {}
void lora_unmerge(Tensor&, const Tensor&, const Tensor&, double) {}
}
