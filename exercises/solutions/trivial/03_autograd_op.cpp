// A plausible wrong answer to exercise 3 (instructors only; the main suite checks that it fails): a composition of mul and sigmoid instead of a backward node.
#include "exercises/03_autograd_op/silu.h"
namespace aprender::exercises { Tensor silu(const Tensor& x) { return mul(x, sigmoid(x)); } }
