// ngram.cpp — counting, the four models, perplexity, sampling, ARPA (see ngram.h).
#include "tutorials/common/ngram.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <ostream>
#include <sstream>
#include <stdexcept>

#include <fmt/format.h>

#include "tokenizer/word.h"

namespace aprender::tutorial::ngram {

namespace {

constexpr int kIdBits = 21;  // three ids per 64-bit key: vocabularies up to 2 M words
constexpr std::uint64_t kMaxId = (1u << kIdBits) - 1;

std::uint64_t key_of(History h) {
    std::uint64_t k = 0;
    for (Id id : h) k = (k << kIdBits) | id;
    return k;
}

std::vector<Id> unkey(std::uint64_t k, std::size_t length) {
    std::vector<Id> h(length);
    for (std::size_t i = length; i-- > 0; k >>= kIdBits) h[i] = static_cast<Id>(k & kMaxId);
    return h;
}

bool ends_sentence(std::string_view w) { return w == "." || w == "!" || w == "?"; }

}  // namespace

// ---------------------------------------------------------------- text → sentences
std::vector<std::vector<std::string>> split_sentences(std::string_view text) {
    std::vector<std::vector<std::string>> out;
    std::istringstream lines{std::string(text)};
    std::string line;
    while (std::getline(lines, line)) {
        std::vector<std::string> sentence;
        for (auto& w : tokenizer::split_words(line, /*lowercase=*/true)) {
            if (ends_sentence(w)) {
                if (!sentence.empty()) out.push_back(std::move(sentence));
                sentence.clear();
            } else {
                sentence.push_back(std::move(w));
            }
        }
        if (!sentence.empty()) out.push_back(std::move(sentence));
    }
    return out;
}

Vocabulary Vocabulary::build(const std::vector<std::vector<std::string>>& sentences, int min_count) {
    std::map<std::string, std::size_t> count;  // ordered: ids do not depend on hashing
    for (const auto& s : sentences)
        for (const auto& w : s) ++count[w];
    Vocabulary v;
    for (const char* special : {"<s>", "</s>", "<unk>"}) {
        v.index_[special] = static_cast<Id>(v.words_.size());
        v.words_.push_back(special);
    }
    for (const auto& [w, c] : count)
        if (c >= static_cast<std::size_t>(min_count) && !v.index_.count(w)) {
            if (v.words_.size() > kMaxId) throw std::runtime_error("vocabulary too large for n-gram keys");
            v.index_[w] = static_cast<Id>(v.words_.size());
            v.words_.push_back(w);
        }
    return v;
}

Id Vocabulary::id(std::string_view word) const {
    auto it = index_.find(std::string(word));
    return it == index_.end() ? unk : it->second;
}

std::vector<Sentence> Vocabulary::encode(const std::vector<std::vector<std::string>>& sentences) const {
    std::vector<Sentence> out;
    out.reserve(sentences.size());
    for (const auto& s : sentences) {
        Sentence ids;
        for (const auto& w : s) ids.push_back(id(w));
        out.push_back(std::move(ids));
    }
    return out;
}

std::string join(const Vocabulary& v, const Sentence& s) {
    std::string out;
    for (Id id : s) out += (out.empty() ? "" : " ") + v.word(id);
    return out;
}

// ---------------------------------------------------------------- counting
Counts::Counts(const std::vector<Sentence>& sentences, int max_order, std::size_t vocab_size)
    : max_order_(max_order), vocab_size_(vocab_size), raw_(max_order), cont_(max_order) {
    if (max_order < 1 || max_order > 4) throw std::invalid_argument("n-gram order must be 1..4");
    std::vector<Id> t;
    for (const auto& s : sentences) {
        t.assign(1, Vocabulary::bos);
        t.insert(t.end(), s.begin(), s.end());
        t.push_back(Vocabulary::eos);
        for (std::size_t i = 1; i < t.size(); ++i)
            for (std::size_t len = 0; len < static_cast<std::size_t>(max_order) && len <= i; ++len) {
                auto& f = raw_[len][key_of(History(t.data() + i - len, len))];
                ++f.total;
                ++f.next[t[i]];
            }
    }
    // Continuation counts: each distinct (v h w) adds 1 to N1+(• h w).
    for (std::size_t len = 1; len < static_cast<std::size_t>(max_order); ++len)
        for (const auto& [k, f] : raw_[len]) {
            auto h = unkey(k, len);
            auto& target = cont_[len - 1][key_of(History(h.data() + 1, len - 1))];
            for (const auto& [w, c] : f.next) { ++target.next[w]; ++target.total; }
        }
    // N-grams that start with <s> cannot be preceded: their continuation count is the raw one.
    for (std::size_t len = 1; len + 1 < static_cast<std::size_t>(max_order); ++len)
        for (const auto& [k, f] : raw_[len])
            if (unkey(k, len)[0] == Vocabulary::bos) cont_[len][k] = f;
}

const Followers* Counts::raw(History h) const {
    if (h.size() >= raw_.size()) return nullptr;
    auto it = raw_[h.size()].find(key_of(h));
    return it == raw_[h.size()].end() ? nullptr : &it->second;
}

const Followers* Counts::continuation(History h) const {
    if (h.size() >= cont_.size()) return nullptr;
    auto it = cont_[h.size()].find(key_of(h));
    return it == cont_[h.size()].end() ? nullptr : &it->second;
}

std::size_t Counts::distinct(int order) const {
    std::size_t n = 0;
    for (const auto& [k, f] : raw_.at(static_cast<std::size_t>(order - 1))) n += f.next.size();
    return n;
}

void Counts::for_each(std::size_t length, bool use_raw,
                      const std::function<void(const std::vector<Id>&, const Followers&)>& f) const {
    const auto& table = (use_raw ? raw_ : cont_).at(length);
    std::vector<std::uint64_t> keys;  // sorted: the ARPA file does not depend on hashing
    for (const auto& [k, fl] : table) keys.push_back(k);
    std::sort(keys.begin(), keys.end());
    for (auto k : keys) f(unkey(k, length), table.at(k));
}

// ---------------------------------------------------------------- models
Model::Model(const Counts& c, int order) : counts_(c), order_(order) {
    if (order < 1 || order > c.max_order())
        throw std::invalid_argument(fmt::format("order {} outside 1..{}", order, c.max_order()));
}

History Model::trim(History h) const {
    std::size_t keep = std::min<std::size_t>(h.size(), static_cast<std::size_t>(order_ - 1));
    return h.subspan(h.size() - keep);
}

namespace {

double mle(const Counts& c, History h, Id w) {
    const Followers* f = c.raw(h);
    if (!f || f->total == 0) return 0;
    auto it = f->next.find(w);
    return it == f->next.end() ? 0 : double(it->second) / double(f->total);
}

class Mle : public Model {
public:
    Mle(const Counts& c, int order) : Model(c, order) {}
    std::string name() const override { return fmt::format("MLE {}-gram", order_); }
    double prob(History h, Id w) const override { return mle(counts_, trim(h), w); }
};

class AddK : public Model {
public:
    AddK(const Counts& c, int order, double k) : Model(c, order), k_(k) {}
    std::string name() const override { return fmt::format("add-{:g} {}-gram", k_, order_); }
    double prob(History h, Id w) const override {
        const Followers* f = counts_.raw(trim(h));
        double c = 0, total = 0;
        if (f) {
            total = double(f->total);
            if (auto it = f->next.find(w); it != f->next.end()) c = double(it->second);
        }
        return (c + k_) / (total + k_ * double(counts_.vocab_size() - 1));
    }

private:
    double k_;
};

}  // namespace

std::unique_ptr<Model> make_mle(const Counts& c, int order) { return std::make_unique<Mle>(c, order); }
std::unique_ptr<Model> make_add_k(const Counts& c, int order, double k) {
    if (!(k > 0)) throw std::invalid_argument("add-k needs k > 0");
    return std::make_unique<AddK>(c, order, k);
}

Interpolated::Interpolated(const Counts& c, int order, std::vector<double> lambdas)
    : Model(c, order), lambdas_(std::move(lambdas)) {}

std::string Interpolated::name() const { return fmt::format("interpolated {}-gram", order_); }

double Interpolated::component(History h, Id w, int j) const {
    if (j == 0) return 1.0 / double(counts_.vocab_size() - 1);
    h = trim(h);
    std::size_t len = static_cast<std::size_t>(j - 1);
    if (h.size() < len) return 0;  // near <s> the longer histories do not exist
    return mle(counts_, h.subspan(h.size() - len), w);
}

bool Interpolated::available(History h, int j) const {
    if (j == 0) return true;
    h = trim(h);
    std::size_t len = static_cast<std::size_t>(j - 1);
    if (h.size() < len) return false;
    const Followers* f = counts_.raw(h.subspan(h.size() - len));
    return f && f->total > 0;
}

double Interpolated::prob(History h, Id w) const {
    double p = 0, mass = 0;
    for (int j = 0; j <= order_; ++j) {
        if (!available(h, j)) continue;
        p += lambdas_[static_cast<std::size_t>(j)] * component(h, w, j);
        mass += lambdas_[static_cast<std::size_t>(j)];
    }
    return p / mass;
}

std::unique_ptr<Interpolated> make_interpolated(const Counts& c, int order,
                                                const std::vector<Sentence>& validation, int iterations) {
    // EM (Jelinek & Mercer): the λ of a component becomes the share of the validation
    // probability it explains; start uniform.
    std::vector<double> lambdas(static_cast<std::size_t>(order) + 1, 1.0 / (order + 1));
    auto model = std::make_unique<Interpolated>(c, order, lambdas);
    std::vector<Id> t;
    for (int it = 0; it < iterations; ++it) {
        std::vector<double> share(lambdas.size(), 0.0);
        std::vector<double> mass(lambdas.size(), 0.0);
        for (const auto& s : validation) {
            t.assign(1, Vocabulary::bos);
            t.insert(t.end(), s.begin(), s.end());
            t.push_back(Vocabulary::eos);
            for (std::size_t i = 1; i < t.size(); ++i) {
                History h(t.data(), i);
                double total = 0;
                std::vector<double> part(lambdas.size(), 0.0);
                for (int j = 0; j <= order; ++j) {
                    if (!model->available(h, j)) continue;
                    part[j] = lambdas[j] * model->component(h, t[i], j);
                    total += part[j];
                    mass[j] += 1;
                }
                if (total <= 0) continue;
                for (std::size_t j = 0; j < part.size(); ++j) share[j] += part[j] / total;
            }
        }
        double sum = 0;
        for (std::size_t j = 0; j < lambdas.size(); ++j) {
            lambdas[j] = mass[j] > 0 ? share[j] / mass[j] : lambdas[j];
            sum += lambdas[j];
        }
        for (auto& l : lambdas) l /= sum;
        model = std::make_unique<Interpolated>(c, order, lambdas);
    }
    return model;
}

// ---------------------------------------------------------------- Kneser-Ney
KneserNey::KneserNey(const Counts& c, int order) : Model(c, order) {
    // D = n1 / (n1 + 2 n2) from the count-of-counts of each table the model reads.
    for (int len = 0; len < order; ++len) {
        std::size_t n1 = 0, n2 = 0;
        c.for_each(static_cast<std::size_t>(len), len == order - 1, [&](const std::vector<Id>&, const Followers& f) {
            for (const auto& [w, k] : f.next) n1 += k == 1, n2 += k == 2;
        });
        discount_.push_back(n1 + n2 > 0 && n1 > 0 ? double(n1) / double(n1 + 2 * n2) : 0.5);
    }
}

std::string KneserNey::name() const { return fmt::format("Kneser-Ney {}-gram", order_); }

const Followers* KneserNey::table(History h) const {
    // The highest order reads raw counts; lower orders read continuation counts.
    return h.size() + 1 == static_cast<std::size_t>(order_) ? counts_.raw(h) : counts_.continuation(h);
}

double KneserNey::gamma(History h) const {
    const Followers* f = table(h);
    if (!f || f->total == 0) return 1.0;
    return discount(static_cast<int>(h.size())) * double(f->next.size()) / double(f->total);
}

double KneserNey::prob(History h, Id w) const {
    h = trim(h);
    double lower = h.empty() ? 1.0 / double(counts_.vocab_size() - 1) : prob(h.subspan(1), w);
    const Followers* f = table(h);
    if (!f || f->total == 0) return lower;  // unseen history: all mass to the lower order
    double c = 0;
    if (auto it = f->next.find(w); it != f->next.end()) c = double(it->second);
    double d = discount(static_cast<int>(h.size()));
    return std::max(c - d, 0.0) / double(f->total) + gamma(h) * lower;
}

void KneserNey::write_arpa(std::ostream& out, const Vocabulary& vocab) const {
    // Order k lists the k-grams of the table the model reads at |h| = k-1, with the
    // model's interpolated probability and γ of the k-gram as a history (its back-off).
    // For every k-gram absent from the file, P = γ(h) · P_lower: exactly interpolated KN.
    std::vector<std::vector<std::string>> lines(static_cast<std::size_t>(order_));
    for (int k = 1; k <= order_; ++k) {
        bool top = k == order_;
        auto& section = lines[static_cast<std::size_t>(k - 1)];
        if (k == 1) {  // <s> is never predicted: log10 P = -99 by convention
            Id bos = Vocabulary::bos;
            section.push_back(fmt::format("-99\t<s>\t{:.6f}", std::log10(gamma(History(&bos, 1)))));
        }
        counts_.for_each(static_cast<std::size_t>(k - 1), top, [&](const std::vector<Id>& h, const Followers& f) {
            std::vector<std::pair<Id, std::uint64_t>> next(f.next.begin(), f.next.end());
            std::sort(next.begin(), next.end());
            for (const auto& [w, c] : next) {
                std::vector<Id> gram(h);
                gram.push_back(w);
                std::string words;
                for (Id id : gram) words += (words.empty() ? "" : " ") + vocab.word(id);
                std::string line = fmt::format("{:.6f}\t{}", std::log10(prob(History(h), w)), words);
                if (!top && w != Vocabulary::eos) line += fmt::format("\t{:.6f}", std::log10(gamma(History(gram))));
                section.push_back(line);
            }
        });
    }
    out << "\n\\data\\\n";
    for (std::size_t k = 0; k < lines.size(); ++k) out << "ngram " << k + 1 << "=" << lines[k].size() << "\n";
    for (std::size_t k = 0; k < lines.size(); ++k) {
        out << "\n\\" << k + 1 << "-grams:\n";
        for (const auto& l : lines[k]) out << l << "\n";
    }
    out << "\n\\end\\\n";
}

std::unique_ptr<KneserNey> make_kneser_ney(const Counts& c, int order) {
    return std::make_unique<KneserNey>(c, order);
}

// ---------------------------------------------------------------- evaluation, sampling
double Perplexity::bits_per_token() const { return std::log2(value); }

Perplexity perplexity(const Model& m, const std::vector<Sentence>& sentences) {
    Perplexity r;
    double log_sum = 0;
    std::vector<Id> t;
    for (const auto& s : sentences) {
        t.assign(1, Vocabulary::bos);
        t.insert(t.end(), s.begin(), s.end());
        t.push_back(Vocabulary::eos);
        for (std::size_t i = 1; i < t.size(); ++i) {
            double p = m.prob(History(t.data(), i), t[i]);
            ++r.tokens;
            if (p <= 0) ++r.zero_tokens;
            else log_sum += std::log(p);
        }
    }
    r.value = r.zero_tokens > 0 || r.tokens == 0 ? INFINITY : std::exp(-log_sum / double(r.tokens));
    return r;
}

std::vector<double> distribution(const Model& m, History h) {
    // Index = word id; <s> (id 0) is never predicted and keeps probability 0.
    std::vector<double> p(m.vocab_size(), 0.0);
    for (Id w = 1; w < p.size(); ++w) p[w] = m.prob(h, w);
    return p;
}

std::vector<std::pair<Id, double>> top_k(const Model& m, History h, std::size_t k) {
    auto p = distribution(m, h);
    std::vector<std::pair<Id, double>> out;
    for (Id w = 1; w < p.size(); ++w)
        if (p[w] > 0) out.push_back({w, p[w]});
    std::sort(out.begin(), out.end(), [](auto& a, auto& b) { return a.second != b.second ? a.second > b.second : a.first < b.first; });
    if (out.size() > k) out.resize(k);
    return out;
}

Sentence generate(const Model& m, std::mt19937_64& rng, std::size_t max_words) {
    std::vector<Id> t{Vocabulary::bos};
    while (t.size() <= max_words) {
        auto p = distribution(m, History(t));
        // Inverse-CDF sampling with our own uniform draw: the same on every standard library.
        double u = double(rng() >> 11) * 0x1.0p-53, acc = 0, total = 0;
        for (double x : p) total += x;
        if (total <= 0) break;  // an MLE model in an unseen history: nothing to say
        Id next = Vocabulary::eos;
        for (Id w = 1; w < p.size(); ++w) {
            acc += p[w] / total;
            if (u < acc) { next = w; break; }
        }
        if (next == Vocabulary::eos) break;
        t.push_back(next);
    }
    return Sentence(t.begin() + 1, t.end());
}

std::size_t longest_copied_span(const Sentence& words, const std::vector<Sentence>& training) {
    // Longest common substring (of words) with each training sentence, by dynamic programming.
    std::size_t best = 0;
    std::vector<std::size_t> prev, cur;
    for (const auto& s : training) {
        prev.assign(s.size() + 1, 0);
        for (Id w : words) {
            cur.assign(s.size() + 1, 0);
            for (std::size_t j = 1; j <= s.size(); ++j)
                if (s[j - 1] == w) best = std::max(best, cur[j] = prev[j - 1] + 1);
            std::swap(prev, cur);
        }
    }
    return best;
}

}  // namespace aprender::tutorial::ngram
