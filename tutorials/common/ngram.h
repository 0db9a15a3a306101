// ngram.h — word n-gram language models (the statistical era, ~1990).
//
// A model gives P(w | h): the probability of the next word w after the history h (the
// last n-1 words). Sentences are "<s> w1 ... wk </s>": one start marker, as SRILM and
// KenLM do, so near the start the history is shorter than n-1 words.
//
//   MLE         c(h w) / c(h)                          — zero for anything unseen
//   AddK        (c(h w) + k) / (c(h) + k·V)            — Laplace when k = 1
//   Interpolated  Σ_j λ_j · P_MLE(w | last j words) + λ_u / V, λ fit by EM on validation
//   KneserNey   interpolated Kneser-Ney (Chen & Goodman 1998): absolute discount D per
//               order (D = n1 / (n1 + 2·n2)); lower orders use continuation counts
//               N1+(• h w) = how many different words precede "h w"
//
// All counts for orders 1..N are gathered once (Counts) and shared by every model.
#pragma once

#include <cstdint>
#include <functional>
#include <iosfwd>
#include <memory>
#include <random>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace aprender::tutorial::ngram {

using Id = std::uint32_t;
using Sentence = std::vector<Id>;  // word ids, without <s> and </s>

// Sentences of a text: each line split into words (lower-cased), cut at . ! ?
std::vector<std::vector<std::string>> split_sentences(std::string_view text);

class Vocabulary {
public:
    static constexpr Id bos = 0, eos = 1, unk = 2;  // <s>, </s>, <unk>
    // Words seen at least min_count times in `sentences` get an id; the rest are <unk>.
    static Vocabulary build(const std::vector<std::vector<std::string>>& sentences, int min_count);
    Id id(std::string_view word) const;  // <unk> when unknown
    const std::string& word(Id id) const { return words_.at(id); }
    std::size_t size() const { return words_.size(); }
    // Words a model can predict: everything but <s>.
    std::size_t predictable() const { return words_.size() - 1; }
    std::vector<Sentence> encode(const std::vector<std::vector<std::string>>& sentences) const;

private:
    std::vector<std::string> words_;
    std::unordered_map<std::string, Id> index_;
};

// What follows one history: how often each next word came, in total, and how many
// different next words there were.
struct Followers {
    std::uint64_t total = 0;
    std::unordered_map<Id, std::uint64_t> next;
};
using History = std::span<const Id>;

class Counts {
public:
    Counts(const std::vector<Sentence>& sentences, int max_order, std::size_t vocab_size);
    int max_order() const { return max_order_; }
    std::size_t vocab_size() const { return vocab_size_; }
    // Raw counts c(h w) grouped by h; h has 0..max_order-1 words. nullptr when h never occurred.
    const Followers* raw(History h) const;
    // Continuation counts N1+(• h w) grouped by h (n-grams starting with <s> keep raw counts,
    // since nothing can precede <s>).
    const Followers* continuation(History h) const;
    // Number of distinct n-grams of each order (1-based index = order).
    std::size_t distinct(int order) const;
    // Every (history, followers) with |history| = length, raw or continuation (ARPA export).
    void for_each(std::size_t length, bool use_raw,
                  const std::function<void(const std::vector<Id>&, const Followers&)>& f) const;

private:
    int max_order_;
    std::size_t vocab_size_;
    std::vector<std::unordered_map<std::uint64_t, Followers>> raw_, cont_;  // index: |h|
};

class Model {
public:
    virtual ~Model() = default;
    virtual std::string name() const = 0;
    int order() const { return order_; }
    std::size_t vocab_size() const { return counts_.vocab_size(); }
    // P(w | h); only the last order()-1 words of h are used.
    virtual double prob(History h, Id w) const = 0;

protected:
    Model(const Counts& c, int order);
    History trim(History h) const;  // the last order()-1 words
    const Counts& counts_;
    int order_;
};

std::unique_ptr<Model> make_mle(const Counts& c, int order);
std::unique_ptr<Model> make_add_k(const Counts& c, int order, double k);
// Interpolation; λ fit on `validation` with EM (iterations rounds). lambdas() reports them.
class Interpolated;
std::unique_ptr<Interpolated> make_interpolated(const Counts& c, int order,
                                                const std::vector<Sentence>& validation, int iterations = 20);
class KneserNey;
std::unique_ptr<KneserNey> make_kneser_ney(const Counts& c, int order);

class Interpolated : public Model {
public:
    Interpolated(const Counts& c, int order, std::vector<double> lambdas);
    std::string name() const override;
    double prob(History h, Id w) const override;
    const std::vector<double>& lambdas() const { return lambdas_; }  // [uniform, 1-gram, 2-gram, ...]
    double component(History h, Id w, int j) const;  // j = 0: uniform; j ≥ 1: MLE of order j
    // Whether component j has a history to condition on: near <s>, or for a history never
    // seen in training, it has none, and the others are renormalised (still sums to 1).
    bool available(History h, int j) const;

private:
    std::vector<double> lambdas_;
};

class KneserNey : public Model {
public:
    KneserNey(const Counts& c, int order);
    std::string name() const override;
    double prob(History h, Id w) const override;
    double discount(int history_length) const { return discount_.at(static_cast<std::size_t>(history_length)); }
    // The interpolation weight γ(h) = D · N1+(h •) / c(h) (ARPA's back-off weight).
    double gamma(History h) const;
    // ARPA text (the format SRILM and KenLM read): exact for interpolated KN.
    void write_arpa(std::ostream& out, const Vocabulary& vocab) const;

private:
    const Followers* table(History h) const;
    std::vector<double> discount_;  // by |h|
};

// Evaluation on sentences (every word and </s> is predicted).
struct Perplexity {
    double value = 0;          // +inf when some token had probability 0
    std::size_t tokens = 0;
    std::size_t zero_tokens = 0;
    double bits_per_token() const;
};
Perplexity perplexity(const Model& m, const std::vector<Sentence>& sentences);

// P(· | h) over every predictable word, and the top entries of it.
std::vector<double> distribution(const Model& m, History h);
std::vector<std::pair<Id, double>> top_k(const Model& m, History h, std::size_t k);

// Sample a sentence (ids without <s>/</s>), at most max_words words.
Sentence generate(const Model& m, std::mt19937_64& rng, std::size_t max_words = 25);

// The longest run of `words` that occurs verbatim inside one training sentence.
std::size_t longest_copied_span(const Sentence& words, const std::vector<Sentence>& training);

std::string join(const Vocabulary& v, const Sentence& s);

}  // namespace aprender::tutorial::ngram
