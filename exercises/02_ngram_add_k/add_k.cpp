// Exercise 2 — add-k smoothing. / Suavização add-k.
#include "exercises/02_ngram_add_k/add_k.h"

#include "exercises/exercise.h"

#include <fmt/format.h>

namespace aprender::exercises {

AddKModel::AddKModel(const ngram::Counts& counts, int order, double k) : Model(counts, order), k_(k) {}

std::string AddKModel::name() const { return fmt::format("add-{:g} {}-gram (exercise 2)", k_, order_); }

double AddKModel::prob(ngram::History h, ngram::Id w) const {
    // TODO(exercise 2): P(w | h) = (c(h w) + k) / (c(h) + k·V).
    //  - trim(h) keeps the last order()-1 words of the history;
    //  - counts_.raw(history) gives the Followers of that history (nullptr: never seen):
    //    f->total = c(h), f->next.find(w) → c(h w);
    //  - V = counts_.vocab_size() - 1 (every word but <s>).
    throw APRENDER_TODO(2, "AddKModel::prob");
}

KChoice tune_k(const ngram::Counts& counts, int order, const std::vector<ngram::Sentence>& validation,
               const std::vector<double>& candidates) {
    // TODO(exercise 2): for each candidate k, build AddKModel(counts, order, k) and measure
    // ngram::perplexity(model, validation).value; return the best k and its perplexity.
    throw APRENDER_TODO(2, "tune_k");
}

}  // namespace aprender::exercises
