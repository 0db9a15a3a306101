// 02_ngrams — statistics (1990): word n-gram models trained, evaluated and broken in front
// of the student. Models: tutorials/common/ngram.{h,cpp}; words: narration.h.
#include <cmath>
#include <fstream>
#include <set>
#include <sstream>

#include <fmt/format.h>

#include "tutorials/common/bars.h"
#include "tutorials/common/corpus.h"
#include "tutorials/common/ngram.h"
#include "tutorials/common/runner.h"
#include "tutorials/common/svg.h"
#include "tutorials/common/table.h"
#include "tutorials/02_ngrams/narration.h"

namespace tut = aprender::tutorial;
namespace ng = aprender::tutorial::ngram;
namespace N = aprender::tutorial::ngram_narration;

namespace {

const tut::TutorialInfo kInfo{"02_ngrams", N::title, N::summary, {{"--corpus", "NAME", N::flag_corpus, std::nullopt,
                                 tut::one_of("--corpus", {"general", "tecnico", "financeiro", "lecture"})}}};
constexpr int kMaxOrder = 4;
using Sentences = std::vector<std::vector<std::string>>;

struct Splits {
    std::string name, origin;
    Sentences train, val, test;
};

// Keep the first `max_lines` lines (--quick).
std::string first_lines(const std::string& text, std::size_t max_lines) {
    std::size_t pos = 0;
    for (std::size_t i = 0; i < max_lines && pos != std::string::npos; ++i) {
        pos = text.find('\n', pos);
        if (pos != std::string::npos) ++pos;
    }
    return pos == std::string::npos ? text : text.substr(0, pos);
}

Splits load_splits(tut::Tutorial& t, const std::string& name) {
    bool quick = t.quick();
    Splits s;
    std::string lecture_text = tut::read_data_file("lecture/frases.txt");
    auto lecture_split = [&] {
        // The committed set: line i → val when i % 10 == 8, test when i % 10 == 9.
        std::istringstream in(lecture_text);
        std::string line;
        for (int i = 0; std::getline(in, line); ++i) {
            auto sent = ng::split_sentences(line);
            auto& dst = i % 10 == 8 ? s.val : i % 10 == 9 ? s.test : s.train;
            dst.insert(dst.end(), sent.begin(), sent.end());
        }
        s.name = "lecture";
        s.origin = "data/lecture/frases.txt";
    };
    if (name == "lecture") { lecture_split(); return s; }
    try {
        auto train = tut::load_corpus(name, "train");
        std::size_t cap = quick ? 1500 : SIZE_MAX, small = quick ? 150 : SIZE_MAX;
        s.train = ng::split_sentences(first_lines(train.text, cap));
        s.val = ng::split_sentences(first_lines(tut::load_corpus(name, "val").text, small));
        s.test = ng::split_sentences(first_lines(tut::load_corpus(name, "test").text, small));
        s.name = name;
        s.origin = train.path.parent_path().string();
    } catch (const tut::CorpusMissing& e) {
        t.out() << t.style().warn("  " + t.tr(N::fallback, e.what())) << "\n";
        lecture_split();
    }
    return s;
}

// The smoothing methods of the perplexity table, in its row order.
enum class Method { mle, add_one, add_k, interpolated, kneser_ney };
const tut::Text& method_name(Method m) {
    switch (m) {
        case Method::mle: return N::method_mle;
        case Method::add_one: return N::method_add_one;
        case Method::add_k: return N::method_add_k;
        case Method::interpolated: return N::method_interpolated;
        case Method::kneser_ney: break;
    }
    return N::method_kneser_ney;
}

std::string ppl_text(double p) { return std::isfinite(p) ? fmt::format("{:.1f}", p) : "∞"; }

void lecture_example(tut::Tutorial& t, const Splits& data) {
    t.step(N::lecture);
    Sentences train = ng::split_sentences(tut::read_data_file("lecture/frases.txt"));
    if (data.name != "lecture") train.insert(train.end(), data.train.begin(), data.train.end());
    auto vocab = ng::Vocabulary::build(train, 1);
    ng::Counts counts(vocab.encode(train), kMaxOrder, vocab.size());
    std::vector<ng::Id> h{ng::Vocabulary::bos, vocab.id("eu"), vocab.id("gosto"), vocab.id("de"), vocab.id("aprender")};
    auto show = [&](const ng::Model& m, const tut::Text& label) {
        t.say(label);
        std::vector<tut::Bar> bars;
        for (auto [w, p] : ng::top_k(m, h, 6)) bars.push_back({vocab.word(w), p});
        tut::print_bars(t.out(), t.style(), bars, {.max = 1.0, .width = 40, .digits = 3, .indent = 4});
    };
    std::unique_ptr<ng::Model> mle = ng::make_mle(counts, 4), kn = ng::make_kneser_ney(counts, 4);
    show(*mle, N::mle_bars);
    show(*kn, N::kn_bars);
    // The mass Kneser-Ney moves to the words the counts never saw in this context.
    const auto p_mle = ng::distribution(*mle, h), p_kn = ng::distribution(*kn, h);
    std::size_t unseen = 0;
    double unseen_kn = 0;
    for (std::size_t w = 0; w < p_mle.size(); ++w)
        if (p_mle[w] == 0) ++unseen, unseen_kn += p_kn[w];
    t.say(N::unseen_mass, unseen, unseen_kn);

    t.step(N::sums, "eu gosto de aprender");
    std::vector<std::pair<Method, std::unique_ptr<ng::Model>>> models;
    models.emplace_back(Method::mle, ng::make_mle(counts, 4));
    models.emplace_back(Method::add_one, ng::make_add_k(counts, 4, 1.0));
    models.emplace_back(Method::interpolated, ng::make_interpolated(counts, 4, vocab.encode(data.val), 5));
    models.emplace_back(Method::kneser_ney, ng::make_kneser_ney(counts, 4));
    for (const auto& [method, m] : models) {
        double sum = 0;
        for (double p : ng::distribution(*m, h)) sum += p;
        t.out() << "    " << tut::pad_right(t.tr(N::method_of_order, t.tr(method_name(method)), m->order()), 24)
                << fmt::format(" Σ = {:.12f}  {}\n", sum, std::abs(sum - 1) < 1e-9 ? t.style().good("✓") : t.style().bad("✗"));
    }
}

}  // namespace

int main(int argc, char** argv) {
    return tut::run(kInfo, argc, argv, [](tut::Tutorial& t) {
        std::string corpus = t.options().get("--corpus", "general");  // checked by its Flag
        Splits data = load_splits(t, corpus);
        auto vocab = ng::Vocabulary::build(data.train, 2);
        auto train = vocab.encode(data.train), val = vocab.encode(data.val), test = vocab.encode(data.test);
        std::size_t words = 0;
        for (const auto& s : train) words += s.size();
        t.step(N::data, data.name, data.origin, train.size(), words, val.size(), test.size(), vocab.size());

        ng::Counts counts(train, kMaxOrder, vocab.size());
        t.step(N::counting);
        tut::Table ct({"n", t.tr(N::col_distinct)}, {tut::Align::right, tut::Align::right});
        for (int n = 1; n <= kMaxOrder; ++n) ct.add_row({std::to_string(n), std::to_string(counts.distinct(n))});
        ct.print(t.out(), t.style());

        lecture_example(t, data);

        // Perplexity table: rows = methods, columns = n.
        t.step(N::perplexity);
        // add-k's k is chosen on validation for each n separately: a bigram wants more smoothing
        // mass per unseen pair than a 4-gram, whose histories are mostly unseen anyway.
        std::vector<double> best_k(kMaxOrder + 1, 1.0);
        for (int n = 1; n <= kMaxOrder; ++n) {
            double best_ppl = INFINITY;
            for (double k : {1.0, 0.1, 0.01, 0.001, 0.0001}) {
                double p = ng::perplexity(*ng::make_add_k(counts, n, k), val).value;
                if (p < best_ppl) best_ppl = p, best_k[n] = k;
            }
        }
        tut::Table pt({t.tr(N::col_model), "n=1", "n=2", "n=3", "n=4"},
                      {tut::Align::left, tut::Align::right, tut::Align::right, tut::Align::right, tut::Align::right});
        std::vector<tut::Series> series;
        int first_infinite = 0;
        ng::Perplexity first_zero;
        std::vector<double> lambdas4;
        for (Method method : {Method::mle, Method::add_one, Method::add_k, Method::interpolated, Method::kneser_ney}) {
            tut::Series s{t.tr(method_name(method)), {}, {}};
            std::vector<tut::Cell> row{s.name};
            for (int n = 1; n <= kMaxOrder; ++n) {
                std::unique_ptr<ng::Model> m;
                if (method == Method::mle) m = ng::make_mle(counts, n);
                else if (method == Method::add_one) m = ng::make_add_k(counts, n, 1.0);
                else if (method == Method::add_k) m = ng::make_add_k(counts, n, best_k[n]);
                else if (method == Method::interpolated) {
                    auto im = ng::make_interpolated(counts, n, val, t.quick() ? 8 : 20);
                    if (n == kMaxOrder) lambdas4 = im->lambdas();
                    m = std::move(im);
                } else m = ng::make_kneser_ney(counts, n);
                auto p = ng::perplexity(*m, test);
                // "∞" on screen; the CSV's "inf" is what a program reads as infinity
                row.push_back(tut::Cell(ppl_text(p.value), std::isfinite(p.value) ? ppl_text(p.value) : "inf"));
                s.x.push_back(n), s.y.push_back(p.value);
                if (method == Method::mle && !std::isfinite(p.value) && first_infinite == 0) first_infinite = n, first_zero = p;
            }
            pt.add_row(row);
            series.push_back(s);
        }
        pt.print(t.out(), t.style());
        t.out() << "\n";
        if (first_infinite)
            t.say(N::infinite, first_infinite,
                  fmt::format("{:.1f}% ({}/{})", 100.0 * double(first_zero.zero_tokens) / double(first_zero.tokens),
                              first_zero.zero_tokens, first_zero.tokens),
                  first_infinite);
        std::string ks;
        for (int n = 1; n <= kMaxOrder; ++n) ks += fmt::format("{}{:g}", n == 1 ? "" : ", ", best_k[n]);
        t.say(N::best_k, kMaxOrder, ks);
        std::string ls;
        for (double l : lambdas4) ls += fmt::format("{}{:.3f}", ls.empty() ? "" : ", ", l);
        t.say(N::lambdas, kMaxOrder, ls);
        pt.write_csv(t.out_file("perplexity_table.csv"));
        t.wrote(t.out_file("perplexity_table.csv"));
        auto files = tut::write_line_plot(t.out_file("perplexity.svg"),
                                          {t.tr(N::plot_title), t.tr(N::plot_x), t.tr(tut::words::perplexity)}, series, true);
        t.wrote(files.svg);
        t.wrote(files.csv);

        // Zero probability, word by word.
        t.step(N::zero);
        auto lecture_sentence = ng::split_sentences("Encerramos o ciclo 2 de TP558.");
        auto ids = vocab.encode(lecture_sentence)[0];
        auto mle2 = ng::make_mle(counts, 2);
        auto kn2 = ng::make_kneser_ney(counts, 2);
        tut::Table zt({t.tr(N::col_word), "P_MLE(w | prev)", "P_KN(w | prev)"},
                      {tut::Align::left, tut::Align::right, tut::Align::right});
        std::vector<ng::Id> hist{ng::Vocabulary::bos};
        ids.push_back(ng::Vocabulary::eos);
        std::size_t zeros = 0;
        double p_mle = 1, p_kn = 1;  // the whole sentence
        for (std::size_t i = 0; i < ids.size(); ++i) {
            double pm = mle2->prob(hist, ids[i]), pk = kn2->prob(hist, ids[i]);
            zeros += pm == 0, p_mle *= pm, p_kn *= pk;
            std::string word = i < lecture_sentence[0].size() ? lecture_sentence[0][i] : "</s>";
            if (ids[i] == ng::Vocabulary::unk) word += " → <unk>";
            zt.add_row({word, pm == 0 ? t.style().bad("0") : fmt::format("{:.5f}", pm), fmt::format("{:.5f}", pk)});
            hist.push_back(ids[i]);
        }
        zt.print(t.out(), t.style());
        t.out() << "\n";
        if (zeros) t.say(N::zero_verdict, zeros, ids.size(), p_kn);
        else t.say(N::zero_none, p_mle, p_kn);

        // Generation and copying.
        t.step(N::generation, std::to_string(t.options().seed));
        std::vector<std::unique_ptr<ng::Model>> mles;
        for (int n = 1; n <= kMaxOrder; ++n) mles.push_back(ng::make_mle(counts, n));
        std::mt19937_64 rng(t.options().seed);
        for (int n = 1; n <= kMaxOrder; ++n)
            for (int i = 0; i < 2; ++i)
                t.out() << tut::hang(fmt::format("    n={}  ", n), ng::join(vocab, ng::generate(*mles[n - 1], rng, 20)));

        std::size_t samples = t.quick() ? 5 : 20;
        t.step(N::copying, samples);
        std::set<std::vector<ng::Id>> whole(train.begin(), train.end());
        tut::Table cp({"n", t.tr(N::col_mean_span), t.tr(N::col_max_span),
                       tut::split_cell(t.tr(N::col_whole), {t.tr(N::col_whole), t.tr(N::col_samples)})},
                      {tut::Align::right, tut::Align::right, tut::Align::right, tut::Align::right});
        for (int n = 1; n <= kMaxOrder; ++n) {
            std::mt19937_64 r(t.options().seed + static_cast<unsigned>(n));
            double sum = 0;
            std::size_t mx = 0, copies = 0;
            for (std::size_t i = 0; i < samples; ++i) {
                auto s = ng::generate(*mles[n - 1], r, 20);
                std::size_t span = ng::longest_copied_span(s, train);
                sum += double(span), mx = std::max(mx, span), copies += whole.count(s) && !s.empty();
            }
            cp.add_row({std::to_string(n), fmt::format("{:.1f}", sum / double(samples)), std::to_string(mx),
                        tut::split_cell(fmt::format("{}/{}", copies, samples),
                                        {std::to_string(copies), std::to_string(samples)})});
        }
        cp.print(t.out(), t.style());
        cp.write_csv(t.out_file("copying.csv"));
        t.wrote(t.out_file("copying.csv"));

        t.step(N::arpa);
        auto kn3 = ng::make_kneser_ney(counts, 3);
        auto arpa_path = t.out_file("kn3.arpa");
        std::ofstream arpa(arpa_path);
        kn3->write_arpa(arpa, vocab);
        arpa.close();
        if (!arpa) throw std::runtime_error("cannot write " + arpa_path.string());
        std::ifstream back(arpa_path);
        std::string line;
        for (int i = 0; i < 6 && std::getline(back, line); ++i)
            if (!line.empty()) t.out() << "    " << line << "\n";  // the header; its blank lines left out
        t.out() << "\n    " << t.tr(N::discounts, kn3->discount(0), kn3->discount(1), kn3->discount(2)) << "\n";
        t.wrote(arpa_path);
    });
}
