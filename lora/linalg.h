// linalg.h — the linear algebra behind LoRA's "low rank", in float64, for teaching sizes.
//
// The rank of a matrix is the number of linearly independent columns (= of rows). LoRA
// bets that the update ΔW of fine-tuning has a low rank r, so that ΔW = B·A with
// B [d, r], A [r, k]. Two ways to see a rank:
//
//  * Gaussian elimination (exact thinking, fragile numbers): reduce the matrix by row
//    operations; the number of pivots is the rank, and the columns without a pivot are
//    combinations of the pivot columns — the reduced form even says which combination.
//  * The singular value decomposition M = U·diag(σ)·Vᵀ (robust numbers): σ1 ≥ σ2 ≥ ... ≥ 0;
//    the rank is the number of σ that are not zero; in floating point, "not zero" means
//    "above a tolerance" (the numerical rank). The SVD also gives the best rank-r
//    approximation (Eckart–Young): keep the first r terms σi·ui·viᵀ; its Frobenius error
//    is √(σ_{r+1}² + ... ), so the singular values *are* the price of each rank cut.
//
// The lecture's example: ΔW = [[0,0,0],[1,2,1],[1,2,2]]. Column 2 is 2 × column 1, but
// column 3 is not a combination of column 1 (look at rows 2 and 3: 1,1 vs 1,2), so the
// rank is 2 — not 1 as the slide concludes. tests/lora_linalg_test.cpp checks it.
#pragma once

#include "autograd/tensor.h"

#include <cstdint>
#include <string>
#include <vector>

namespace aprender::lora {
class Linear;
}

namespace aprender::lora::linalg {

// A dense row-major float64 matrix. Small and plain on purpose: these algorithms are to
// be read, and they run on teaching sizes (a GPT's q_proj is 128 × 128).
struct Matrix {
    int64_t rows = 0, cols = 0;
    std::vector<double> a;  // a[i·cols + j]

    Matrix() = default;
    Matrix(int64_t rows, int64_t cols);
    static Matrix from_rows(const std::vector<std::vector<double>>& rows);
    static Matrix from_tensor(const Tensor& t);  // any 2-D tensor, any dtype, any device
    static Matrix identity(int64_t n);
    Tensor to_tensor() const;                    // f64
    double& operator()(int64_t i, int64_t j) { return a[i * cols + j]; }
    double operator()(int64_t i, int64_t j) const { return a[i * cols + j]; }
    Matrix transpose() const;
    std::string str(int precision = 4) const;  // rows in brackets, aligned
};

Matrix matmul(const Matrix& x, const Matrix& y);
Matrix operator-(const Matrix& x, const Matrix& y);
double frobenius(const Matrix& m);  // ‖M‖_F = √(Σ m_ij²)

// ---- Gaussian elimination -----------------------------------------------------------
// One row operation, as written on a blackboard (rows 1-based in text):
//   swap:  R_i ↔ R_j            (partial pivoting: bring the largest |entry| up)
//   scale: R_i ← R_i / p         (make the pivot 1)
//   add:   R_i ← R_i − f·R_j     (clear the pivot column elsewhere)
struct RowOp {
    enum Kind { swap, scale, add } kind;
    int64_t i, j;   // rows (0-based); j unused for scale
    double factor;  // p for scale, f for add
    Matrix after;   // the whole matrix after this operation
    std::string str() const;
};

// A column without a pivot, rebuilt from the pivot columns: col = Σ coefficient · col_pivot.
struct Dependency {
    int64_t column = 0;                             // 0-based
    std::vector<std::pair<double, int64_t>> terms;  // (coefficient, pivot column 0-based); empty: a zero column
};

struct Elimination {
    Matrix input, rref;                // rref: reduced row echelon form
    std::vector<int64_t> pivot_cols;   // 0-based; the independent columns
    std::vector<RowOp> steps;
    int64_t rank() const { return (int64_t)pivot_cols.size(); }
    // Every column without a pivot as a combination of pivot columns, read off the rref
    // (zero coefficients left out): the numbers, for a caller that words them itself...
    std::vector<Dependency> dependent_columns() const;
    // ...or in English: "column 2 = 2*column 1" (1-based, as the lecture numbers them).
    std::vector<std::string> dependencies() const;
    std::string str() const;  // the input, every step with the matrix after it, the verdict
};

// Gauss–Jordan with partial pivoting. An entry with |x| ≤ tol counts as zero; tol < 0
// picks max(rows, cols) · ε · max|entry| (ε = 2.2e-16): NumPy's matrix_rank default, with
// max|entry| in place of the largest singular value (elimination does not compute σ₁).
Elimination gauss_jordan(const Matrix& m, double tol = -1);
int64_t rank_by_elimination(const Matrix& m, double tol = -1);

// ---- singular value decomposition ---------------------------------------------------
// M [m, n] = U·diag(S)·Vᵀ with k = min(m, n): U [m, k] and V [n, k] have orthonormal
// columns (a column is zero where σ = 0), S descending.
struct SVD {
    Matrix U, V;
    std::vector<double> S;
};

// One-sided Jacobi (Hestenes, 1958): rotate pairs of columns of M until every pair is
// orthogonal; then the column norms are the σ's, the normalised columns are U, and the
// product of the rotations is V. Simple, accurate to machine precision, O(m·n²) a sweep.
SVD svd(const Matrix& m);
std::vector<double> singular_values(const Matrix& m);

// Number of σ > tol; tol < 0 picks max(m, n) · ε · σ1 (NumPy's matrix_rank).
int64_t numerical_rank(const std::vector<double>& S, int64_t rows, int64_t cols, double tol = -1);
int64_t numerical_rank(const Matrix& m, double tol = -1);

// Σ_{i<r} σi·ui·viᵀ: the closest rank-r matrix in Frobenius (and spectral) norm.
Matrix best_rank_approximation(const SVD& d, int64_t r);
// ‖M − M_r‖_F = √(Σ_{i≥r} σi²), from the singular values alone (Eckart–Young).
double rank_truncation_error(const std::vector<double>& S, int64_t r);

// ---- LoRA's own measurements --------------------------------------------------------
// The paper's §7 subspace similarity between two A matrices (A1 [r1, k], A2 [r2, k]):
//   φ(A1, A2, i, j) = ‖U1_iᵀ·U2_j‖_F² / min(i, j)  ∈ [0, 1]
// where U1_i are the top-i right-singular vectors of A1 (columns in R^k) and U2_j the
// top-j of A2. 1: the i-dimensional directions of one lie inside the other's; 0: orthogonal.
double subspace_similarity(const Matrix& A1, const Matrix& A2, int64_t i, int64_t j);

// Singular values of s·B·A without forming the d × k product: with A = Ua·Σa·Vaᵀ,
// B·A = (B·Ua·Σa)·Vaᵀ and Va has orthonormal columns, so σ(B·A) = σ(B·Ua·Σa), a
// [d, r] matrix: O((d + k)·r²) instead of O(d·k·min(d, k)). Returns min(d, r, k) values (r when
// r ≤ min(d, k), which LoRA enforces).
std::vector<double> low_rank_product_spectrum(const Matrix& B, const Matrix& A, double scale = 1.0);
// The spectrum of an adapter's ΔW = s·B·A (active adapter): at most r non-zero values.
std::vector<double> delta_spectrum(const Linear& layer);

}  // namespace aprender::lora::linalg
