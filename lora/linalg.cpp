// linalg.cpp — elimination, Jacobi SVD and LoRA's spectra (see linalg.h).
#include "lora/linalg.h"

#include "lora/lora.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <stdexcept>

namespace aprender::lora::linalg {

constexpr double kEps = std::numeric_limits<double>::epsilon();  // 2.2e-16

// Checked before the vector is sized: a negative size would otherwise reach it as a huge
// size_t (std::length_error or bad_alloc, naming neither the sizes nor linalg).
static size_t checked_entries(int64_t r, int64_t c) {
    if (r < 0 || c < 0) throw std::invalid_argument(fmt::format("linalg: bad matrix size {} x {}", r, c));
    int64_t n = 0;
    if (__builtin_mul_overflow(r, c, &n))
        throw std::invalid_argument(fmt::format("linalg: a {} x {} matrix has more entries than an int64 counts", r, c));
    return (size_t)n;
}

Matrix::Matrix(int64_t r, int64_t c) : rows(r), cols(c), a(checked_entries(r, c), 0.0) {}

Matrix Matrix::from_rows(const std::vector<std::vector<double>>& rs) {
    Matrix m((int64_t)rs.size(), rs.empty() ? 0 : (int64_t)rs[0].size());
    for (int64_t i = 0; i < m.rows; ++i) {
        if ((int64_t)rs[i].size() != m.cols)
            throw std::invalid_argument(fmt::format("linalg: row {} has {} entries, row 1 has {}", i + 1, rs[i].size(), m.cols));
        for (int64_t j = 0; j < m.cols; ++j) m(i, j) = rs[i][j];
    }
    return m;
}

Matrix Matrix::from_tensor(const Tensor& t) {
    if (t.dim() != 2) throw std::invalid_argument("linalg: expected a 2-D tensor, got shape " + shape_str(t.shape()));
    Matrix m(t.size(0), t.size(1));
    m.a = t.to_double_vector();  // row-major, any dtype/layout/device
    return m;
}

Matrix Matrix::identity(int64_t n) {
    Matrix m(n, n);
    for (int64_t i = 0; i < n; ++i) m(i, i) = 1;
    return m;
}

Tensor Matrix::to_tensor() const { return Tensor::from(a, {rows, cols}); }

Matrix Matrix::transpose() const {
    Matrix t(cols, rows);
    for (int64_t i = 0; i < rows; ++i)
        for (int64_t j = 0; j < cols; ++j) t(j, i) = (*this)(i, j);
    return t;
}

std::string Matrix::str(int precision) const {
    std::vector<std::string> cells;
    size_t w = 1;
    for (double v : a) {
        if (v == 0) v = 0;  // print -0 as 0
        cells.push_back(fmt::format("{:.{}g}", v, precision));
        w = std::max(w, cells.back().size());
    }
    std::string s;
    for (int64_t i = 0; i < rows; ++i) {
        s += "[";
        for (int64_t j = 0; j < cols; ++j) s += fmt::format("{}{:>{}}", j ? " " : "", cells[i * cols + j], w);
        s += "]\n";
    }
    return s;
}

Matrix matmul(const Matrix& x, const Matrix& y) {
    if (x.cols != y.rows) throw std::invalid_argument(fmt::format("linalg: cannot multiply {}x{} by {}x{}", x.rows, x.cols, y.rows, y.cols));
    Matrix z(x.rows, y.cols);
    for (int64_t i = 0; i < x.rows; ++i)
        for (int64_t k = 0; k < x.cols; ++k) {
            double xik = x(i, k);
            for (int64_t j = 0; j < y.cols; ++j) z(i, j) += xik * y(k, j);
        }
    return z;
}

Matrix operator-(const Matrix& x, const Matrix& y) {
    if (x.rows != y.rows || x.cols != y.cols) throw std::invalid_argument("linalg: subtracting matrices of different sizes");
    Matrix z = x;
    for (size_t i = 0; i < z.a.size(); ++i) z.a[i] -= y.a[i];
    return z;
}

double frobenius(const Matrix& m) {
    double s = 0;
    for (double v : m.a) s += v * v;
    return std::sqrt(s);
}

// ---- Gaussian elimination -----------------------------------------------------------

static std::string num(double v) { return fmt::format("{:g}", v == 0 ? 0.0 : v); }

std::string RowOp::str() const {
    switch (kind) {
        case swap: return fmt::format("R{} <-> R{}", i + 1, j + 1);
        case scale: return fmt::format("R{} <- R{} / {}", i + 1, i + 1, num(factor));
        case add: return fmt::format("R{} <- R{} - {}*R{}", i + 1, i + 1, num(factor), j + 1);
    }
    return "?";
}

Elimination gauss_jordan(const Matrix& m, double tol) {
    Elimination e;
    e.input = m;
    Matrix R = m;
    if (tol < 0) {
        double mx = 0;
        for (double v : m.a) mx = std::max(mx, std::fabs(v));
        tol = (double)std::max(m.rows, m.cols) * kEps * mx;
    }
    int64_t row = 0;  // the row the next pivot goes to
    for (int64_t col = 0; col < R.cols && row < R.rows; ++col) {
        // Partial pivoting: the largest |entry| at or below `row` becomes the pivot. A
        // tiny pivot would multiply rounding errors by 1/pivot; the largest keeps every
        // elimination factor |f| ≤ 1.
        int64_t p = row;
        for (int64_t i = row + 1; i < R.rows; ++i)
            if (std::fabs(R(i, col)) > std::fabs(R(p, col))) p = i;
        if (std::fabs(R(p, col)) <= tol) continue;  // no pivot: this column depends on the pivot columns before it
        if (p != row) {
            for (int64_t j = 0; j < R.cols; ++j) std::swap(R(p, j), R(row, j));
            e.steps.push_back({RowOp::swap, row, p, 0, R});
        }
        double piv = R(row, col);
        if (piv != 1) {
            for (int64_t j = 0; j < R.cols; ++j) R(row, j) /= piv;
            R(row, col) = 1;
            e.steps.push_back({RowOp::scale, row, row, piv, R});
        }
        for (int64_t i = 0; i < R.rows; ++i) {
            if (i == row || R(i, col) == 0) continue;
            double f = R(i, col);
            for (int64_t j = 0; j < R.cols; ++j) R(i, j) -= f * R(row, j);
            R(i, col) = 0;
            e.steps.push_back({RowOp::add, i, row, f, R});
        }
        e.pivot_cols.push_back(col);
        ++row;
    }
    // Whatever is left at or below tolerance is rounding noise: show it as 0.
    for (double& v : R.a)
        if (std::fabs(v) <= tol) v = 0;
    e.rref = R;
    return e;
}

int64_t rank_by_elimination(const Matrix& m, double tol) { return gauss_jordan(m, tol).rank(); }

std::vector<Dependency> Elimination::dependent_columns() const {
    // In the rref, a non-pivot column j holds the coefficients that rebuild column j
    // of the input from its pivot columns: col_j = Σ_k rref(k, j) · col_{pivot_k}.
    std::vector<Dependency> out;
    for (int64_t j = 0; j < rref.cols; ++j) {
        if (std::find(pivot_cols.begin(), pivot_cols.end(), j) != pivot_cols.end()) continue;
        Dependency d{j, {}};
        for (size_t k = 0; k < pivot_cols.size(); ++k)
            if (double c = rref((int64_t)k, j); c != 0) d.terms.emplace_back(c, pivot_cols[k]);
        out.push_back(std::move(d));
    }
    return out;
}

std::vector<std::string> Elimination::dependencies() const {
    std::vector<std::string> out;
    for (const auto& d : dependent_columns()) {
        std::string terms;
        for (const auto& [c, col] : d.terms) {
            std::string coef = c == 1 ? "" : c == -1 ? "-" : num(c) + "*";
            terms += fmt::format("{}{}column {}", terms.empty() ? "" : " + ", coef, col + 1);
        }
        out.push_back(fmt::format("column {} = {}", d.column + 1, terms.empty() ? "0 (a zero column)" : terms));
    }
    return out;
}

std::string Elimination::str() const {
    std::string s = "start:\n" + input.str();
    for (const auto& op : steps) s += op.str() + ":\n" + op.after.str();
    std::string piv;
    for (int64_t c : pivot_cols) piv += (piv.empty() ? "" : ", ") + std::to_string(c + 1);
    s += fmt::format("pivot columns: {}  =>  rank {}\n", piv.empty() ? "none" : piv, rank());
    for (const auto& d : dependencies()) s += d + "\n";
    return s;
}

// ---- SVD by one-sided Jacobi ----------------------------------------------------------

// For m ≥ n. Each rotation makes columns p and q of U orthogonal:
//   α = ‖u_p‖², β = ‖u_q‖², γ = u_p·u_q,  ζ = (β − α) / 2γ,
//   t = sign(ζ) / (|ζ| + √(1 + ζ²)),  c = 1/√(1 + t²),  s = c·t,
//   u_p ← c·u_p − s·u_q,  u_q ← s·u_p + c·u_q   (and the same rotation on V's columns).
// Rotations preserve M·V = U, so at the end U's columns are orthogonal with norms σ.
static SVD jacobi_tall(const Matrix& m) {
    int64_t rows = m.rows, n = m.cols;
    Matrix U = m, V = Matrix::identity(n);
    for (int sweep = 0; sweep < 100; ++sweep) {
        bool rotated = false;
        for (int64_t p = 0; p < n; ++p)
            for (int64_t q = p + 1; q < n; ++q) {
                double alpha = 0, beta = 0, gamma = 0;
                for (int64_t i = 0; i < rows; ++i) {
                    alpha += U(i, p) * U(i, p);
                    beta += U(i, q) * U(i, q);
                    gamma += U(i, p) * U(i, q);
                }
                if (gamma == 0 || std::fabs(gamma) <= kEps * std::sqrt(alpha * beta)) continue;  // already orthogonal
                rotated = true;
                double zeta = (beta - alpha) / (2 * gamma);
                double t = (zeta >= 0 ? 1.0 : -1.0) / (std::fabs(zeta) + std::sqrt(1 + zeta * zeta));
                double c = 1 / std::sqrt(1 + t * t), s = c * t;
                for (int64_t i = 0; i < rows; ++i) {
                    double up = U(i, p), uq = U(i, q);
                    U(i, p) = c * up - s * uq;
                    U(i, q) = s * up + c * uq;
                }
                for (int64_t i = 0; i < n; ++i) {
                    double vp = V(i, p), vq = V(i, q);
                    V(i, p) = c * vp - s * vq;
                    V(i, q) = s * vp + c * vq;
                }
            }
        if (!rotated) break;
    }
    std::vector<double> sig(n);
    for (int64_t j = 0; j < n; ++j) {
        double s2 = 0;
        for (int64_t i = 0; i < rows; ++i) s2 += U(i, j) * U(i, j);
        sig[j] = std::sqrt(s2);
    }
    // Sort by σ, descending, and normalise U's columns (a zero column stays zero).
    std::vector<int64_t> order(n);
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](int64_t x, int64_t y) { return sig[x] > sig[y]; });
    SVD d{Matrix(rows, n), Matrix(n, n), std::vector<double>(n)};
    for (int64_t k = 0; k < n; ++k) {
        int64_t j = order[k];
        d.S[k] = sig[j];
        for (int64_t i = 0; i < rows; ++i) d.U(i, k) = sig[j] > 0 ? U(i, j) / sig[j] : 0.0;
        for (int64_t i = 0; i < n; ++i) d.V(i, k) = V(i, j);
    }
    return d;
}

SVD svd(const Matrix& m) {
    if (m.rows >= m.cols) return jacobi_tall(m);
    SVD t = jacobi_tall(m.transpose());  // Mᵀ = U'·Σ·V'ᵀ  ⇒  M = V'·Σ·U'ᵀ
    return SVD{t.V, t.U, t.S};
}

std::vector<double> singular_values(const Matrix& m) { return svd(m).S; }

int64_t numerical_rank(const std::vector<double>& S, int64_t rows, int64_t cols, double tol) {
    if (tol < 0) tol = (double)std::max(rows, cols) * kEps * (S.empty() ? 0.0 : S[0]);
    int64_t r = 0;
    for (double s : S) r += s > tol;
    return r;
}

int64_t numerical_rank(const Matrix& m, double tol) { return numerical_rank(singular_values(m), m.rows, m.cols, tol); }

Matrix best_rank_approximation(const SVD& d, int64_t r) {
    if (r < 0) throw std::invalid_argument(fmt::format("linalg: rank must be >= 0, got {}", r));
    Matrix out(d.U.rows, d.V.rows);
    for (int64_t k = 0; k < std::min<int64_t>(r, (int64_t)d.S.size()); ++k)
        for (int64_t i = 0; i < out.rows; ++i)
            for (int64_t j = 0; j < out.cols; ++j) out(i, j) += d.S[k] * d.U(i, k) * d.V(j, k);
    return out;
}

double rank_truncation_error(const std::vector<double>& S, int64_t r) {
    double e = 0;
    for (size_t k = (size_t)std::max<int64_t>(r, 0); k < S.size(); ++k) e += S[k] * S[k];
    return std::sqrt(e);
}

// ---- LoRA's measurements ---------------------------------------------------------------

double subspace_similarity(const Matrix& A1, const Matrix& A2, int64_t i, int64_t j) {
    if (A1.cols != A2.cols)
        throw std::invalid_argument(fmt::format("subspace_similarity: A1 is [{}, {}] and A2 is [{}, {}]: the input sizes differ",
                                                A1.rows, A1.cols, A2.rows, A2.cols));
    SVD d1 = svd(A1), d2 = svd(A2);  // V: right-singular vectors, columns in R^k
    int64_t n1 = (int64_t)d1.S.size(), n2 = (int64_t)d2.S.size();
    if (i < 1 || i > n1 || j < 1 || j > n2)
        throw std::invalid_argument(fmt::format("subspace_similarity: need 1 <= i <= {} and 1 <= j <= {}, got i = {}, j = {}", n1, n2, i, j));
    double s = 0;
    for (int64_t a = 0; a < i; ++a)
        for (int64_t b = 0; b < j; ++b) {
            double dot = 0;
            for (int64_t k = 0; k < A1.cols; ++k) dot += d1.V(k, a) * d2.V(k, b);
            s += dot * dot;
        }
    return s / (double)std::min(i, j);
}

std::vector<double> low_rank_product_spectrum(const Matrix& B, const Matrix& A, double scale) {
    if (B.cols != A.rows)
        throw std::invalid_argument(fmt::format("low_rank_product_spectrum: B is [{}, {}] but A is [{}, {}]", B.rows, B.cols, A.rows, A.cols));
    SVD da = svd(A);  // A = Ua·Σa·Vaᵀ, Ua [r, q], q = min(r, k)
    Matrix C = matmul(B, da.U);
    for (int64_t i = 0; i < C.rows; ++i)
        for (int64_t k = 0; k < C.cols; ++k) C(i, k) *= da.S[k] * std::fabs(scale);
    std::vector<double> s = singular_values(C);
    return s;
}

std::vector<double> delta_spectrum(const Linear& layer) {
    return low_rank_product_spectrum(Matrix::from_tensor(layer.B), Matrix::from_tensor(layer.A), layer.scale);
}

}  // namespace aprender::lora::linalg
