// 09_lora_rank — the mathematics of the lecture's LoRA slides, computed: the rank of the
// slide's ΔW by Gaussian elimination (it is 2, not 1), an exact r = 2 factorisation, the best
// rank-1 approximation, parameter counts, error vs rank, and the B = 0 initialisation.
// Algebra: lora/linalg.h (float64); words: narration.h.
#include <algorithm>
#include <cmath>
#include <random>
#include <sstream>

#include <fmt/format.h>

#include "lora/linalg.h"
#include "lora/lora.h"
#include "nn/gpt.h"
#include "nn/optim.h"
#include "tutorials/common/runner.h"
#include "tutorials/common/svg.h"
#include "tutorials/common/table.h"
#include "tutorials/09_lora_rank/narration.h"

namespace tut = aprender::tutorial;
namespace la = aprender::lora::linalg;
namespace lora = aprender::lora;
namespace nn = aprender::nn;
namespace N = aprender::tutorial::rank_narration;
using aprender::NoGradGuard;
using aprender::Tensor;

namespace {

const tut::TutorialInfo kInfo{"09_lora_rank", N::title, N::summary, {{"--size", "N", N::flag_size, tut::IntRange{8, 256}}}};

// A matrix, indented, one bracketed row per line.
void print_matrix(tut::Tutorial& t, const la::Matrix& m, const std::string& name = "", int precision = 4) {
    std::istringstream rows(m.str(precision));
    std::string line, pad(name.empty() ? 0 : tut::display_width(name) + 3, ' ');
    for (int i = 0; std::getline(rows, line); ++i) {
        std::string lead = (!name.empty() && i == (m.rows - 1) / 2) ? name + " = " : pad;
        t.out() << "    " << lead << t.style().accent(line) << "\n";
    }
}

std::string millions(double n) { return fmt::format("{:.2f}M", n / 1e6); }

double max_abs_diff(const la::Matrix& a, const la::Matrix& b) {
    double m = 0;
    for (std::size_t i = 0; i < a.a.size(); ++i) m = std::max(m, std::abs(a.a[i] - b.a[i]));
    return m;
}

double norm_of(const Tensor& t) {
    if (!t.defined()) return 0;
    double s = 0;
    for (double v : t.to_double_vector()) s += v * v;
    return std::sqrt(s);
}

// A gradient norm; an exact zero is printed as "0", so that it cannot be a rounded 1e-9.
std::string grad_text(double n) { return n == 0 ? std::string("0") : fmt::format("{:.6f}", n); }

// d × d with orthonormal columns: Gram–Schmidt (twice, for accuracy) on a Gaussian matrix.
la::Matrix random_orthonormal(int64_t d, std::mt19937_64& rng) {
    std::normal_distribution<double> g;
    la::Matrix q(d, d);
    for (double& v : q.a) v = g(rng);
    for (int64_t j = 0; j < d; ++j)
        for (int pass = 0; pass < 2; ++pass) {
            for (int64_t p = 0; p < j; ++p) {
                double dot = 0;
                for (int64_t i = 0; i < d; ++i) dot += q(i, p) * q(i, j);
                for (int64_t i = 0; i < d; ++i) q(i, j) -= dot * q(i, p);
            }
            double n = 0;
            for (int64_t i = 0; i < d; ++i) n += q(i, j) * q(i, j);
            n = std::sqrt(n);
            for (int64_t i = 0; i < d; ++i) q(i, j) /= n;
        }
    return q;
}

// U·diag(s)·Vᵀ
la::Matrix compose(const la::Matrix& U, const std::vector<double>& s, const la::Matrix& V) {
    la::Matrix us = U;
    for (int64_t i = 0; i < us.rows; ++i)
        for (int64_t j = 0; j < us.cols; ++j) us(i, j) *= s[(std::size_t)j];
    return la::matmul(us, V.transpose());
}

// "column 2 = 2*column 1", in the session's language (lora::linalg words it in English only).
std::string dependency_text(const tut::Tutorial& t, const la::Dependency& d) {
    std::string terms;
    for (const auto& [c, col] : d.terms) {
        std::string coef = c == 1 ? "" : c == -1 ? "-" : fmt::format("{:g}*", c);
        terms += (terms.empty() ? "" : " + ") + coef + t.tr(N::column_n, col + 1);
    }
    return t.tr(N::column_n, d.column + 1) + " = " + (terms.empty() ? t.tr(N::zero_column) : terms);
}

// ---- 1. the slide's matrix ------------------------------------------------------------------
int64_t slide_rank(tut::Tutorial& t) {
    const auto& style = t.style();
    la::Matrix dw = la::Matrix::from_rows({{0, 0, 0}, {1, 2, 1}, {1, 2, 2}});
    t.step(N::slide_matrix);
    print_matrix(t, dw, "ΔW", 0);
    t.out() << "\n";

    t.step(N::elimination);
    la::Elimination e = la::gauss_jordan(dw);
    for (const auto& op : e.steps) {
        std::string what;
        if (op.kind == la::RowOp::swap) what = t.tr(N::op_swap, op.i + 1, op.j + 1);
        else if (op.kind == la::RowOp::scale) what = t.tr(N::op_scale, op.i + 1, la::Matrix::from_rows({{op.factor}}).str(4));
        else what = t.tr(N::op_add, fmt::format("{:g}", op.factor), op.j + 1, op.i + 1);
        t.out() << "    " << style.bold(op.str()) << "   " << style.dim(what) << "\n";
        print_matrix(t, op.after, "", 0);
    }
    std::string pivots;
    for (auto p : e.pivot_cols) pivots += (pivots.empty() ? "" : ", ") + std::to_string(p + 1);
    t.out() << "\n";
    t.say(N::pivots, pivots, e.rank());
    for (const auto& d : e.dependent_columns()) t.say(N::dependency, dependency_text(t, d));
    for (std::size_t k = 1; k < e.pivot_cols.size(); ++k) t.say(N::independent, e.pivot_cols[k] + 1);
    t.out() << "\n";

    t.step(N::verdict, e.rank());
    t.out() << "    " << style.bold(t.tr(N::rank_of_dw, e.rank())) << "   (slide: r = 1)  "
            << (e.rank() == 1 ? style.good("✓") : style.bad("≠")) << "\n\n";

    // ---- exact factorisation from the elimination ----
    t.step(N::exact);
    const int64_t r = e.rank();
    la::Matrix B(dw.rows, r), A(r, dw.cols);
    for (int64_t i = 0; i < dw.rows; ++i)
        for (int64_t k = 0; k < r; ++k) B(i, k) = dw(i, e.pivot_cols[(std::size_t)k]);
    for (int64_t k = 0; k < r; ++k)
        for (int64_t j = 0; j < dw.cols; ++j) A(k, j) = e.rref(k, j);
    la::Matrix BA = la::matmul(B, A);
    print_matrix(t, B, fmt::format("B ({}×{})", B.rows, B.cols), 0);
    t.out() << "\n";
    print_matrix(t, A, fmt::format("A ({}×{})", A.rows, A.cols), 0);
    t.out() << "\n";
    print_matrix(t, BA, "B·A", 0);
    double exact_err = max_abs_diff(BA, dw);
    t.out() << "\n";
    t.say(N::exact_check, fmt::format("{:g}", exact_err), exact_err == 0 ? style.good(t.tr(tut::words::exact)) : style.bad("✗"));
    t.out() << "\n";

    // ---- SVD ----
    t.step(N::svd_step);
    la::SVD d = la::svd(dw);
    for (std::size_t i = 0; i < d.S.size(); ++i)
        t.out() << "    " << style.bold(fmt::format("σ{} = {:.6f}", i + 1, d.S[i])) << "\n";
    // Reference: the characteristic polynomial of M = ΔWᵀ·ΔW, in plain float64 arithmetic.
    la::Matrix M = la::matmul(dw.transpose(), dw);
    double c1 = M(0, 0) + M(1, 1) + M(2, 2);
    double c2 = (M(0, 0) * M(1, 1) - M(0, 1) * M(1, 0)) + (M(0, 0) * M(2, 2) - M(0, 2) * M(2, 0)) +
                (M(1, 1) * M(2, 2) - M(1, 2) * M(2, 1));
    double c3 = M(0, 0) * (M(1, 1) * M(2, 2) - M(1, 2) * M(2, 1)) - M(0, 1) * (M(1, 0) * M(2, 2) - M(1, 2) * M(2, 0)) +
                M(0, 2) * (M(1, 0) * M(2, 1) - M(1, 1) * M(2, 0));
    double disc = c1 * c1 - 4 * c2;
    double ref1 = std::sqrt((c1 + std::sqrt(disc)) / 2), ref2 = std::sqrt((c1 - std::sqrt(disc)) / 2);
    double ref_diff = std::max({std::abs(ref1 - d.S[0]), std::abs(ref2 - d.S[1]), std::abs(d.S[2])});
    t.out() << "\n";
    t.say(N::reference, c1, c2, c3, c1, c2, c1, disc, ref1, ref2, ref_diff,
          ref_diff < 1e-12 && std::abs(c3) < 1e-12 ? style.good("✓") : style.bad("✗"));
    double tol = 3 * 2.220446049250313e-16 * d.S[0];
    t.say(N::svd_rank, tol, la::numerical_rank(d.S, 3, 3));
    t.out() << "\n";
    la::Matrix b1(3, 1), a1(1, 3);
    for (int64_t i = 0; i < 3; ++i) b1(i, 0) = d.S[0] * d.U(i, 0), a1(0, i) = d.V(i, 0);
    la::Matrix best1 = la::best_rank_approximation(d, 1);
    print_matrix(t, b1, "B = σ1·u1 (3×1)");
    t.out() << "\n";
    print_matrix(t, a1, "A = v1ᵀ (1×3)");
    t.out() << "\n";
    print_matrix(t, best1, "B·A");
    t.out() << "\n";
    double total = 0;
    for (double s : d.S) total += s * s;
    double kept = 100 * d.S[0] * d.S[0] / total;
    t.say(N::rank1_error, la::frobenius(dw - best1), kept, 100 - kept);
    t.out() << "\n";
    return e.rank();
}

// ---- 2. parameter counts --------------------------------------------------------------------
void counting(tut::Tutorial& t) {
    t.step(N::counting);
    tut::Table tab({t.tr(N::col_matrix), "r", t.tr(N::col_full), t.tr(N::col_lora), {t.tr(N::col_share), t.tr(N::col_share) + " [%]"}},
                   {tut::Align::left, tut::Align::right, tut::Align::right, tut::Align::right, tut::Align::right});
    struct Row { std::string name; int64_t d, k, r; };
    std::vector<Row> rows{{"ΔW (slide) 3×3", 3, 3, 1},         {"ΔW (slide) 3×3", 3, 3, 2},
                          {"4096×4096 (7B W_q)", 4096, 4096, 1}, {"4096×4096 (7B W_q)", 4096, 4096, 8},
                          {"4096×4096 (7B W_q)", 4096, 4096, 64}, {"GPT-3 12288×12288", 12288, 12288, 1},
                          {"GPT-3 12288×12288", 12288, 12288, 4}, {"GPT-3 12288×12288", 12288, 12288, 8}};
    for (const auto& r : rows) {
        int64_t full = r.d * r.k, lr = r.r * (r.d + r.k);
        tab.add_row({r.name, std::to_string(r.r), tut::count_cell(full, t.lang()), tut::count_cell(lr, t.lang()),
                     tut::percent_cell(fmt::format("{:.4g}%", 100.0 * double(lr) / double(full)))});
    }
    tab.print(t.out(), t.style());
    tab.write_csv(t.out_file("parameter_counts.csv"));
    t.wrote(t.out_file("parameter_counts.csv"));
    t.out() << "\n";
    auto gpt3 = [](int64_t r) { return 96.0 * 2 * double(r) * (12288.0 + 12288.0); };
    t.say(N::gpt3_note, millions(gpt3(1)), millions(gpt3(8)));
    t.out() << "\n";
}

// ---- 3. error vs rank -----------------------------------------------------------------------
void spectrum(tut::Tutorial& t) {
    const auto& style = t.style();
    const int64_t d = t.options().get_int("--size", t.quick() ? 32 : 96);
    std::mt19937_64 rng(t.options().seed);
    t.step(N::spectrum, d, d, std::to_string(t.options().seed));
    la::Matrix U = random_orthonormal(d, rng), V = random_orthonormal(d, rng);
    std::vector<double> sa((std::size_t)d);
    for (int64_t i = 0; i < d; ++i) sa[(std::size_t)i] = std::pow(0.9, double(i));
    la::Matrix Wa = compose(U, sa, V);
    std::vector<double> sb((std::size_t)d, 0.0);
    for (int64_t i = 0; i < 4; ++i) sb[(std::size_t)i] = 8.0 / double(1 << i);
    la::Matrix Wb = compose(U, sb, V);
    std::normal_distribution<double> noise(0.0, 0.01);
    for (double& v : Wb.a) v += noise(rng);

    auto Sa = la::singular_values(Wa), Sb = la::singular_values(Wb);
    double rec = 0;
    for (int64_t i = 0; i < d; ++i) rec = std::max(rec, std::abs(Sa[(std::size_t)i] - sa[(std::size_t)i]));
    auto rel_err = [&](const std::vector<double>& S, int64_t r) {
        return la::rank_truncation_error(S, r) / la::rank_truncation_error(S, 0);
    };
    tut::Table tab({"r", t.tr(N::col_params), "% d·k", t.tr(N::col_err_a), t.tr(N::col_err_b)},
                   {tut::Align::right, tut::Align::right, tut::Align::right, tut::Align::right, tut::Align::right});
    for (int64_t r : {1, 2, 4, 8, 16, 32, 48, 64, 96, 128, 256}) {
        if (r > d) continue;
        tab.add_row({std::to_string(r), tut::count_cell(r * 2 * d, t.lang()), fmt::format("{:.1f}%", 100.0 * double(2 * r) / double(d)),
                     fmt::format("{:.2f}%", 100 * rel_err(Sa, r)), fmt::format("{:.2f}%", 100 * rel_err(Sb, r))});
    }
    tab.print(t.out(), style);
    t.out() << "\n";
    t.say(N::recovered, rec, rec < 1e-9 ? style.good("✓") : style.bad("✗"));
    tut::Series ea{t.tr(N::series_a), {}, {}}, eb{t.tr(N::series_b), {}, {}}, pc{t.tr(N::series_params), {}, {}};
    int64_t knee = d;
    for (int64_t r = 0; r <= d; ++r) {
        double a = rel_err(Sa, r), b = rel_err(Sb, r);
        ea.x.push_back(double(r)), ea.y.push_back(100 * a);
        eb.x.push_back(double(r)), eb.y.push_back(100 * b);
        // capped (as its label says): past r = d/2 the factors cost more than W itself
        pc.x.push_back(double(r)), pc.y.push_back(std::min(100.0, 100.0 * double(2 * r) / double(d)));
        if (knee == d && 1 - a * a >= 0.99) knee = r;
    }
    double b4 = rel_err(Sb, 4);
    t.say(N::knee, knee, 100.0 * double(2 * knee) / double(d), 100 * (1 - b4 * b4), 100.0 * 8.0 / double(d));
    auto files = tut::write_line_plot(t.out_file("error_vs_rank.svg"), {t.tr(N::plot_title), "r", "%"}, {ea, eb, pc});
    t.wrote(files.svg);
    t.wrote(files.csv);
    t.out() << "\n";
}

// ---- 4. initialisation ----------------------------------------------------------------------
void initialisation(tut::Tutorial& t) {
    const auto& style = t.style();
    nn::GPTConfig c;
    c.vocab_size = 40, c.block_size = 16, c.n_layer = 2, c.n_head = 2, c.n_embd = 32;
    auto model = std::make_shared<nn::GPT>(c, t.options().seed);
    model->eval();
    const int64_t Bn = 4, T = 16;
    std::mt19937_64 rng(t.options().seed + 1);
    std::uniform_int_distribution<int32_t> pick(0, (int32_t)c.vocab_size - 1);
    std::vector<int32_t> xs, ys;
    for (int64_t i = 0; i < Bn * T; ++i) xs.push_back(pick(rng)), ys.push_back(pick(rng));
    Tensor x = Tensor::from(xs, {Bn, T}), y = Tensor::from(ys, {Bn, T});
    auto logits_of = [&] {
        NoGradGuard ng;
        return model->forward(x).to_vector<float>();
    };
    auto before = logits_of();

    lora::Config lc;
    lc.r = 2, lc.alpha = 4, lc.seed = t.options().seed;
    t.step(N::init, c.n_layer, c.n_embd, c.vocab_size, lc.r, fmt::format("{:g}", lc.alpha), lc.r,
           double(lc.alpha) / double(lc.r));
    lora::apply(*model, lc);
    // English: the library's line, in PEFT's format; Portuguese: the same numbers, translated.
    const int64_t trainable = model->num_parameters(true), all = model->num_parameters();
    t.out() << "    "
            << t.tr(N::trainable_line, lora::trainable_summary(*model), tut::thousands(trainable, t.lang()),
                    tut::thousands(all, t.lang()), 100.0 * double(trainable) / double(all))
            << "\n\n";
    auto after = logits_of();
    double diff = 0;
    for (std::size_t i = 0; i < before.size(); ++i) diff = std::max(diff, double(std::abs(after[i] - before[i])));
    t.say(N::unchanged, fmt::format("{:g}", diff), before.size(), diff == 0 ? style.good("✓") : style.bad("✗"));
    t.out() << "\n";

    auto grad_table = [&] {
        tut::Table g({t.tr(N::col_layer), "‖A‖", "‖B‖", "‖∂L/∂A‖", "‖∂L/∂B‖"},
                     {tut::Align::left, tut::Align::right, tut::Align::right, tut::Align::right, tut::Align::right});
        for (auto& [path, l] : lora::adapters(*model))
            g.add_row({path, fmt::format("{:.4f}", norm_of(l->A)), fmt::format("{:.4f}", norm_of(l->B)),
                       grad_text(norm_of(l->A.grad())), grad_text(norm_of(l->B.grad()))});
        g.print(t.out(), style);
    };
    model->train();
    Tensor loss = model->loss(x, y);
    loss.backward();
    t.say(N::grads_first);
    grad_table();
    int64_t frozen_with_grad = 0, frozen = 0;
    for (auto& [name, p] : model->named_parameters())
        if (!p.requires_grad()) ++frozen, frozen_with_grad += p.grad().defined() ? 1 : 0;
    t.say(N::frozen_check, fmt::format("{} / {}", frozen - frozen_with_grad, frozen),
          frozen_with_grad == 0 ? style.good("✓") : style.bad("✗"));
    t.out() << "\n";

    nn::AdamWOptions o;
    o.lr = 1e-2, o.weight_decay = 0;
    nn::AdamW opt(model->named_parameters(true), o);
    opt.step();
    opt.zero_grad();
    model->loss(x, y).backward();
    t.say(N::grads_second);
    grad_table();
    t.out() << "\n";

    aprender::Generator gen(t.options().seed + 2);
    for (auto& [path, l] : lora::adapters(*model)) l->B.copy_from(Tensor::normal(l->B.shape(), 0.0, 1.0, gen));
    model->eval();
    auto random_b = logits_of();
    double diff_b = 0;
    for (std::size_t i = 0; i < before.size(); ++i) diff_b = std::max(diff_b, double(std::abs(random_b[i] - before[i])));
    t.say(N::both_random, diff_b);
    t.out() << "\n";
}

}  // namespace

int main(int argc, char** argv) {
    return tut::run(kInfo, argc, argv, [](tut::Tutorial& t) {
        int64_t rank = slide_rank(t);
        counting(t);
        spectrum(t);
        initialisation(t);
        t.step(N::summary_step, rank);
    });
}
