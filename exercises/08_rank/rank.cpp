// Exercise 8 — rank by Gaussian elimination. / Posto por eliminação gaussiana.
#include "exercises/08_rank/rank.h"

#include "exercises/exercise.h"

#include <cmath>

namespace aprender::exercises {

int64_t rank_by_gauss(const lora::linalg::Matrix& m, double tol) {
    // TODO(exercise 8): copy m (lora::linalg::Matrix a = m; a(i, j) reads and writes),
    // then for each column, left to right, with `row` = the next row without a pivot:
    //   - find the row r ≥ row with the largest |a(r, col)|; if it is ≤ tol, this column has
    //     no pivot: go to the next column (row stays);
    //   - swap rows r and row; eliminate a(i, col) below it (R_i ← R_i − f·R_row);
    //   - row++ (one more pivot).
    // The rank is the number of pivots. Stop when row reaches m.rows.
    throw APRENDER_TODO(8, "rank_by_gauss");
}

}  // namespace aprender::exercises
