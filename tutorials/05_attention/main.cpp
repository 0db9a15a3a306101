// 05_attention — attention from Bahdanau to the Transformer: the scores compared, the 1/√d
// scaling measured, and a one-layer transformer that learns to look back at "nota máxima"
// before saying "incrível". Words: narration.h.
#include <cmath>
#include <map>
#include <random>
#include <sstream>

#include <fmt/format.h>

#include "nn/gpt.h"
#include "nn/optim.h"
#include "tutorials/common/bars.h"
#include "tutorials/common/heatmap.h"
#include "tutorials/common/runner.h"
#include "tutorials/common/svg.h"
#include "tutorials/common/table.h"
#include "tutorials/05_attention/narration.h"

namespace tut = aprender::tutorial;
namespace nn = aprender::nn;
namespace N = aprender::tutorial::attention_narration;
using aprender::Generator;
using aprender::NoGradGuard;
using aprender::Tensor;

namespace {

const tut::TutorialInfo kInfo{"05_attention", N::title, N::summary, {{"--steps", "N", N::flag_steps, tut::IntRange{1, 100000}}}};

std::vector<double> softmax(const std::vector<double>& s) {
    double mx = s[0], z = 0;
    for (double x : s) mx = std::max(mx, x);
    std::vector<double> p(s.size());
    for (std::size_t i = 0; i < s.size(); ++i) z += p[i] = std::exp(s[i] - mx);
    for (double& x : p) x /= z;
    return p;
}

double entropy_bits(const std::vector<double>& p) {
    double h = 0;
    for (double x : p)
        if (x > 0) h -= x * std::log2(x);
    return h;
}

// ---- 1. four scores ------------------------------------------------------------------------
void four_scores(tut::Tutorial& t) {
    t.step(N::scores, std::to_string(t.options().seed));
    const int64_t d = 4;
    // Toy embeddings (illustrative numbers, the lecture's [0.123, 0.233, 0.452, 0.986] among them).
    Tensor q = Tensor::from({0.9f, 0.1f, 0.4f, 0.8f}, {1, d});
    std::vector<std::string> words{"nota", "máxima", "TP558", "isso"};
    Tensor K = Tensor::from({0.2f, 0.7f, -0.3f, 0.1f,    //
                             0.123f, 0.233f, 0.452f, 0.986f,  //
                             -0.5f, 0.3f, 0.1f, -0.2f,    //
                             0.4f, -0.6f, 0.2f, 0.3f},
                            {4, d});
    Generator gen(t.options().seed);
    Tensor W1 = Tensor::normal({d, d}, 0, 0.5, gen), W2 = Tensor::normal({d, d}, 0, 0.5, gen);
    Tensor v = Tensor::normal({d, 1}, 0, 0.5, gen), W = Tensor::normal({d, d}, 0, 0.5, gen);
    using aprender::matmul;
    // (4, 1) columns of scores, one per method, all through aprender's ops.
    Tensor additive = matmul(aprender::tanh(matmul(q, W1.t()) + matmul(K, W2.t())), v);  // broadcast q over keys
    Tensor dot = matmul(K, q.t());
    Tensor general = matmul(K, matmul(W, q.t()));
    Tensor scaled = dot / std::sqrt(double(d));
    std::vector<std::vector<double>> cols{additive.to_double_vector(), dot.to_double_vector(),
                                          general.to_double_vector(), scaled.to_double_vector()};
    std::vector<std::vector<double>> weights;
    for (const auto& c : cols) weights.push_back(softmax(c));
    tut::Table tab({t.tr(N::col_key), t.tr(N::col_additive), t.tr(N::col_dot), t.tr(N::col_general), t.tr(N::col_scaled),
                    t.tr(N::col_softmax_additive), t.tr(N::col_softmax_dot), t.tr(N::col_softmax_general),
                    t.tr(N::col_softmax_scaled)},
                   {tut::Align::left, tut::Align::right, tut::Align::right, tut::Align::right, tut::Align::right,
                    tut::Align::right, tut::Align::right, tut::Align::right, tut::Align::right});
    for (std::size_t i = 0; i < words.size(); ++i) {
        std::vector<tut::Cell> row{words[i]};
        for (const auto& c : cols) row.push_back(fmt::format("{:+.3f}", c[i]));
        for (const auto& w : weights) row.push_back(fmt::format("{:.3f}", w[i]));
        tab.add_row(row);
    }
    std::vector<tut::Cell> sums{"Σ", "", "", "", ""};
    for (const auto& w : weights) {
        double s = 0;
        for (double x : w) s += x;
        sums.push_back(fmt::format("{:.3f}", s));
    }
    tab.add_row(sums);
    tab.print(t.out(), t.style());
    tab.write_csv(t.out_file("scores.csv"));
    t.wrote(t.out_file("scores.csv"));
}

// ---- 2. the 1/√d scaling, measured -------------------------------------------------------------
void scaling(tut::Tutorial& t) {
    const int trials = t.quick() ? 100 : 400, keys = 16;
    t.step(N::scaling, trials, keys, keys, std::log2(double(keys)));
    std::mt19937_64 rng(t.options().seed);
    std::normal_distribution<double> normal(0, 1);
    tut::Table tab({"d", t.tr(N::col_std_raw), t.tr(N::col_std_scaled), t.tr(N::col_h_raw), t.tr(N::col_h_scaled),
                    t.tr(N::col_max_raw)},
                   std::vector<tut::Align>(6, tut::Align::right));
    tut::Series raw{t.tr(N::series_raw), {}, {}}, scaled{t.tr(N::series_scaled), {}, {}};
    for (int d : {4, 16, 64, 256, 1024}) {
        double h_raw = 0, h_scaled = 0, max_raw = 0, ss_raw = 0, ss_scaled = 0;
        for (int trial = 0; trial < trials; ++trial) {
            std::vector<double> q(d), s(keys), sc(keys);
            for (double& x : q) x = normal(rng);
            for (int k = 0; k < keys; ++k) {
                double dotp = 0;
                for (int i = 0; i < d; ++i) dotp += q[i] * normal(rng);
                s[k] = dotp, sc[k] = dotp / std::sqrt(double(d));
                ss_raw += dotp * dotp, ss_scaled += sc[k] * sc[k];
            }
            auto p = softmax(s);
            h_raw += entropy_bits(p), h_scaled += entropy_bits(softmax(sc));
            max_raw += *std::max_element(p.begin(), p.end());
        }
        double n = double(trials) * keys;
        tab.add_row({std::to_string(d), fmt::format("{:.2f}", std::sqrt(ss_raw / n)),
                     fmt::format("{:.2f}", std::sqrt(ss_scaled / n)), fmt::format("{:.2f}", h_raw / trials),
                     fmt::format("{:.2f}", h_scaled / trials), fmt::format("{:.2f}", max_raw / trials)});
        raw.x.push_back(d), raw.y.push_back(h_raw / trials);
        scaled.x.push_back(d), scaled.y.push_back(h_scaled / trials);
    }
    tab.print(t.out(), t.style());
    auto files = tut::write_line_plot(t.out_file("entropy_vs_d.svg"), {t.tr(N::plot_title), "d", t.tr(N::plot_y)},
                                      {raw, scaled});
    t.wrote(files.svg);
    t.wrote(files.csv);
}

// ---- 3. the synthetic task ---------------------------------------------------------------------
struct Example {
    std::vector<std::string> words;  // up to and including "é"
    std::string answer;              // "incrível" | "triste"
    bool lecture_combo;              // subject "tiramos" + place "em tp558": held out
};

std::vector<std::string> split(const std::string& s) {
    std::vector<std::string> w;
    std::istringstream in(s);
    for (std::string x; in >> x;) w.push_back(x);
    return w;
}

std::vector<Example> make_examples() {
    const std::vector<std::string> subjects{"tiramos", "eu tirei", "ela tirou", "ele tirou", "a turma tirou",
                                            "nós tiramos", "o grupo todo tirou"};
    const std::vector<std::pair<std::string, std::string>> grades{
        {"nota máxima", "incrível"}, {"nota dez", "incrível"}, {"nota alta", "incrível"},
        {"nota baixa", "triste"},    {"nota zero", "triste"},  {"nota ruim", "triste"}};
    const std::vector<std::string> places{"em tp558", "na prova de cálculo", "em física", "no trabalho final",
                                          "hoje em tp558", "na prova de ontem"};
    std::vector<Example> out;
    for (const auto& s : subjects)
        for (const auto& [g, a] : grades)
            for (const auto& p : places)
                out.push_back({split(s + " " + g + " " + p + " . isso é"), a, s == "tiramos" && p == "em tp558"});
    return out;
}

struct Vocab {
    std::map<std::string, int32_t> id;
    std::vector<std::string> word;
    int32_t add(const std::string& w) {
        auto [it, added] = id.emplace(w, (int32_t)word.size());
        if (added) word.push_back(w);
        return it->second;
    }
};

// Probabilities of the word after the last one (the model's prediction at "é").
std::vector<double> next_word(nn::GPT& m, const std::vector<int32_t>& ids) {
    NoGradGuard ng;
    Tensor logits = m.forward(Tensor::from(ids, {1, (int64_t)ids.size()}));
    auto all = logits.to_double_vector();
    std::size_t V = (std::size_t)m.config.vocab_size;
    return softmax(std::vector<double>(all.end() - (long)V, all.end()));
}

void learned_attention(tut::Tutorial& t, int64_t steps) {
    auto examples = make_examples();
    Vocab vocab;
    vocab.add("<pad>");
    for (const auto& e : examples) {
        for (const auto& w : e.words) vocab.add(w);
        vocab.add(e.answer);
    }
    std::vector<Example> train, test;
    for (const auto& e : examples) (e.lecture_combo ? test : train).push_back(e);
    t.step(N::task, train.size(), vocab.word.size(), test.size());

    nn::GPTConfig cfg;
    cfg.vocab_size = (int64_t)vocab.word.size(), cfg.block_size = 16, cfg.n_layer = 1, cfg.n_head = 2,
    cfg.n_embd = 32;
    auto model = std::make_shared<nn::GPT>(cfg, t.options().seed);
    t.step(N::train, cfg.n_head, cfg.n_embd, model->num_parameters(), steps);
    nn::AdamWOptions ao;
    ao.lr = 1e-2, ao.weight_decay = 0.01;
    nn::AdamW opt(model->named_parameters(), ao);
    std::mt19937_64 rng(t.options().seed);
    std::uniform_int_distribution<std::size_t> pick(0, train.size() - 1);
    const int64_t B = 32, T = cfg.block_size;
    auto encode = [&](const std::vector<std::string>& words) {
        std::vector<int32_t> ids;
        for (const auto& w : words) ids.push_back(vocab.id.at(w));
        return ids;
    };
    tut::Series curve{t.tr(tut::words::loss), {}, {}};
    double first = 0, last = 0;
    for (int64_t step = 0; step < steps; ++step) {
        // Sentences padded at the end (the causal mask means padding after a position never
        // changes what it sees); only the position of "é" has a target, the rest are ignored.
        std::vector<int32_t> x((std::size_t)(B * T), 0), y((std::size_t)(B * T), -100);
        for (int64_t b = 0; b < B; ++b) {
            const auto& e = train[pick(rng)];
            auto ids = encode(e.words);
            std::copy(ids.begin(), ids.end(), x.begin() + b * T);
            y[(std::size_t)(b * T) + ids.size() - 1] = vocab.id.at(e.answer);
        }
        Tensor loss = model->loss(Tensor::from(x, {B, T}), Tensor::from(y, {B, T}));
        opt.zero_grad();
        loss.backward();
        opt.step();
        double l = loss.item();
        if (step == 0) first = l;
        last = l;
        curve.x.push_back(double(step)), curve.y.push_back(l);
    }
    model->eval();
    int correct = 0;
    for (const auto& e : test) {
        auto p = next_word(*model, encode(e.words));
        correct += vocab.word[(std::size_t)(std::max_element(p.begin(), p.end()) - p.begin())] == e.answer;
    }
    t.say(N::trained, first, last, correct, test.size(), 100.0 * correct / double(test.size()));
    auto lf = tut::write_line_plot(t.out_file("loss.svg"), {t.tr(tut::words::loss), t.tr(tut::words::step), t.tr(tut::words::cross_entropy)}, {curve});
    t.wrote(lf.svg);

    // The lecture's sentence.
    auto words = split("tiramos nota máxima em tp558 . isso é");
    auto ids = encode(words);
    t.step(N::lecture);
    auto p = next_word(*model, ids);
    std::vector<std::pair<double, std::string>> ranked;
    for (std::size_t i = 0; i < p.size(); ++i) ranked.emplace_back(p[i], vocab.word[i]);
    std::sort(ranked.rbegin(), ranked.rend());
    std::vector<tut::Bar> bars;
    for (std::size_t i = 0; i < 4; ++i) bars.push_back({ranked[i].second, ranked[i].first});
    tut::print_bars(t.out(), t.style(), bars, {.max = 1.0, .width = 40, .digits = 3, .indent = 4});
    t.out() << "\n";

    // Attention of "é".
    Tensor att = model->attention_maps(Tensor::from(ids, {1, (int64_t)ids.size()}))[0];  // (1, nh, T, T)
    const std::size_t L = ids.size(), H = (std::size_t)cfg.n_head;
    auto a = att.to_double_vector();
    auto at = [&](std::size_t h, std::size_t i, std::size_t j) { return a[(h * L + i) * L + j]; };
    std::vector<std::vector<double>> mean(L, std::vector<double>(L, 0));
    for (std::size_t h = 0; h < H; ++h)
        for (std::size_t i = 0; i < L; ++i)
            for (std::size_t j = 0; j < L; ++j) mean[i][j] += at(h, i, j) / double(H);
    t.step(N::where, L, 1.0 / double(L));
    std::vector<tut::Bar> row;
    for (std::size_t j = 0; j < L; ++j) row.push_back({words[j], mean[L - 1][j]});
    tut::print_bars(t.out(), t.style(), row, {.max = 1.0, .width = 40, .digits = 3, .indent = 4});
    double grade = mean[L - 1][1] + mean[L - 1][2];
    auto low = words;
    low[2] = "baixa";
    auto pl = next_word(*model, encode(low));
    std::size_t best = (std::size_t)(std::max_element(pl.begin(), pl.end()) - pl.begin());
    t.out() << "\n";
    // Said from the numbers: the swap may leave the top word where it was.
    t.say(vocab.word[best] != ranked[0].second ? N::grade_weight : N::grade_weight_same, grade,
          grade / (2.0 / double(L)), vocab.word[best], pl[best]);
    t.out() << "  " << t.tr(N::attention_on_grade, grade) << "\n";

    // Full maps.
    t.step(N::maps);
    tut::print_heatmap(t.out(), t.style(), mean, words, words, {.show_values = true, .digits = 2, .indent = 4});
    auto hf = tut::write_heatmap(t.out_file("attention.svg"), t.tr(N::heads_mean_title), mean, words, words);
    t.wrote(hf.svg);
    t.wrote(hf.csv);
    for (std::size_t h = 0; h < H; ++h) {
        t.out() << "\n  " << t.tr(N::head_label, h) << "\n";
        std::vector<tut::Bar> hb;
        for (std::size_t j = 0; j < L; ++j) hb.push_back({words[j], at(h, L - 1, j)});
        tut::print_bars(t.out(), t.style(), hb, {.max = 1.0, .width = 30, .digits = 3, .indent = 4});
        std::vector<std::vector<double>> m(L, std::vector<double>(L));
        for (std::size_t i = 0; i < L; ++i)
            for (std::size_t j = 0; j < L; ++j) m[i][j] = at(h, i, j);
        auto f = tut::write_heatmap(t.out_file(fmt::format("attention_head{}.svg", h)), t.tr(tut::words::head_n, h), m,
                                    words, words);
        t.wrote(f.svg);
    }
    double worst_sum = 0, worst_future = 0;
    for (std::size_t h = 0; h < H; ++h)
        for (std::size_t i = 0; i < L; ++i) {
            double s = 0;
            for (std::size_t j = 0; j < L; ++j) {
                s += at(h, i, j);
                if (j > i) worst_future = std::max(worst_future, std::abs(at(h, i, j)));
            }
            worst_sum = std::max(worst_sum, std::abs(s - 1));
        }
    t.out() << "\n";
    const auto& st = t.style();
    t.say(N::checks, worst_sum, worst_sum < 1e-5 ? st.good("✓") : st.bad("✗"), worst_future,
          worst_future == 0 ? st.good("✓") : st.bad("✗"));
}

}  // namespace

int main(int argc, char** argv) {
    return tut::run(kInfo, argc, argv, [](tut::Tutorial& t) {
        int64_t steps = t.options().get_int("--steps", t.quick() ? 150 : 400);
        four_scores(t);
        scaling(t);
        learned_attention(t, steps);
    });
}
