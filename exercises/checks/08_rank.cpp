// Checks of exercise 8: the lecture's ΔW, pivoting, zero columns, shapes, low-rank
// products B·A, and the tolerance.
#include "exercises/08_rank/rank.h"
#include "exercises/check.h"

#include <random>

using namespace aprender::exercises;
using namespace aprender::exercises::check;
using aprender::lora::linalg::Matrix;

namespace {
Matrix random_matrix(int64_t r, int64_t c, uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::normal_distribution<double> n(0, 1);
    Matrix m(r, c);
    for (double& x : m.a) x = n(rng);
    return m;
}
}  // namespace

EXERCISE_CHECK(8, "the lecture's ΔW has rank 2 (not 1, as the slide concludes)") {
    Matrix dw = Matrix::from_rows({{0, 0, 0}, {1, 2, 1}, {1, 2, 2}});
    Matrix copy = dw;
    expect_eq(rank_by_gauss(dw), 2, "rank of ΔW = [[0,0,0],[1,2,1],[1,2,2]]",
              "column 2 = 2·column 1, but column 3 is no multiple of column 1 (rows 2 and 3: 1,1 vs 1,2); "
              "the first row is zero, so the first pivot needs a row swap");
    expect_true(copy.a == dw.a, "ΔW after rank_by_gauss", "unchanged", "modified", "work on a copy (Matrix a = m;)");
}

EXERCISE_CHECK(8, "identity, zero and one-pivot matrices") {
    expect_eq(rank_by_gauss(Matrix::identity(4)), 4, "rank of the 4×4 identity", "four pivots, one per column");
    expect_eq(rank_by_gauss(Matrix(3, 5)), 0, "rank of a 3×5 zero matrix", "no entry is above tol: no pivot at all");
    expect_eq(rank_by_gauss(Matrix::from_rows({{0, 0, 1}, {0, 0, 2}, {0, 0, 3}})), 1,
              "rank of [[0,0,1],[0,0,2],[0,0,3]]", "a column without a pivot is skipped; the row stays for the next column");
}

EXERCISE_CHECK(8, "pivoting: a zero where the first pivot would be") {
    expect_eq(rank_by_gauss(Matrix::from_rows({{0, 1}, {1, 0}})), 2, "rank of [[0,1],[1,0]]",
              "when the pivot candidate is 0, look further down the column and swap rows");
    expect_eq(rank_by_gauss(Matrix::from_rows({{0, 2, 4}, {0, 1, 2}, {3, 1, 1}})), 2,
              "rank of [[0,2,4],[0,1,2],[3,1,1]]", "rows 1 and 2 are proportional: two pivots");
}

EXERCISE_CHECK(8, "wide and tall matrices") {
    expect_eq(rank_by_gauss(random_matrix(2, 5, 81)), 2, "rank of a random 2×5 matrix", "at most one pivot per row");
    expect_eq(rank_by_gauss(random_matrix(5, 2, 82)), 2, "rank of a random 5×2 matrix", "at most one pivot per column");
}

EXERCISE_CHECK(8, "ΔW = B·A has rank r (LoRA's bet)") {
    for (int64_t r : {1, 2, 3}) {
        Matrix B = random_matrix(6, r, 83 + r), A = random_matrix(r, 7, 93 + r);
        Matrix dw = aprender::lora::linalg::matmul(B, A);
        expect_eq(rank_by_gauss(dw, 1e-9), r, fmt::format("rank of B·A with B 6×{0}, A {0}×7", r),
                  "after eliminating, rows that are combinations of others become ~1e-15, not 0: compare |x| ≤ tol");
    }
}

EXERCISE_CHECK(8, "the tolerance decides what counts as zero") {
    Matrix m = Matrix::from_rows({{1, 2}, {2, 4 + 1e-12}});
    expect_eq(rank_by_gauss(m, 1e-9), 1, "rank of [[1,2],[2,4+1e-12]] with tol = 1e-9",
              "the second pivot is ~1e-12 ≤ tol: it counts as zero");
    expect_eq(rank_by_gauss(m, 0.0), 2, "the same with tol = 0", "with tol = 0 only exact zeros are zero");
}
