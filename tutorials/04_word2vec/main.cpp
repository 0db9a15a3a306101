// 04_word2vec — embeddings (2013): skip-gram with negative sampling, as word2vec.c does it,
// trained in batches with aprender; neighbours, analogies, PCA, the one-vector-per-word
// limitation, and an export other tools read. Words: narration.h.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <fstream>
#include <functional>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <unordered_map>

#include <fmt/format.h>

#include "nn/optim.h"
#include "tutorials/common/bars.h"
#include "tutorials/common/corpus.h"
#include "tutorials/common/ngram.h"
#include "tutorials/common/progress.h"
#include "tutorials/common/runner.h"
#include "tutorials/common/svg.h"
#include "tutorials/common/table.h"
#include "tutorials/04_word2vec/narration.h"

namespace tut = aprender::tutorial;
namespace nn = aprender::nn;
namespace N = aprender::tutorial::word2vec_narration;
using aprender::Tensor;

namespace {

const tut::TutorialInfo kInfo{"04_word2vec", N::title, N::summary, {{"--epochs", "N", N::flag_epochs, tut::IntRange{1, 100}}}};

// log σ(x), with x clipped to [−6, 6] as word2vec.c's MAX_EXP: beyond it the pair is already
// "learned" and gets no gradient.
Tensor log_sigmoid(const Tensor& x) { return aprender::log(aprender::sigmoid(aprender::clamp(x, -6, 6))); }

// The SGNS loss of a batch, summed over pairs (word2vec.c updates pair by pair, so the step
// size per pair does not depend on the batch size). centers, contexts: (B); negatives: (B, K).
Tensor sgns_loss(const Tensor& w_in, const Tensor& w_out, const Tensor& centers, const Tensor& contexts,
                 const Tensor& negatives) {
    using namespace aprender;
    Tensor v = embedding(centers, w_in);      // (B, D)   v_c
    Tensor uo = embedding(contexts, w_out);   // (B, D)   u_o
    Tensor un = embedding(negatives, w_out);  // (B, K, D) u_k
    Tensor pos = sum(v * uo, {-1});                 // u_o·v_c
    Tensor neg = sum(un * unsqueeze(v, 1), {-1});   // u_k·v_c
    return -(sum(log_sigmoid(pos)) + sum(log_sigmoid(-neg)));
}

struct Vocab {
    std::vector<std::string> words;
    std::vector<std::int64_t> counts;
    std::unordered_map<std::string, int32_t> index;
    int32_t id(const std::string& w) const {
        auto it = index.find(w);
        return it == index.end() ? -1 : it->second;
    }
};

struct Options {
    int64_t dim = 50, window = 5, negatives = 5, batch = 512, epochs = 1, min_count = 5;
    double lr = 0.025, sample = 1e-3;
};

// word2vec.c's subsampling: a word seen f times is kept with probability (√(f/t) + 1)·t/f,
// t = sample·(words in the corpus); words rarer than about t are always kept.
double keep_probability(double f, double t) { return std::min(1.0, (std::sqrt(f / t) + 1) * t / f); }

struct Stats {
    std::int64_t words = 0, kept = 0, pairs = 0;
    double seconds = 0;
};

class Word2Vec {
public:
    Vocab vocab;
    Tensor w_in, w_out;

    // The vocabulary (words seen ≥ min_count times, most frequent first) and the corpus as ids.
    void build_vocab(const std::vector<std::vector<std::string>>& sentences, std::int64_t min_count) {
        std::map<std::string, std::int64_t> counts;
        for (const auto& s : sentences)
            for (const auto& w : s) ++counts[w];
        std::vector<std::pair<std::int64_t, std::string>> sorted;
        for (const auto& [w, c] : counts)
            if (c >= min_count) sorted.emplace_back(c, w);
        std::sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) { return a.first > b.first || (a.first == b.first && a.second < b.second); });
        for (const auto& [c, w] : sorted) {
            vocab.index[w] = (int32_t)vocab.words.size();
            vocab.words.push_back(w), vocab.counts.push_back(c);
        }
        ids_.clear(), total_ = 0;
        for (const auto& s : sentences) {
            std::vector<int32_t> v;
            for (const auto& w : s)
                if (int32_t i = vocab.id(w); i >= 0) v.push_back(i);
            total_ += (std::int64_t)v.size();
            ids_.push_back(std::move(v));
        }
    }
    std::int64_t words_in_vocab() const { return total_; }  // corpus words that have an id

    // SGNS over the corpus given to build_vocab, `o.epochs` times; after each batch,
    // on_batch(fraction done, mean loss per pair of that batch) — for a progress bar.
    Stats train(const Options& o, std::uint64_t seed, const std::function<void(double, double)>& on_batch = {}) {
        const int64_t V = (int64_t)vocab.words.size();
        const std::vector<std::vector<int32_t>>& ids = ids_;
        const std::int64_t total = total_;
        // word2vec.c's initialisation: input vectors small and random, output vectors zero.
        aprender::Generator gen(seed);
        w_in = Tensor::uniform({V, o.dim}, -0.5 / double(o.dim), 0.5 / double(o.dim), gen).requires_grad_();
        w_out = Tensor::zeros({V, o.dim}).requires_grad_();
        nn::SGD sgd({{"w_in", w_in}, {"w_out", w_out}}, {.lr = o.lr});

        // Negatives: the unigram distribution to the 3/4 power (rare words drawn more often than
        // their frequency, frequent ones less).
        std::vector<double> weights;
        for (auto c : vocab.counts) weights.push_back(std::pow(double(c), 0.75));
        std::discrete_distribution<int32_t> negative(weights.begin(), weights.end());
        std::mt19937_64 rng(seed);
        std::uniform_real_distribution<double> unit(0, 1);

        Stats st;
        std::vector<int32_t> c, x, n;
        auto flush = [&](double progress) {
            if (c.empty()) return;
            const int64_t B = (int64_t)c.size();
            // Linear decay, as word2vec.c: lr · (1 − progress), never below lr · 1e-4.
            sgd.set_lr(o.lr * std::max(1e-4, 1.0 - progress));
            Tensor loss = sgns_loss(w_in, w_out, Tensor::from(c, {B}), Tensor::from(x, {B}),
                                    Tensor::from(n, {B, o.negatives}));
            sgd.zero_grad();
            loss.backward();
            sgd.step();
            st.pairs += B;
            if (on_batch) on_batch(progress, loss.item() / double(B));
            c.clear(), x.clear(), n.clear();
        };
        auto t0 = std::chrono::steady_clock::now();
        const double threshold = o.sample * double(total);
        for (int64_t epoch = 0; epoch < o.epochs; ++epoch)
            for (const auto& s : ids) {
                // Subsampling (keep_probability): frequent words are dropped at random.
                std::vector<int32_t> kept;
                for (int32_t w : s) {
                    double keep = keep_probability(double(vocab.counts[(std::size_t)w]), threshold);
                    if (keep >= 1 || unit(rng) < keep) kept.push_back(w);
                }
                st.words += (std::int64_t)s.size(), st.kept += (std::int64_t)kept.size();
                double progress = double(st.words) / double(total * o.epochs);
                for (std::size_t i = 0; i < kept.size(); ++i) {
                    // Dynamic window: b drawn from 1..window, so a word at distance d is used
                    // with probability (window − d + 1) / window.
                    int64_t b = std::uniform_int_distribution<int64_t>(1, o.window)(rng);
                    for (int64_t j = (int64_t)i - b; j <= (int64_t)i + b; ++j) {
                        if (j < 0 || j >= (int64_t)kept.size() || j == (int64_t)i) continue;
                        c.push_back(kept[i]), x.push_back(kept[(std::size_t)j]);
                        for (int64_t k = 0; k < o.negatives; ++k) {
                            int32_t neg = negative(rng);
                            while (neg == kept[(std::size_t)j] && V > 1) neg = negative(rng);
                            n.push_back(neg);
                        }
                        if ((int64_t)c.size() == o.batch) flush(progress);
                    }
                }
            }
        flush(1.0);
        st.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        normalised_ = normalise();
        return st;
    }

    // Unit-length copies of the input vectors (what word2vec's distance tool uses).
    const std::vector<std::vector<double>>& unit() const { return normalised_; }
    const std::vector<double>& vec(const std::string& w) const { return normalised_.at((std::size_t)vocab.id(w)); }
    bool has(const std::string& w) const { return vocab.id(w) >= 0; }

    // Words by cosine to `q` (unit vectors), excluding `skip`.
    std::vector<std::pair<double, std::string>> nearest(const std::vector<double>& q, std::size_t k,
                                                        const std::set<std::string>& skip = {}) const {
        std::vector<std::pair<double, std::string>> out;
        double qn = 0;
        for (double x : q) qn += x * x;
        qn = std::sqrt(qn) + 1e-12;
        for (std::size_t i = 0; i < normalised_.size(); ++i) {
            if (skip.count(vocab.words[i])) continue;
            double d = 0;
            for (std::size_t j = 0; j < q.size(); ++j) d += q[j] * normalised_[i][j];
            out.emplace_back(d / qn, vocab.words[i]);
        }
        std::partial_sort(out.begin(), out.begin() + (long)std::min(k, out.size()), out.end(), std::greater<>());
        out.resize(std::min(k, out.size()));
        return out;
    }

    // word2vec's text format, with the vectors the tutorial compares (centred, unit length:
    // see normalise), so another tool finds the neighbours printed here.
    void save_text(const std::string& path) const {
        std::ofstream f(path);
        const std::size_t D = (std::size_t)w_in.size(1);
        f << vocab.words.size() << " " << D << "\n";
        for (std::size_t i = 0; i < vocab.words.size(); ++i) {
            f << vocab.words[i];
            for (std::size_t j = 0; j < D; ++j) f << fmt::format(" {:.6f}", normalised_[i][j]);
            f << "\n";
        }
        if (!f) throw std::runtime_error("cannot write " + path);
    }

private:
    std::vector<std::vector<int32_t>> ids_;  // the corpus, sentence by sentence, as vocabulary ids
    std::int64_t total_ = 0;
    std::vector<std::vector<double>> normalise() const {
        auto raw = w_in.detach().to_double_vector();
        const std::size_t D = (std::size_t)w_in.size(1);
        // All vectors share one large common direction (every word is "a word that occurs next to
        // frequent words"); on a small corpus it hides everything else (every cosine ≈ 1). As
        // Mu & Viswanath (2018, "all-but-the-top"), subtract the mean vector before comparing.
        std::vector<double> mean(D, 0);
        const std::size_t n_words = raw.size() / D;
        for (std::size_t i = 0; i < raw.size(); ++i) mean[i % D] += raw[i] / double(n_words);
        std::vector<std::vector<double>> out;
        for (std::size_t i = 0; i * D < raw.size(); ++i) {
            std::vector<double> v(raw.begin() + (long)(i * D), raw.begin() + (long)((i + 1) * D));
            for (std::size_t j = 0; j < D; ++j) v[j] -= mean[j];
            double n = 0;
            for (double x : v) n += x * x;
            n = std::sqrt(n) + 1e-12;
            for (double& x : v) x /= n;
            out.push_back(std::move(v));
        }
        return out;
    }
    std::vector<std::vector<double>> normalised_;
};

double cosine(const std::vector<double>& a, const std::vector<double>& b) {
    double d = 0, na = 0, nb = 0;
    for (std::size_t i = 0; i < a.size(); ++i) d += a[i] * b[i], na += a[i] * a[i], nb += b[i] * b[i];
    return d / (std::sqrt(na * nb) + 1e-12);
}
std::vector<double> combine(const std::vector<double>& a, const std::vector<double>& b, const std::vector<double>& c) {
    std::vector<double> r(a.size());
    for (std::size_t i = 0; i < a.size(); ++i) r[i] = a[i] - b[i] + c[i];
    return r;
}
std::vector<double> diff(const std::vector<double>& a, const std::vector<double>& b) {
    std::vector<double> r(a.size());
    for (std::size_t i = 0; i < a.size(); ++i) r[i] = a[i] - b[i];
    return r;
}

// ---- the gradient, by hand vs autograd ----------------------------------------------------------
double gradient_check(std::uint64_t seed, int64_t K) {
    const int64_t V = K + 2, D = 8;
    aprender::Generator gen(seed);
    Tensor w_in = Tensor::normal({V, D}, 0, 0.5, gen).requires_grad_();
    Tensor w_out = Tensor::normal({V, D}, 0, 0.5, gen).requires_grad_();
    std::vector<int32_t> negs;
    for (int32_t k = 0; k < K; ++k) negs.push_back(2 + k);
    sgns_loss(w_in, w_out, Tensor::from(std::vector<int32_t>{0}, {1}), Tensor::from(std::vector<int32_t>{1}, {1}),
              Tensor::from(negs, {1, K}))
        .backward();
    auto wi = w_in.detach().to_double_vector(), wo = w_out.detach().to_double_vector();
    auto gi = w_in.grad().to_double_vector(), go = w_out.grad().to_double_vector();
    auto row = [&](const std::vector<double>& m, int64_t r) {
        return std::vector<double>(m.begin() + r * D, m.begin() + (r + 1) * D);
    };
    auto dot = [](const std::vector<double>& a, const std::vector<double>& b) {
        double s = 0;
        for (std::size_t i = 0; i < a.size(); ++i) s += a[i] * b[i];
        return s;
    };
    auto sig = [](double x) { return 1 / (1 + std::exp(-x)); };
    auto vc = row(wi, 0), uo = row(wo, 1);
    double worst = 0;
    double so = sig(dot(uo, vc));
    std::vector<double> dvc(D);
    for (int64_t i = 0; i < D; ++i) dvc[i] = (so - 1) * uo[i];
    for (int64_t k = 0; k < K; ++k) {
        auto uk = row(wo, 2 + k);
        double sk = sig(dot(uk, vc));
        for (int64_t i = 0; i < D; ++i) {
            dvc[i] += sk * uk[i];
            worst = std::max(worst, std::abs(go[(2 + k) * D + i] - sk * vc[i]));  // ∂L/∂u_k
        }
    }
    for (int64_t i = 0; i < D; ++i) {
        worst = std::max(worst, std::abs(gi[i] - dvc[i]));                    // ∂L/∂v_c
        worst = std::max(worst, std::abs(go[D + i] - (so - 1) * vc[i]));      // ∂L/∂u_o
    }
    return worst;
}

std::vector<std::vector<std::string>> lines_as_words(const std::string& text) {
    std::vector<std::vector<std::string>> out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) {
        if (line.empty() || line[0] == '#') continue;
        std::istringstream ws(line);
        std::vector<std::string> words;
        for (std::string w; ws >> w;) words.push_back(w);
        out.push_back(std::move(words));
    }
    return out;
}

void print_neighbours(tut::Tutorial& t, const Word2Vec& m, const std::string& w, std::size_t k) {
    if (!m.has(w)) return;
    // "    word         → n1 0.83  n2 0.81 ...", continued under the arrow past 88 columns
    const std::string indent(4 + 12 + 3, ' ');
    std::string line = fmt::format("    {} → ", t.style().bold(tut::pad_right(w, 12)));
    std::size_t width = tut::display_width(line);  // colour takes no columns
    bool first = true;
    for (const auto& [cos, word] : m.nearest(m.vec(w), k, {w})) {
        std::string item = fmt::format("{} {:.2f}", word, cos);
        std::size_t wi = tut::display_width(item);
        if (!first && width + 2 + wi > 88) line += "\n" + indent, width = indent.size();
        else if (!first) line += "  ", width += 2;
        line += item, width += wi, first = false;
    }
    t.out() << line << "\n";
}

// Top-2 principal components by power iteration with deflation; returns the projections and
// the share of variance of each component.
std::pair<std::vector<std::array<double, 2>>, std::array<double, 2>> pca2(std::vector<std::vector<double>> x) {
    const std::size_t n = x.size(), d = x[0].size();
    std::vector<double> mean(d, 0);
    for (const auto& r : x)
        for (std::size_t j = 0; j < d; ++j) mean[j] += r[j] / double(n);
    for (auto& r : x)
        for (std::size_t j = 0; j < d; ++j) r[j] -= mean[j];
    std::vector<std::vector<double>> cov(d, std::vector<double>(d, 0));
    double trace = 0;
    for (const auto& r : x)
        for (std::size_t i = 0; i < d; ++i)
            for (std::size_t j = 0; j < d; ++j) cov[i][j] += r[i] * r[j] / double(n);
    for (std::size_t i = 0; i < d; ++i) trace += cov[i][i];
    std::vector<std::vector<double>> comps;
    std::array<double, 2> share{};
    for (int c = 0; c < 2; ++c) {
        std::vector<double> v(d, 1.0 / std::sqrt(double(d)));
        v[0] += 0.1 * (c + 1);
        double lambda = 0;
        for (int it = 0; it < 500; ++it) {
            std::vector<double> w(d, 0);
            for (std::size_t i = 0; i < d; ++i)
                for (std::size_t j = 0; j < d; ++j) w[i] += cov[i][j] * v[j];
            double norm = 0;
            for (double y : w) norm += y * y;
            norm = std::sqrt(norm);
            lambda = norm;
            for (std::size_t i = 0; i < d; ++i) v[i] = w[i] / (norm + 1e-300);
        }
        share[(std::size_t)c] = lambda / trace;
        for (std::size_t i = 0; i < d; ++i)
            for (std::size_t j = 0; j < d; ++j) cov[i][j] -= lambda * v[i] * v[j];
        comps.push_back(v);
    }
    std::vector<std::array<double, 2>> out;
    for (const auto& r : x) {
        std::array<double, 2> p{0, 0};
        for (std::size_t j = 0; j < d; ++j) p[0] += r[j] * comps[0][j], p[1] += r[j] * comps[1][j];
        out.push_back(p);
    }
    return {out, share};
}

}  // namespace

int main(int argc, char** argv) {
    return tut::run(kInfo, argc, argv, [](tut::Tutorial& t) {
        const auto& style = t.style();
        const bool quick = t.quick();
        const std::uint64_t seed = t.options().seed;
        const int64_t epochs = t.options().get_int("--epochs", quick ? 5 : 3);

        double worst = gradient_check(seed, 5);
        t.step(N::sgns, 5, worst, worst < 1e-5 ? style.good("✓") : style.bad("✗"));

        // ---- the real corpus ------------------------------------------------------------------
        std::int64_t real_words = 0;  // its size, for the analogy step's comparison...
        std::string real_analogy;     // ...and how rei − homem + mulher fares on it
        {
            std::string name = "general", text;
            try {
                text = tut::load_corpus("general", "train").text;
            } catch (const tut::CorpusMissing& e) {
                t.out() << style.warn("  " + std::string(e.what())) << "\n";
                text = tut::read_data_file("lecture/frases.txt"), name = "lecture";
            }
            if (quick) text = text.substr(0, text.rfind('\n', 250000) == std::string::npos ? text.size() : text.rfind('\n', 250000));
            // Words only: tokens without a letter ("(", "*", "1.2") carry no meaning to learn.
            auto sentences = tut::ngram::split_sentences(text);
            for (auto& sent : sentences)
                std::erase_if(sent, [](const std::string& w) {
                    return std::none_of(w.begin(), w.end(), [](char ch) { return std::isalpha((unsigned char)ch) || (unsigned char)ch >= 0x80; });
                });
            Options o;
            o.dim = quick ? 32 : 64, o.batch = 256;
            o.epochs = epochs;
            o.min_count = name == "lecture" ? 1 : 5;
            Word2Vec m;
            m.build_vocab(sentences, o.min_count);
            real_words = m.words_in_vocab();
            std::string dropped;  // the three most frequent words (the vocabulary's first) and their drop rates
            for (std::size_t i = 0; i < std::min<std::size_t>(3, m.vocab.words.size()); ++i)
                dropped += fmt::format("{}\"{}\" {:.0f}%", i ? ", " : "", m.vocab.words[i],
                                       100 * (1 - keep_probability(double(m.vocab.counts[i]), o.sample * double(real_words))));
            t.step(N::real, name, m.words_in_vocab(), m.vocab.words.size(), o.min_count, dropped, o.window, o.lr, o.dim,
                   o.epochs);
            tut::ProgressBar bar(t.out(), "  SGNS", 1000, tut::stdout_is_terminal());  // several seconds
            auto st = m.train(o, seed, [&](double done, double loss) {
                bar.update((std::size_t)std::min(1000.0, 1000 * done), t.tr(tut::words::loss_value, loss));
            });
            bar.finish();
            t.say(N::real_result, 100.0 * double(st.kept) / double(st.words), st.pairs, st.seconds);
            t.out() << "\n";
            t.say(N::neighbours_of);
            for (const char* w : {"arquivo", "diretório", "usuário", "rede", "kernel", "comando", "linux", "senha"})
                print_neighbours(t, m, w, 5);
            // The analogy below, asked of this corpus first.
            std::string missing;
            for (const char* w : {"rei", "homem", "mulher", "rainha"})
                if (!m.has(w)) missing += fmt::format("{}\"{}\"", missing.empty() ? "" : ", ", w);
            if (!missing.empty()) {
                real_analogy = t.tr(N::real_analogy_missing, missing, o.min_count);
            } else {
                auto all = m.nearest(combine(m.vec("rei"), m.vec("homem"), m.vec("mulher")), m.vocab.words.size(),
                                     {"rei", "homem", "mulher"});
                std::size_t rank = 1;
                while (rank < all.size() && all[rank - 1].second != "rainha") ++rank;
                real_analogy = rank == 1 ? t.tr(N::real_analogy_first) : t.tr(N::real_analogy_rank, rank, all.size());
            }
            m.save_text(t.out_file("general_vectors.txt").string());
            t.wrote(t.out_file("general_vectors.txt"));
        }

        // ---- the synthetic royalty corpus ----------------------------------------------------------
        auto synthetic = lines_as_words(tut::read_data_file("word2vec/realeza.txt"));
        Options o;
        o.dim = 24, o.window = 3, o.min_count = 1, o.negatives = 5, o.batch = 256, o.sample = 1e-2;
        o.epochs = quick ? 8 : 20;
        Word2Vec m;
        m.build_vocab(synthetic, o.min_count);
        auto st = m.train(o, seed);
        t.step(N::analogy, real_words, real_analogy, synthetic.size(), m.vocab.words.size(), o.epochs, st.seconds);
        auto target = combine(m.vec("rei"), m.vec("homem"), m.vec("mulher"));
        t.say(N::add_title);
        std::vector<tut::Bar> bars;
        auto add = m.nearest(target, 5, {"rei", "homem", "mulher"});
        for (const auto& [cos, w] : add) bars.push_back({w, cos});
        tut::print_bars(t.out(), style, bars, {.max = 1.0, .width = 40, .digits = 3, .indent = 4});
        std::size_t rank = 0;
        for (std::size_t i = 0; i < add.size(); ++i)
            if (add[i].second == "rainha") rank = i + 1;
        t.out() << fmt::format("  {} (3CosAdd): {}\n\n", t.tr(tut::words::rank_of, "rainha"), rank ? std::to_string(rank) : "> 5");

        t.say(N::mul_title);
        std::vector<std::pair<double, std::string>> mul;
        for (const auto& w : m.vocab.words) {
            if (w == "rei" || w == "homem" || w == "mulher") continue;
            auto s = [&](const std::string& other) { return (cosine(m.vec(w), m.vec(other)) + 1) / 2; };
            mul.emplace_back(s("rei") * s("mulher") / (s("homem") + 1e-3), w);
        }
        std::sort(mul.rbegin(), mul.rend());
        bars.clear();
        for (std::size_t i = 0; i < 5; ++i) bars.push_back({mul[i].second, mul[i].first});
        tut::print_bars(t.out(), style, bars, {.max = 0, .width = 40, .digits = 3, .indent = 4});
        std::size_t mul_rank = 0;
        for (std::size_t i = 0; i < 5; ++i)
            if (mul[i].second == "rainha") mul_rank = i + 1;
        t.out() << fmt::format("  {} (3CosMul): {}\n\n", t.tr(tut::words::rank_of, "rainha"), mul_rank ? std::to_string(mul_rank) : "> 5");

        t.say(N::more_analogies);
        tut::Table at({"a : b :: c : ?", t.tr(tut::words::expected), "top-1", t.tr(tut::words::rank)},
                      {tut::Align::left, tut::Align::left, tut::Align::left, tut::Align::right});
        const std::vector<std::array<std::string, 4>> quads{{"homem", "mulher", "príncipe", "princesa"},
                                                            {"homem", "mulher", "pai", "mãe"},
                                                            {"menino", "menina", "duque", "duquesa"},
                                                            {"rei", "rainha", "irmão", "irmã"},
                                                            {"homem", "rei", "mulher", "rainha"},
                                                            {"menina", "princesa", "menino", "príncipe"}};
        for (const auto& q : quads) {
            auto r = m.nearest(combine(m.vec(q[1]), m.vec(q[0]), m.vec(q[2])), m.vocab.words.size(), {q[0], q[1], q[2]});
            std::size_t k = 0;
            while (k < r.size() && r[k].second != q[3]) ++k;
            at.add_row({fmt::format("{} : {} :: {} : ?", q[0], q[1], q[2]), q[3], r[0].second, std::to_string(k + 1)});
        }
        at.print(t.out(), style);
        t.out() << "\n";
        t.say(N::direction, cosine(diff(m.vec("rainha"), m.vec("rei")), diff(m.vec("mulher"), m.vec("homem"))),
              cosine(diff(m.vec("rainha"), m.vec("rei")), diff(m.vec("fazenda"), m.vec("mercado"))));

        // ---- PCA ---------------------------------------------------------------------------------
        const std::vector<std::pair<std::string, std::string>> pairs{
            {"homem", "mulher"}, {"rei", "rainha"}, {"príncipe", "princesa"}, {"menino", "menina"}, {"pai", "mãe"},
            {"duque", "duquesa"}, {"irmão", "irmã"}, {"imperador", "imperatriz"}};
        const std::set<std::string> royal{"rei", "rainha", "príncipe", "princesa", "duque", "duquesa", "imperador", "imperatriz"};
        std::vector<std::vector<double>> x;
        std::vector<std::string> labels, groups;
        for (const auto& [a, b] : pairs)
            for (const auto& w : {a, b}) {
                x.push_back(m.vec(w));
                labels.push_back(w);
                bool fem = w == b;
                groups.push_back(t.tr(fem ? (royal.count(w) ? N::group_female_royal : N::group_female_common)
                                          : (royal.count(w) ? N::group_male_royal : N::group_male_common)));
            }
        auto [proj, share] = pca2(x);
        t.step(N::pca, 100 * share[0], 100 * share[1]);
        std::vector<tut::ScatterPoint> pts;
        for (std::size_t i = 0; i < proj.size(); ++i) {
            pts.push_back({proj[i][0], proj[i][1], labels[i], groups[i]});
            t.out() << fmt::format("    {:<11} ({:+.2f}, {:+.2f})  {}\n", labels[i], proj[i][0], proj[i][1], style.dim(groups[i]));
        }
        auto sf = tut::write_scatter(t.out_file("pca.svg"), {t.tr(N::pca_title), "PC1", "PC2"}, pts);
        t.wrote(sf.svg);
        t.wrote(sf.csv);

        // ---- barracuda -----------------------------------------------------------------------------
        t.step(N::barracuda);
        const std::set<std::string> fish{"nada", "mar", "recife", "sardinhas", "sardinha", "peixe", "pescador", "pescou",
                                         "tubarão", "atum", "oceano", "caça", "dentes", "afiados", "nadam", "pequeno"};
        const std::set<std::string> car{"motor", "potente", "dirige", "estrada", "garagem", "carro", "antigo",
                                        "mecânico", "consertou", "fusca", "opala", "anda"};
        for (const char* w : {"barracuda", "tubarão", "fusca"}) print_neighbours(t, m, w, 8);
        std::size_t nf = 0, nc = 0, k = 8;
        for (const auto& [cos, w] : m.nearest(m.vec("barracuda"), k, {"barracuda"})) nf += fish.count(w), nc += car.count(w);
        t.out() << "\n";
        t.say(N::mixed, k, nf, nc);

        // ---- export --------------------------------------------------------------------------------
        t.step(N::export_);
        auto path = t.out_file("vectors.txt");
        m.save_text(path.string());
        std::ifstream back(path);
        std::string line;
        for (int i = 0; i < 3 && std::getline(back, line); ++i)
            t.out() << "    " << tut::wrap_text(line, tut::kColumns - 4, 1).front() << "\n";  // whole numbers, then " …"
        t.wrote(path);
    });
}
