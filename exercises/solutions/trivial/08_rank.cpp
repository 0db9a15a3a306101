// A plausible wrong answer to exercise 8 (instructors only; the main suite checks that it fails): min(rows, cols).
#include "exercises/08_rank/rank.h"
#include <algorithm>
namespace aprender::exercises { int64_t rank_by_gauss(const lora::linalg::Matrix& m, double) { return std::min(m.rows, m.cols); } }
