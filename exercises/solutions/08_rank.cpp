// Reference solution of exercise 8 (instructors only; not in the student kit).
#include "exercises/08_rank/rank.h"

#include <cmath>
#include <utility>

namespace aprender::exercises {

int64_t rank_by_gauss(const lora::linalg::Matrix& m, double tol) {
    lora::linalg::Matrix a = m;
    int64_t row = 0;
    for (int64_t col = 0; col < a.cols && row < a.rows; ++col) {
        int64_t best = row;
        for (int64_t r = row + 1; r < a.rows; ++r)
            if (std::fabs(a(r, col)) > std::fabs(a(best, col))) best = r;
        if (std::fabs(a(best, col)) <= tol) continue;
        for (int64_t j = 0; j < a.cols; ++j) std::swap(a(row, j), a(best, j));
        for (int64_t r = row + 1; r < a.rows; ++r) {
            double f = a(r, col) / a(row, col);
            for (int64_t j = col; j < a.cols; ++j) a(r, j) -= f * a(row, j);
        }
        ++row;
    }
    return row;
}

}  // namespace aprender::exercises
