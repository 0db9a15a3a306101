// The rank algebra of the lecture, checked exactly: elimination steps, the Jacobi SVD
// against two independent float64 references (a closed form and LAPACK's dgesvd, which
// OpenBLAS exports), Eckart–Young, the paper's subspace similarity, the spectrum of B·A.
#include "lora/linalg.h"
#include "lora/lora.h"
#include "nn/layers.h"

#include <doctest/doctest.h>

#include <cmath>

using namespace aprender;
using namespace aprender::lora::linalg;

// LAPACK's Fortran entry point (OpenBLAS ships LAPACK). The two trailing size_t are the
// hidden lengths of the character arguments (gfortran's calling convention).
extern "C" void dgesvd_(const char* jobu, const char* jobvt, const int* m, const int* n, double* a, const int* lda,
                        double* s, double* u, const int* ldu, double* vt, const int* ldvt, double* work,
                        const int* lwork, int* info, size_t, size_t);

static std::vector<double> lapack_singular_values(const Matrix& m) {
    // LAPACK is column-major: pass Mᵀ's row-major data, i.e. M in column-major order.
    std::vector<double> a = m.transpose().a, s((size_t)std::min(m.rows, m.cols)), work(1000);
    int rows = (int)m.rows, cols = (int)m.cols, lda = rows, one = 1, lwork = 1000, info = 0;
    double dummy = 0;
    dgesvd_("N", "N", &rows, &cols, a.data(), &lda, s.data(), &dummy, &one, &dummy, &one, work.data(), &lwork, &info, 1, 1);
    REQUIRE(info == 0);
    return s;
}

static Matrix lecture_matrix() { return Matrix::from_rows({{0, 0, 0}, {1, 2, 1}, {1, 2, 2}}); }

static Matrix random_matrix(int64_t r, int64_t c, uint64_t seed) {
    Generator g(seed);
    return Matrix::from_tensor(Tensor::normal({r, c}, 0, 1, g, DType::f64));
}

TEST_CASE("lora: the lecture's ΔW has rank 2 — column 2 = 2·column 1, column 3 is independent") {
    Elimination e = gauss_jordan(lecture_matrix());
    CHECK(e.rank() == 2);
    CHECK(e.pivot_cols == std::vector<int64_t>{0, 2});
    CHECK(e.dependencies() == std::vector<std::string>{"column 2 = 2*column 1"});
    // The same, as numbers (a tutorial words them in its own language): col 2 = 2 · col 1.
    auto deps = e.dependent_columns();
    REQUIRE(deps.size() == 1);
    CHECK(deps[0].column == 1);
    CHECK(deps[0].terms == std::vector<std::pair<double, int64_t>>{{2.0, 0}});
    // The steps, as on the blackboard (partial pivoting brings row 2 up first).
    std::vector<std::string> ops;
    for (auto& s : e.steps) ops.push_back(s.str());
    CHECK(ops == std::vector<std::string>{"R1 <-> R2", "R3 <- R3 - 1*R1", "R2 <-> R3", "R1 <- R1 - 1*R2"});
    CHECK(e.rref.a == std::vector<double>{1, 2, 0, 0, 0, 1, 0, 0, 0});
    CHECK(e.str().find("pivot columns: 1, 3  =>  rank 2") != std::string::npos);
    CHECK(rank_by_elimination(lecture_matrix()) == 2);
    CHECK(numerical_rank(lecture_matrix()) == 2);
}

TEST_CASE("lora: elimination pivots on the largest entry and handles zero and full-rank matrices") {
    Elimination e = gauss_jordan(Matrix::from_rows({{1, 2}, {3, 4}}));
    REQUIRE(!e.steps.empty());
    CHECK(e.steps[0].str() == "R1 <-> R2");  // |3| > |1|
    CHECK(e.steps[1].str() == "R1 <- R1 / 3");
    CHECK(e.rank() == 2);
    CHECK(gauss_jordan(Matrix(3, 4)).rank() == 0);
    CHECK(gauss_jordan(Matrix(3, 4)).dependencies().size() == 4);
    CHECK(gauss_jordan(Matrix(3, 4)).dependent_columns()[3].terms.empty());  // a zero column
    CHECK(gauss_jordan(Matrix(3, 4)).dependencies()[3] == "column 4 = 0 (a zero column)");
    CHECK(rank_by_elimination(random_matrix(5, 7, 3)) == 5);
}

TEST_CASE("lora: a matrix of negative size is refused by linalg, naming the sizes") {
    // The sizes were checked after the entries' vector was made from r·c as a size_t: a
    // negative size threw std::length_error from the vector instead of this message.
    CHECK_THROWS_WITH_AS(Matrix(-1, 3), "linalg: bad matrix size -1 x 3", std::invalid_argument);
    CHECK_THROWS_WITH_AS(Matrix(2, -5), "linalg: bad matrix size 2 x -5", std::invalid_argument);
    CHECK_THROWS_WITH_AS(Matrix(INT64_MAX, 2), doctest::Contains("more entries than an int64 counts"), std::invalid_argument);
    CHECK(Matrix(0, 4).a.empty());
}

TEST_CASE("lora: Jacobi singular values of the lecture matrix match the closed form and LAPACK") {
    // ΔWᵀΔW = [[2,4,3],[4,8,6],[3,6,5]]: trace 15, sum of 2×2 principal minors 0+1+4 = 5,
    // determinant 0, so its eigenvalues solve λ(λ² − 15λ + 5) = 0: λ = (15 ± √205)/2, 0.
    double l1 = (15 + std::sqrt(205.0)) / 2, l2 = (15 - std::sqrt(205.0)) / 2;
    std::vector<double> s = singular_values(lecture_matrix());
    REQUIRE(s.size() == 3);
    CHECK(s[0] == doctest::Approx(std::sqrt(l1)).epsilon(1e-14));
    CHECK(s[1] == doctest::Approx(std::sqrt(l2)).epsilon(1e-13));
    CHECK(std::fabs(s[2]) < 1e-14);
    std::vector<double> ref = lapack_singular_values(lecture_matrix());
    for (int k = 0; k < 3; ++k) CHECK(std::fabs(s[k] - ref[k]) < 1e-13);
}

TEST_CASE("lora: SVD reconstructs M, U and V are orthonormal, values match LAPACK (tall and wide)") {
    for (auto [r, c] : {std::pair<int64_t, int64_t>{7, 4}, {4, 9}, {6, 6}}) {
        Matrix m = random_matrix(r, c, 10 + r * c);
        SVD d = svd(m);
        int64_t k = std::min(r, c);
        REQUIRE((int64_t)d.S.size() == k);
        Matrix us = d.U;
        for (int64_t i = 0; i < us.rows; ++i)
            for (int64_t j = 0; j < k; ++j) us(i, j) *= d.S[j];
        CHECK(frobenius(matmul(us, d.V.transpose()) - m) < 1e-12);
        CHECK(frobenius(matmul(d.U.transpose(), d.U) - Matrix::identity(k)) < 1e-12);
        CHECK(frobenius(matmul(d.V.transpose(), d.V) - Matrix::identity(k)) < 1e-12);
        std::vector<double> ref = lapack_singular_values(m);
        for (int64_t j = 0; j < k; ++j) CHECK(d.S[j] == doctest::Approx(ref[j]).epsilon(1e-12));
    }
}

TEST_CASE("lora: the best rank-r approximation's error is the tail of the spectrum (Eckart–Young)") {
    SVD d = svd(lecture_matrix());
    Matrix m1 = best_rank_approximation(d, 1);
    double err = frobenius(lecture_matrix() - m1);
    CHECK(err == doctest::Approx(d.S[1]).epsilon(1e-12));  // rank 2: the only tail value is σ2
    CHECK(rank_truncation_error(d.S, 1) == doctest::Approx(err).epsilon(1e-12));
    CHECK(numerical_rank(m1) == 1);
    CHECK(frobenius(lecture_matrix() - best_rank_approximation(d, 2)) < 1e-13);  // rank 2 is exact
    Matrix m = random_matrix(6, 5, 77);
    SVD dm = svd(m);
    for (int64_t r = 0; r <= 5; ++r)
        CHECK(frobenius(m - best_rank_approximation(dm, r)) == doctest::Approx(rank_truncation_error(dm.S, r)).epsilon(1e-10));
    // A rank-3 product has three non-zero singular values and a numerical rank of 3.
    Matrix low = matmul(random_matrix(8, 3, 1), random_matrix(3, 6, 2));
    CHECK(numerical_rank(low) == 3);
    CHECK(rank_by_elimination(low) == 3);
}

TEST_CASE("lora: subspace similarity φ is 1 for the same subspace, 0 for orthogonal ones, in [0, 1] otherwise") {
    Matrix A = random_matrix(4, 10, 5);
    CHECK(subspace_similarity(A, A, 4, 4) == doctest::Approx(1.0).epsilon(1e-12));
    // A2 spans A's top-2 right-singular directions and more: φ(i = 2) = 1.
    Matrix scaled = A;
    for (double& v : scaled.a) v *= -3.0;
    CHECK(subspace_similarity(A, scaled, 2, 4) == doctest::Approx(1.0).epsilon(1e-12));
    Matrix e12 = Matrix::from_rows({{1, 0, 0, 0}, {0, 1, 0, 0}}), e34 = Matrix::from_rows({{0, 0, 1, 0}, {0, 0, 0, 1}});
    CHECK(subspace_similarity(e12, e34, 2, 2) == doctest::Approx(0.0));
    double phi = subspace_similarity(A, random_matrix(8, 10, 6), 2, 3);
    CHECK(phi >= 0);
    CHECK(phi <= 1);
    CHECK_THROWS_AS(subspace_similarity(A, A, 5, 1), std::invalid_argument);
    CHECK_THROWS_AS(subspace_similarity(A, random_matrix(4, 9, 1), 1, 1), std::invalid_argument);
}

TEST_CASE("lora: the spectrum of s·B·A, computed thin, equals the SVD of the formed product") {
    Generator g(3);
    auto base = std::make_shared<nn::Linear>(12, 9, true, g);
    lora::Config c;
    c.r = 3;
    c.alpha = 6;
    lora::Linear l(base, c, g);
    CHECK(delta_spectrum(l) == std::vector<double>{0, 0, 0});  // B = 0 at initialisation
    l.B.copy_from(Tensor::normal(l.B.shape(), 0, 1, g));
    std::vector<double> thin = delta_spectrum(l);
    std::vector<double> full = singular_values(Matrix::from_tensor(l.delta_weight()));
    REQUIRE(thin.size() == 3);
    for (int k = 0; k < 3; ++k) CHECK(thin[k] == doctest::Approx(full[k]).epsilon(1e-5));  // f32 ΔW vs f64
    for (size_t k = 3; k < full.size(); ++k) CHECK(full[k] < 1e-5 * full[0]);             // rank ≤ r
}
