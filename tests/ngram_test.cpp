#include <doctest/doctest.h>

#include <cmath>
#include <sstream>

#include "tutorials/common/ngram.h"

using namespace aprender::tutorial::ngram;

namespace {
// Toy corpus: "a b" and "b" → <s> a b </s>, <s> b </s>.
struct Toy {
    std::vector<std::vector<std::string>> text = split_sentences("a b.\nb.");
    Vocabulary vocab = Vocabulary::build(text, 1);
    std::vector<Sentence> train = vocab.encode(text);
    Counts counts{train, 3, vocab.size()};
};
}  // namespace

TEST_CASE("ngram: sentences are split at . ! ? and lower-cased") {
    auto s = split_sentences("Eu gosto. De TP558! Sim?\nOutra linha");
    REQUIRE(s.size() == 4);
    CHECK(s[0] == std::vector<std::string>{"eu", "gosto"});
    CHECK(s[1] == std::vector<std::string>{"de", "tp558"});
}

TEST_CASE("ngram: perplexity on a hand-computed toy corpus") {
    Toy t;
    auto test = t.vocab.encode(split_sentences("a b"));
    // Bigram MLE: P(a|<s>) = 1/2, P(b|a) = 1, P(</s>|b) = 1 → PP = 2^(1/3).
    CHECK(perplexity(*make_mle(t.counts, 2), test).value == doctest::Approx(std::cbrt(2.0)));
    // Unigram MLE: a 1, b 2, </s> 2 of 5 → PP = (1/5 · 2/5 · 2/5)^(-1/3).
    CHECK(perplexity(*make_mle(t.counts, 1), test).value == doctest::Approx(std::cbrt(125.0 / 4)));
    // An unseen bigram: MLE says impossible.
    auto unseen = perplexity(*make_mle(t.counts, 2), t.vocab.encode(split_sentences("b a")));
    CHECK(std::isinf(unseen.value));
    CHECK(unseen.zero_tokens == 2);  // P(a|b) = 0 and P(</s>|a) = 0
}

TEST_CASE("ngram: Kneser-Ney discounts and a hand-computed probability") {
    Toy t;
    auto kn = make_kneser_ney(t.counts, 2);
    // Bigram count-of-counts: n1 = 3 ((<s>,a) (<s>,b) (a,b)), n2 = 1 ((b,</s>)) → D = 3/5.
    CHECK(kn->discount(1) == doctest::Approx(0.6));
    // Continuation counts: a 1, b 2, </s> 1 → n1 = 2, n2 = 1 → D = 1/2.
    CHECK(kn->discount(0) == doctest::Approx(0.5));
    // P_cont(b) = (2 − .5)/4 + .5·3/4·1/4 = 0.46875; P(b|a) = (1 − .6)/1 + .6·1/1·0.46875.
    Id a = t.vocab.id("a"), b = t.vocab.id("b");
    CHECK(kn->prob(std::vector<Id>{a}, b) == doctest::Approx(0.68125));
}

TEST_CASE("ngram: every conditional distribution sums to 1") {
    auto text = split_sentences("eu gosto de aprender a cozinhar.\neu gosto de aprender programação.\n"
                                "ela gosta de cozinhar.\neu gosto de café.\nnós gostamos de aprender.");
    auto vocab = Vocabulary::build(text, 1);
    auto train = vocab.encode(text);
    Counts c(train, 4, vocab.size());
    std::vector<std::unique_ptr<Model>> models;
    for (int n = 1; n <= 4; ++n) {
        models.push_back(make_add_k(c, n, 1.0));
        models.push_back(make_add_k(c, n, 0.01));
        models.push_back(make_interpolated(c, n, train, 5));
        models.push_back(make_kneser_ney(c, n));
        models.push_back(make_mle(c, n));  // seen histories only (below)
    }
    std::vector<std::vector<Id>> histories = {
        {Vocabulary::bos},
        {Vocabulary::bos, vocab.id("eu"), vocab.id("gosto"), vocab.id("de")},
        {vocab.id("gosto"), vocab.id("de"), vocab.id("aprender")},
    };
    for (const auto& m : models)
        for (const auto& h : histories) {
            double sum = 0;
            for (double p : distribution(*m, h)) sum += p;
            CAPTURE(m->name());
            CHECK(sum == doctest::Approx(1.0).epsilon(1e-9));
        }
    // Unseen history, smoothed models: still a distribution.
    std::vector<Id> unseen{vocab.id("café"), vocab.id("nós")};
    for (const auto& m : models) {
        if (m->name().rfind("MLE", 0) == 0) continue;
        double sum = 0;
        for (double p : distribution(*m, unseen)) sum += p;
        CHECK(sum == doctest::Approx(1.0).epsilon(1e-9));
    }
}

TEST_CASE("ngram: interpolation weights are a distribution fit on validation") {
    Toy t;
    auto m = make_interpolated(t.counts, 3, t.train, 10);
    double sum = 0;
    for (double l : m->lambdas()) { CHECK(l >= 0); sum += l; }
    CHECK(sum == doctest::Approx(1.0));
}

TEST_CASE("ngram: ARPA export has consistent header counts") {
    Toy t;
    auto kn = make_kneser_ney(t.counts, 2);
    std::ostringstream out;
    kn->write_arpa(out, t.vocab);
    std::string arpa = out.str();
    CHECK(arpa.find("\\data\\\nngram 1=4\nngram 2=4\n") != std::string::npos);  // <s> a b </s>; 4 bigrams
    CHECK(arpa.find("\\end\\") != std::string::npos);
    CHECK(arpa.find("-99\t<s>") != std::string::npos);
}

TEST_CASE("ngram: longest copied span and deterministic generation") {
    std::vector<Sentence> training = {{5, 6, 7, 8}, {9, 5, 6}};
    CHECK(longest_copied_span({1, 5, 6, 7, 2}, training) == 3);
    CHECK(longest_copied_span({1, 2}, training) == 0);
    Toy t;
    auto m = make_kneser_ney(t.counts, 2);
    std::mt19937_64 r1(7), r2(7);
    CHECK(generate(*m, r1) == generate(*m, r2));
}
