// Reference solution of exercise 2 (instructors only; not in the student kit).
#include "exercises/02_ngram_add_k/add_k.h"

#include <fmt/format.h>

#include <stdexcept>

namespace aprender::exercises {

AddKModel::AddKModel(const ngram::Counts& counts, int order, double k) : Model(counts, order), k_(k) {}

std::string AddKModel::name() const { return fmt::format("add-{:g} {}-gram (exercise 2)", k_, order_); }

double AddKModel::prob(ngram::History h, ngram::Id w) const {
    const ngram::Followers* f = counts_.raw(trim(h));
    double c = 0, total = 0;
    if (f) {
        total = double(f->total);
        if (auto it = f->next.find(w); it != f->next.end()) c = double(it->second);
    }
    double V = double(counts_.vocab_size() - 1);
    return (c + k_) / (total + k_ * V);
}

KChoice tune_k(const ngram::Counts& counts, int order, const std::vector<ngram::Sentence>& validation,
               const std::vector<double>& candidates) {
    if (candidates.empty()) throw std::invalid_argument("tune_k: no candidate k");
    KChoice best;
    bool first = true;
    for (double k : candidates) {
        double pp = ngram::perplexity(AddKModel(counts, order, k), validation).value;
        if (first || pp < best.perplexity) best = {k, pp};
        first = false;
    }
    return best;
}

}  // namespace aprender::exercises
