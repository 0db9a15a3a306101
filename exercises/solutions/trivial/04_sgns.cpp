// A plausible wrong answer to exercise 4 (instructors only; the main suite checks that it fails): zero loss and zero gradients.
#include "exercises/04_sgns/sgns.h"
namespace aprender::exercises { SgnsResult sgns_loss(const std::vector<double>& c, const std::vector<double>&, const std::vector<std::vector<double>>& n) {
  SgnsResult r; r.grad_center.assign(c.size(), 0); r.grad_context.assign(c.size(), 0); r.grad_negatives.assign(n.size(), std::vector<double>(c.size())); return r; } }
