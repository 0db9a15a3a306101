// Checks of exercise 6: the labels, the special tokens, and the 15% / 80-10-10 rates
// measured on 200,000 tokens (tolerances of about 4 standard deviations).
#include "exercises/06_bert_masking/masking.h"
#include "exercises/check.h"

#include <set>

using namespace aprender::exercises;
using namespace aprender::exercises::check;

namespace {

constexpr int32_t kVocab = 1000, kMask = 4, kCls = 2, kSep = 3, kPad = 0;

// Sentences of ids in [10, 1000) between [CLS] and [SEP], padded.
std::vector<int32_t> corpus(size_t n, uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::uniform_int_distribution<int32_t> word(10, kVocab - 1);
    std::vector<int32_t> ids;
    while (ids.size() < n) {
        ids.push_back(kCls);
        for (int i = 0; i < 40; ++i) ids.push_back(word(rng));
        ids.push_back(kSep);
        for (int i = 0; i < 8; ++i) ids.push_back(kPad);
    }
    ids.resize(n);
    return ids;
}

struct Stats {
    size_t eligible = 0, selected = 0, masked = 0, randomized = 0, unchanged = 0;
    std::set<int32_t> random_ids;
};

Stats measure(const std::vector<int32_t>& ids, const Masked& m) {
    expect_eq(m.input_ids.size(), ids.size(), "size of input_ids", "one id per input position");
    expect_eq(m.labels.size(), ids.size(), "size of labels", "one label per input position");
    Stats s;
    for (size_t i = 0; i < ids.size(); ++i) {
        bool special = ids[i] == kCls || ids[i] == kSep || ids[i] == kPad;
        if (!special) s.eligible++;
        if (m.labels[i] == -100) {
            expect_eq(m.input_ids[i], ids[i], fmt::format("input_ids[{}], a position that was not selected (label −100)", i),
                      "only selected positions may change");
            continue;
        }
        expect_true(!special, fmt::format("position {} (id {}, a special token)", i, ids[i]), "never selected",
                    fmt::format("selected (label {})", m.labels[i]), "skip ids that are in special_ids");
        expect_eq(m.labels[i], ids[i], fmt::format("labels[{}] of a selected position", i),
                  "the label is the ORIGINAL id (what the model must predict), not the masked one");
        s.selected++;
        if (m.input_ids[i] == kMask) s.masked++;
        else if (m.input_ids[i] == ids[i]) s.unchanged++;
        else {
            s.randomized++;
            expect_true(m.input_ids[i] >= 0 && m.input_ids[i] < kVocab, fmt::format("random id at position {}", i),
                        "an id in [0, 1000)", fmt::format("{}", m.input_ids[i]), "draw random ids in [0, vocab_size)");
            s.random_ids.insert(m.input_ids[i]);
        }
    }
    return s;
}

}  // namespace

EXERCISE_CHECK(6, "labels: original id where selected, −100 elsewhere; specials never selected") {
    auto ids = corpus(20000, 61);
    std::mt19937_64 rng(1);
    Stats s = measure(ids, bert_mask(ids, kMask, kVocab, {kPad, kCls, kSep}, rng));
    expect_true(s.selected > 0, "number of selected positions in 20,000 tokens", "about 15% of the eligible ones",
                "0 (nothing selected)", "select each non-special position with probability `rate`");
}

EXERCISE_CHECK(6, "15% of the eligible positions are selected") {
    auto ids = corpus(200000, 62);
    std::mt19937_64 rng(2);
    Stats s = measure(ids, bert_mask(ids, kMask, kVocab, {kPad, kCls, kSep}, rng));
    double f = double(s.selected) / double(s.eligible);
    expect_near(f, 0.15, 0.004, "fraction of eligible (non-special) positions selected",
                "one draw per non-special position, selected when it is < rate");
    std::mt19937_64 rng2(3);
    Stats h = measure(ids, bert_mask(ids, kMask, kVocab, {kPad, kCls, kSep}, rng2, 0.4));
    expect_near(double(h.selected) / double(h.eligible), 0.4, 0.006, "fraction selected with rate = 0.4",
                "use the `rate` argument, not a hard-coded 0.15");
}

EXERCISE_CHECK(6, "80% [MASK], 10% random, 10% unchanged") {
    auto ids = corpus(200000, 63);
    std::mt19937_64 rng(4);
    Stats s = measure(ids, bert_mask(ids, kMask, kVocab, {kPad, kCls, kSep}, rng));
    double n = double(s.selected);
    expect_true(n > 0, "selected positions", "about 15%", "none", "select positions first");
    expect_near(s.masked / n, 0.80, 0.02, "fraction of selected positions turned into [MASK]",
                "a second draw per selected position: < 0.8 → mask_id");
    expect_near(s.randomized / n, 0.10, 0.015, "fraction of selected positions turned into a random id",
                "0.8 ≤ draw < 0.9 → a random id in [0, vocab_size)");
    expect_near(s.unchanged / n, 0.10, 0.015, "fraction of selected positions left unchanged (label set, id kept)",
                "draw ≥ 0.9 → keep the id, but the label still holds it: the model must predict it too");
    expect_true(s.random_ids.size() > 500, "distinct random replacement ids", "many (uniform over the vocabulary)",
                fmt::format("{}", s.random_ids.size()), "draw a fresh random id for every replaced position");
}

EXERCISE_CHECK(6, "different generator states give different masks") {
    auto ids = corpus(2000, 64);
    std::mt19937_64 rng(5);
    Masked a = bert_mask(ids, kMask, kVocab, {kPad, kCls, kSep}, rng);
    Masked b = bert_mask(ids, kMask, kVocab, {kPad, kCls, kSep}, rng);
    expect_true(a.labels != b.labels, "two calls with the same rng (which advances)", "different selections",
                "identical selections", "draw from the rng you are given (do not seed a new one inside)");
}
