// Checks of exercise 2: add-k probabilities (against the formula and the library's own
// model), normalisation, and the choice of k on a validation split.
#include "exercises/02_ngram_add_k/add_k.h"
#include "exercises/check.h"

using namespace aprender::exercises;
using namespace aprender::exercises::check;

namespace {

const char* kTrain[] = {
    "o gato come o peixe", "o cachorro come a ração", "a menina lê o livro", "o menino lê a revista",
    "o gato dorme no sofá", "a menina dorme na cama", "o cachorro late para o gato", "o peixe nada no aquário",
    "a professora lê o livro", "o aluno estuda a lição", "a aluna estuda o livro", "o gato come a ração",
    "o menino come o bolo", "a menina come a maçã", "o cachorro dorme no tapete", "a professora estuda a aula",
};
const char* kValid[] = {"o gato lê o livro", "a menina come o peixe", "o aluno dorme no sofá",
                        "a professora come a maçã", "o cachorro estuda a lição"};

struct Corpus {
    ngram::Vocabulary vocab;
    std::vector<ngram::Sentence> train, valid;
    ngram::Counts counts;
};

Corpus make_corpus() {
    std::vector<std::vector<std::string>> tr, va;
    for (const char* s : kTrain) tr.push_back(ngram::split_sentences(s).at(0));
    for (const char* s : kValid) va.push_back(ngram::split_sentences(s).at(0));
    ngram::Vocabulary v = ngram::Vocabulary::build(tr, 1);
    auto tre = v.encode(tr), vae = v.encode(va);
    ngram::Counts c(tre, 3, v.size());
    return {v, tre, vae, std::move(c)};
}

}  // namespace

EXERCISE_CHECK(2, "a seen bigram: (c(h w) + k) / (c(h) + k·V)") {
    Corpus c = make_corpus();
    AddKModel m(c.counts, 2, 0.5);
    ngram::Id o = c.vocab.id("o"), gato = c.vocab.id("gato");
    // "o" is followed by gato 4 times in 16; V = vocabulary size − 1 (no <s>)
    const ngram::Followers* f = c.counts.raw(ngram::History(&o, 1));
    double V = double(c.vocab.size() - 1), cw = double(f->next.at(gato)), ch = double(f->total);
    ngram::Id h[] = {o};
    expect_near(m.prob(h, gato), (cw + 0.5) / (ch + 0.5 * V), 1e-12, "P(gato | o) with k = 0.5",
                fmt::format("c(o gato) = {}, c(o) = {}, V = {}; remember V counts every word but <s>", cw, ch, V));
}

EXERCISE_CHECK(2, "an unseen word still gets probability k / (c(h) + k·V)") {
    Corpus c = make_corpus();
    AddKModel m(c.counts, 2, 1.0);
    ngram::Id h[] = {c.vocab.id("aquário")}, w = c.vocab.id("livro");
    const ngram::Followers* f = c.counts.raw(ngram::History(h, 1));
    double V = double(c.vocab.size() - 1);
    expect_near(m.prob(h, w), 1.0 / (double(f->total) + V), 1e-12, "P(livro | aquário) with k = 1 (Laplace)",
                "c(aquário livro) = 0: smoothing must still give it k / (c(h) + k·V), never 0");
    ngram::Id never[] = {c.vocab.id("<unk>")};
    expect_near(m.prob(never, w), 1.0 / V, 1e-12, "P(livro | <unk>) — a history never seen (counts_.raw gives nullptr)",
                "with c(h) = 0 the formula gives k / (k·V) = 1/V: handle the nullptr");
}

EXERCISE_CHECK(2, "P(· | h) sums to 1 for every history (orders 1, 2, 3)") {
    Corpus c = make_corpus();
    for (int order : {1, 2, 3})
        for (double k : {1.0, 0.1, 0.003}) {
            AddKModel m(c.counts, order, k);
            std::vector<std::vector<ngram::Id>> hs = {{}, {ngram::Vocabulary::bos}, {c.vocab.id("o")},
                                                      {c.vocab.id("o"), c.vocab.id("gato")},
                                                      {c.vocab.id("livro"), c.vocab.id("o")}};
            for (const auto& h : hs) {
                double s = 0;
                for (ngram::Id w = 1; w < c.vocab.size(); ++w) s += m.prob(h, w);
                expect_near(s, 1.0, 1e-9, fmt::format("Σ_w P(w | h) for order {}, k = {}, |h| = {}", order, k, h.size()),
                            "a probability distribution sums to 1 over every word but <s>; use trim(h) so that the "
                            "history has order-1 words, and V = counts_.vocab_size() - 1");
            }
        }
}

EXERCISE_CHECK(2, "agrees with the library's add-k on every bigram and trigram") {
    Corpus c = make_corpus();
    for (int order : {2, 3}) {
        AddKModel m(c.counts, order, 0.05);
        auto ref = ngram::make_add_k(c.counts, order, 0.05);
        for (const auto& s : c.valid) {
            std::vector<ngram::Id> h = {ngram::Vocabulary::bos};
            for (ngram::Id w : s) {
                expect_near(m.prob(h, w), ref->prob(h, w), 1e-12,
                            fmt::format("P({} | {}) of the {}-gram, k = 0.05", c.vocab.word(w), ngram::join(c.vocab, h), order),
                            "only the last order-1 words of h count (trim(h))");
                h.push_back(w);
            }
        }
    }
}

EXERCISE_CHECK(2, "tune_k picks the k with the lowest validation perplexity") {
    Corpus c = make_corpus();
    std::vector<double> cands = {0.5, 0.001, 2.0, 0.05, 0.01, 0.2, 1.0};
    KChoice best{0, 1e300};
    for (double k : cands) {
        double pp = ngram::perplexity(*ngram::make_add_k(c.counts, 2, k), c.valid).value;
        if (pp < best.perplexity) best = {k, pp};
    }
    KChoice got = tune_k(c.counts, 2, c.valid, cands);
    expect_near(got.k, best.k, 0, "the chosen k (candidates 0.5 0.001 2 0.05 0.01 0.2 1)",
                "measure ngram::perplexity(model, validation).value for every candidate and keep the smallest — "
                "not the first, the last, the smallest k or the largest");
    expect_near(got.perplexity, best.perplexity, 1e-9 * best.perplexity, "the validation perplexity of that k",
                "return the perplexity measured for the chosen k");
}

EXERCISE_CHECK(2, "tune_k refuses an empty list of candidates") {
    Corpus c = make_corpus();
    bool threw = false;
    try {
        tune_k(c.counts, 2, c.valid, {});
    } catch (const std::invalid_argument&) {
        threw = true;
    }
    expect_true(threw, "tune_k with no candidates", "std::invalid_argument", "no exception",
                "throw std::invalid_argument(\"tune_k: no candidate k\") when the list is empty");
}
