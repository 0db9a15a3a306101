// Exercise 2 — n-grams: add-k smoothing and tuning k. Statement: README.md in this folder.
#pragma once

#include "tutorials/common/ngram.h"

#include <string>
#include <vector>

namespace aprender::exercises {

namespace ngram = aprender::tutorial::ngram;

// P(w | h) = (c(h w) + k) / (c(h) + k·V), where h is the last order−1 words of the
// history and V the number of words a model can predict (every word but <s>).
class AddKModel : public ngram::Model {
public:
    AddKModel(const ngram::Counts& counts, int order, double k);
    std::string name() const override;
    double prob(ngram::History h, ngram::Id w) const override;
    double k() const { return k_; }

private:
    double k_;
};

// The candidate k whose AddKModel has the lowest perplexity on `validation`, and that
// perplexity. Throws std::invalid_argument when `candidates` is empty.
struct KChoice {
    double k = 0;
    double perplexity = 0;
};
KChoice tune_k(const ngram::Counts& counts, int order, const std::vector<ngram::Sentence>& validation,
               const std::vector<double>& candidates);

}  // namespace aprender::exercises
