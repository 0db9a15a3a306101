// A plausible wrong answer to exercise 2 (instructors only; the main suite checks that it fails): a uniform distribution, and the first candidate k.
#include "exercises/02_ngram_add_k/add_k.h"
namespace aprender::exercises {
AddKModel::AddKModel(const ngram::Counts& counts, int order, double k) : Model(counts, order), k_(k) {}
std::string AddKModel::name() const { return "x"; }
double AddKModel::prob(ngram::History, ngram::Id) const { return 1.0 / double(counts_.vocab_size() - 1); }
KChoice tune_k(const ngram::Counts& c, int order, const std::vector<ngram::Sentence>& v, const std::vector<double>& cands) {
  return {cands.at(0), ngram::perplexity(AddKModel(c, order, cands.at(0)), v).value}; }
}
