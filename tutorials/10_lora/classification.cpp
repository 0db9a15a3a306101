// classification.cpp — see classification.h. Words: narration.h (cls_*).
#include "tutorials/10_lora/classification.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cmath>
#include <fstream>
#include <map>
#include <random>
#include <sstream>

#include <fmt/format.h>

#include "lora/baselines.h"
#include "lora/lora.h"
#include "nn/encoder.h"
#include "nn/optim.h"
#include "tutorials/common/corpus.h"
#include "tutorials/common/encoder_base.h"
#include "tutorials/common/finetune.h"
#include "tutorials/common/table.h"
#include "tutorials/10_lora/narration.h"

namespace aprender::tutorial::lora_tutorial {

namespace N = aprender::tutorial::lora_narration;
namespace nn = aprender::nn;
namespace lora = aprender::lora;
using aprender::NoGradGuard;
using aprender::Tensor;
using tokenizer::WordPieceTokenizer;
using Clock = std::chrono::steady_clock;

namespace {

// The modules classified (the largest five), with the names students know.
const std::vector<std::pair<std::string, std::string>> kClasses{
    {"scalc", "Calc"}, {"swriter", "Writer"}, {"simpress", "Impress"}, {"sbasic", "Basic"}, {"sdatabase", "Base"}};

struct Example {
    int label;
    std::string text;
};

// label<TAB>paragraph lines of the chosen classes, per class in file order.
std::vector<std::vector<std::string>> read_tsv(const std::filesystem::path& path) {
    std::vector<std::vector<std::string>> per(kClasses.size());
    std::istringstream in(read_text_file(path));
    for (std::string line; std::getline(in, line);) {
        auto tab = line.find('\t');
        if (tab == std::string::npos) continue;
        std::string label = line.substr(0, tab);
        for (std::size_t c = 0; c < kClasses.size(); ++c)
            if (kClasses[c].first == label) per[c].push_back(line.substr(tab + 1));
    }
    return per;
}

// `n` of each class (or as many as the smallest class has, when fewer), picked by a fixed
// shuffle: the same examples for every method and seed.
std::vector<Example> balanced(const std::vector<std::vector<std::string>>& per, std::size_t n, uint64_t seed) {
    std::size_t smallest = SIZE_MAX;
    for (const auto& v : per) smallest = std::min(smallest, v.size());
    n = std::min(n, smallest);
    std::vector<Example> out;
    std::mt19937_64 rng(seed);
    for (std::size_t c = 0; c < per.size(); ++c) {
        std::vector<std::size_t> idx(per[c].size());
        for (std::size_t i = 0; i < idx.size(); ++i) idx[i] = i;
        std::shuffle(idx.begin(), idx.end(), rng);
        for (std::size_t i = 0; i < n; ++i) out.push_back({(int)c, per[c][idx[i]]});
    }
    std::shuffle(out.begin(), out.end(), rng);
    return out;
}

// The table's name for the base, from the command its metadata says made it: "06_bert" →
// "Enc_06", "06_bert --quick" → "Enc_06_quick", "10_lora --encoder quick" → "Enc_10_quick".
// A file that does not say gets the plain "Enc" (the line above the runs says it is unknown).
std::string encoder_label(const nn::Metadata& meta) {
    auto it = meta.find("made_by");
    if (it == meta.end() || it->second.size() < 2 || !std::isdigit((unsigned char)it->second[0]) ||
        !std::isdigit((unsigned char)it->second[1]))
        return "Enc";
    const std::string& made = it->second;
    const bool quick = made.find(" --quick") != std::string::npos || made.find(" quick") != std::string::npos;
    return "Enc_" + made.substr(0, 2) + (quick ? "_quick" : "");
}

struct Encoded {
    std::vector<std::vector<int32_t>> ids;  // [CLS] pieces [SEP], cut to max_len
    std::vector<int32_t> labels;
};

Encoded encode_all(const std::vector<Example>& ex, const WordPieceTokenizer& tok, int64_t max_len) {
    Encoded e;
    int32_t cls = *tok.token_to_id("[CLS]"), sep = *tok.token_to_id("[SEP]");
    for (const auto& x : ex) {
        std::vector<int32_t> ids{cls};
        for (int32_t id : tok.encode(x.text))
            if ((int64_t)ids.size() < max_len - 1) ids.push_back(id);
        ids.push_back(sep);
        e.ids.push_back(std::move(ids));
        e.labels.push_back(x.label);
    }
    return e;
}

// A padded batch of the examples `pick`: ids, attention mask, labels.
struct Batch {
    Tensor ids, mask, labels, weights;  // weights (B, T, 1): 1/(real tokens) at real tokens, 0 at padding
};
Batch make_batch(const Encoded& e, const std::vector<std::size_t>& pick, int32_t pad, aprender::Device device) {
    std::size_t T = 0;
    for (auto i : pick) T = std::max(T, e.ids[i].size());
    const auto B = (int64_t)pick.size();
    std::vector<int32_t> x(pick.size() * T, pad), m(pick.size() * T, 0), y;
    std::vector<float> w(pick.size() * T, 0.0f);
    for (std::size_t b = 0; b < pick.size(); ++b) {
        const auto& s = e.ids[pick[b]];
        for (std::size_t i = 0; i < s.size(); ++i)
            x[b * T + i] = s[i], m[b * T + i] = 1, w[b * T + i] = 1.0f / float(s.size());
        y.push_back(e.labels[pick[b]]);
    }
    return {Tensor::from(x, {B, (int64_t)T}).to(device), Tensor::from(m, {B, (int64_t)T}).to(device),
            Tensor::from(y, {B}).to(device), Tensor::from(w, {B, (int64_t)T, 1}).to(device)};
}

// The head's input: the mean of the token vectors (padding excluded) when `mean_pool`, else
// the [CLS] position (Encoder::classify). Then the head: dense + tanh + linear.
constexpr bool g_mean_pool = true;
Tensor class_logits(nn::Encoder& model, const Batch& b) {
    if (!g_mean_pool) return model.classify(b.ids, b.mask);
    Tensor h = model.encode(b.ids, b.mask);                          // (B, T, C)
    Tensor pooled = aprender::sum(aprender::mul(h, b.weights), {1});  // (B, C): the mean over real tokens
    return model.classifier->forward(aprender::tanh(model.pooler->forward(pooled)));
}

double accuracy(nn::Encoder& model, const Encoded& e, int32_t pad) {
    NoGradGuard ng;
    model.eval();
    std::size_t right = 0;
    for (std::size_t start = 0; start < e.ids.size(); start += 64) {
        std::vector<std::size_t> pick;
        for (std::size_t i = start; i < std::min(e.ids.size(), start + 64); ++i) pick.push_back(i);
        auto b = make_batch(e, pick, pad, model.device());
        auto logits = class_logits(model, b).to_vector<float>();
        const std::size_t C = kClasses.size();
        for (std::size_t r = 0; r < pick.size(); ++r) {
            auto row = logits.begin() + (long)(r * C);
            right += (int32_t)(std::max_element(row, row + (long)C) - row) == e.labels[pick[r]];
        }
    }
    return double(right) / double(e.ids.size());
}

enum class Kind { head, full, bitfit, lora };
struct Method {
    std::string name;
    Kind kind;
    int64_t r = 0;
};

// The trainable set of each method. The MLM head is never trained here (classification does
// not use it); the classification head (pooler + classifier) always is.
void prepare(nn::Encoder& model, const Method& m, uint64_t seed) {
    switch (m.kind) {
        case Kind::head: model.requires_grad_(false); break;
        case Kind::full: lora::prepare_full(model); break;
        case Kind::bitfit: lora::prepare_bitfit(model); break;
        case Kind::lora: {
            lora::Config c;
            c.r = m.r, c.alpha = 2.0 * double(m.r), c.targets = {"q_proj", "v_proj"}, c.seed = seed;
            lora::apply(model, c);
            break;
        }
    }
    model.mlm_dense->requires_grad_(false);
    model.mlm_ln->requires_grad_(false);
    model.mlm_bias.requires_grad_(false);
    model.pooler->requires_grad_(true);
    model.classifier->requires_grad_(true);
}

// A quick Encoder when 06's is missing: WordPiece + MLM on the training paragraphs (their
// text only — the labels are not used), saved so that the next run reuses it.
std::filesystem::path pretrain_quick_encoder(Tutorial& t, const std::vector<Example>& unlabelled,
                                             const std::filesystem::path& path) {
    const int64_t steps = t.quick() ? 60 : 300, B = 32;
    nn::EncoderConfig cfg;
    cfg.max_len = 32, cfg.n_layer = 2, cfg.n_head = 4, cfg.n_embd = 64, cfg.n_segments = 0;
    std::string text;
    for (const auto& e : unlabelled) text += e.text + "\n";
    auto tok = WordPieceTokenizer::train(text, 1000, {.lowercase = true, .strip_accents = false});  // as 06's
    cfg.vocab_size = tok.vocab_size();
    t.say(N::cls_no_encoder, default_encoder_base_path().string(), unlabelled.size(), tok.vocab_size(), steps,
          cfg.n_layer, cfg.n_embd);
    auto enc = encode_all(unlabelled, tok, cfg.max_len);
    int32_t pad = *tok.token_to_id("[PAD]"), mask_id = *tok.token_to_id("[MASK]");
    std::vector<int32_t> special{pad, *tok.token_to_id("[CLS]"), *tok.token_to_id("[SEP]")};
    nn::Encoder model(cfg, t.options().seed);
    model.to(aprender::Device::parse(t.options().device));
    nn::AdamWOptions ao;
    ao.lr = 2e-3, ao.weight_decay = 0.01;
    nn::AdamW opt(model.named_parameters(), ao);
    auto schedule = nn::LrSchedule::warmup_cosine(ao.lr, steps / 10, steps, ao.lr / 10);
    aprender::Generator gen(t.options().seed + 1);
    std::mt19937_64 rng(t.options().seed);
    std::uniform_int_distribution<std::size_t> pick(0, enc.ids.size() - 1);
    auto t0 = Clock::now();
    double last = 0;
    for (int64_t step = 0; step < steps; ++step) {
        std::vector<std::size_t> idx;
        for (int64_t b = 0; b < B; ++b) idx.push_back(pick(rng));
        auto b = make_batch(enc, idx, pad, model.device());
        auto mb = nn::mask_tokens(b.ids, mask_id, cfg.vocab_size, special, gen, 0.15);  // on the CPU
        opt.set_lr(schedule(step));
        Tensor loss = model.mlm_loss(mb.input_ids.to(model.device()), mb.labels.to(model.device()), b.mask);
        opt.zero_grad();
        loss.backward();
        nn::clip_grad_norm(model.parameters(), 1.0);
        opt.step();
        last = step == 0 ? loss.item() : 0.9 * last + 0.1 * loss.item();
    }
    double seconds = std::chrono::duration<double>(Clock::now() - t0).count();
    save_encoder_base(path, model, tok,
                      {{"made_by", "10_lora --encoder quick"}, {"steps", std::to_string(steps)},
                       {"seed", std::to_string(t.options().seed)}});
    t.say(N::cls_quick_done, seconds, last, path.string());
    return path;
}

}  // namespace

Flag encoder_flag() {
    return {"--encoder", "PATH",
            {"pre-trained Encoder for the classification table (default out/06_bert/encoder.safetensors; "
             "'quick' pre-trains a small one now)",
             "Encoder pré-treinado da tabela de classificação (padrão out/06_bert/encoder.safetensors; "
             "'quick' pré-treina um pequeno agora)"},
            std::nullopt,
            [](const std::string& value) {  // read whole before the first step, even when step 7 comes last
                if (value == "quick") return;
                std::error_code ec;  // not the throwing exists(): a name over 255 bytes would abort the parse
                if (!std::filesystem::exists(value, ec))
                    throw usage_error({"--encoder: no such Encoder file '{}'{}", "--encoder: não existe o arquivo de Encoder '{}'{}"},
                                      value, ec ? " (" + ec.message() + ")" : "");
                try {
                    load_encoder_base(value, (int64_t)kClasses.size());
                } catch (const std::exception& e) {
                    throw UsageError(fmt::format("--encoder: {}", e.what()));
                }
            }};
}

void classification_table(Tutorial& t, int64_t seeds) {
    const auto& style = t.style();
    const bool quick = t.quick();
    // ---- the labelled data -----------------------------------------------------------------
    auto dir = data_dir() / "cache" / "corpora";
    auto train_path = dir / "libreoffice.train.tsv", test_path = dir / "libreoffice.test.tsv";
    if (!std::filesystem::exists(train_path) || !std::filesystem::exists(test_path)) {
        t.step(N::cls_missing, train_path.string());
        return;
    }
    std::string wanted = t.options().get("--encoder", "");  // checked by encoder_flag() while parsing

    const std::size_t per_class = quick ? 40 : 200;
    auto train_all = read_tsv(train_path), test_all = read_tsv(test_path);
    for (std::size_t c = 0; c < kClasses.size(); ++c)
        if (train_all[c].empty() || test_all[c].empty()) {
            t.step(N::cls_missing, train_path.string());
            return;
        }
    auto train = balanced(train_all, per_class, 2024);
    auto test = balanced(test_all, SIZE_MAX, 2025);  // every test paragraph of the smallest class: balanced
    std::string names;
    for (const auto& [dirname, name] : kClasses) names += (names.empty() ? "" : ", ") + name + " (" + dirname + ")";
    t.step(N::cls_intro, names, kClasses.size(), train.size() / kClasses.size(), train.size(), test.size() / kClasses.size(),
           test.size(), 100.0 / double(kClasses.size()));
    t.out() << hang("    " + style.dim(fmt::format("[{}] ", kClasses[(std::size_t)train[0].label].second)), train[0].text,
                    kColumns, 2)  // its first two lines
            << "\n";

    // ---- the base Encoder ------------------------------------------------------------------
    std::filesystem::path path, quick_path = t.out_file("quick_encoder") / "encoder.safetensors";
    if (wanted == "quick") path = quick_path;
    else if (!wanted.empty()) path = wanted;
    else {
        path = default_encoder_base_path();
        if (!std::filesystem::exists(path) && std::filesystem::exists(quick_path)) path = quick_path;
    }
    if (wanted == "quick" || !std::filesystem::exists(path)) {
        // Pre-training text: every training paragraph of every module (no labels), not the test.
        std::vector<Example> unlabelled;
        for (const auto& v : train_all)
            for (const auto& s : v) unlabelled.push_back({0, s});
        if (!quick || unlabelled.size() > 1000) unlabelled.resize(std::min<std::size_t>(unlabelled.size(), quick ? 1000 : 6000));
        path = pretrain_quick_encoder(t, unlabelled, quick_path);
    }
    auto probe = load_encoder_base(path, (int64_t)kClasses.size(), t.options().seed);
    const auto& tok = *probe.tokenizer;
    const auto& cfg = probe.model->config;
    // What made it, as far as its metadata records (06's and our quick one record all three).
    auto meta_of = [&](const char* key) { return probe.metadata.count(key) ? probe.metadata.at(key) : t.tr(N::cls_not_recorded); };
    const std::string made = probe.metadata.count("made_by")
                                 ? t.tr(N::cls_made_by, meta_of("made_by"), meta_of("steps"), meta_of("seed"))
                                 : t.tr(N::cls_made_unknown);
    const std::string model_name = encoder_label(probe.metadata);
    int64_t base_params = 0;  // the Encoder without any head: what the lecture's "FT" row counts
    for (auto& [name, p] : probe.model->named_parameters())
        if (name.rfind("mlm_", 0) != 0 && name.rfind("pooler.", 0) != 0 && name.rfind("classifier.", 0) != 0)
            base_params += p.numel();
    const int64_t head = probe.model->pooler->num_parameters() + probe.model->classifier->num_parameters();
    t.say(N::cls_base, path.string(), made, model_name, cfg.n_layer, cfg.n_embd, cfg.max_len, tok.vocab_size(),
          thousands(base_params, t.lang()), thousands(head, t.lang()));
    const int32_t pad = *tok.token_to_id("[PAD]");
    auto train_enc = encode_all(train, tok, cfg.max_len), test_enc = encode_all(test, tok, cfg.max_len);
    std::size_t cut = 0;
    for (const auto& ids : train_enc.ids) cut += (int64_t)ids.size() == cfg.max_len;
    t.say(N::cls_truncated, 100.0 * double(cut) / double(train_enc.ids.size()), cfg.max_len);

    // ---- every method × seed ---------------------------------------------------------------
    const int64_t steps = quick ? 25 : 100, B = quick ? 16 : 32;
    std::vector<Method> methods{{"head only (frozen Encoder)", Kind::head},
                                {"FT", Kind::full},
                                {"BitFit", Kind::bitfit}};
    for (int64_t r : {1, 2, 4, 8}) methods.push_back({fmt::format("LoRA r={} q,v", r), Kind::lora, r});
    auto lr_of = [](Kind k) { return k == Kind::full ? 1e-3 : 5e-3; };
    t.say(N::cls_training, steps, B, double(steps * B) / double(train.size()), lr_of(Kind::full), lr_of(Kind::lora),
          seeds == 1 ? t.tr(N::cls_single_run, std::to_string(t.options().seed)) : t.tr(N::multi_runs, seeds));
    t.out() << "\n";
    struct Row {
        int64_t trainable = 0;
        std::vector<double> acc, seconds;
    };
    std::map<std::string, Row> rows;
    // The run lines name a method shortly (the table says "head only, frozen Encoder").
    auto shown = [&](const Method& m) { return m.kind == Kind::head ? t.tr(N::cls_head_short) : m.name; };
    std::size_t label_width = 0;
    for (const auto& m : methods) label_width = std::max(label_width, display_width(shown(m)));
    for (const auto& m : methods) {
        Row& row = rows[m.name];
        for (int64_t si = 0; si < seeds; ++si) {
            uint64_t seed = t.options().seed + (uint64_t)si;
            auto model = load_encoder_base(path, (int64_t)kClasses.size(), seed).model;
            model->to(aprender::Device::parse(t.options().device));  // before prepare(): LoRA's factors follow the weights
            prepare(*model, m, seed);
            row.trainable = model->num_parameters(true);
            nn::AdamWOptions o;
            o.lr = lr_of(m.kind), o.weight_decay = 0.01;
            nn::AdamW opt(model->named_parameters(true), o);
            auto schedule = nn::LrSchedule::warmup_cosine(o.lr, steps / 10, steps, o.lr / 10);
            std::mt19937_64 rng(seed);
            std::vector<std::size_t> order(train_enc.ids.size());
            for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
            std::size_t at = order.size();
            auto params = model->parameters(true);
            model->train();
            auto t0 = Clock::now();
            double first = 0, last = 0;
            for (int64_t step = 0; step < steps; ++step) {
                std::vector<std::size_t> pick;  // epochs of shuffled batches
                while ((int64_t)pick.size() < B) {
                    if (at == order.size()) std::shuffle(order.begin(), order.end(), rng), at = 0;
                    pick.push_back(order[at++]);
                }
                auto b = make_batch(train_enc, pick, pad, model->device());
                opt.set_lr(schedule(step));
                Tensor loss = aprender::cross_entropy(class_logits(*model, b), b.labels);
                opt.zero_grad();
                loss.backward();
                nn::clip_grad_norm(params, 1.0);
                opt.step();
                double l = loss.item();
                if (step == 0) first = last = l;
                last = 0.9 * last + 0.1 * l;
            }
            row.seconds.push_back(std::chrono::duration<double>(Clock::now() - t0).count());
            row.acc.push_back(100.0 * accuracy(*model, test_enc, pad));
            t.out() << hang(style.dim("  " + pad_right(shown(m), label_width + 2)),
                            style.dim(t.tr(N::cls_run, std::to_string(seed), first, last, row.acc.back(), row.seconds.back())));
        }
    }
    t.out() << "\n";

    // ---- the table, in the lecture's layout -----------------------------------------------------
    Table tab({t.tr(N::cls_col_model), t.tr(N::cls_col_params), mean_header(t.tr(N::cls_col_acc), seeds, t.lang())},
              {Align::left, Align::right, Align::right});
    auto cell = [&](const Row& r) { return mean_cell(r.acc, 1, seeds); };
    tab.add_row({t.tr(N::cls_chance_row), "0", mean_cell({100.0 / double(kClasses.size())}, 1, seeds)});
    for (const auto& m : methods)
        tab.add_row({fmt::format("{} ({})", model_name, m.kind == Kind::head ? t.tr(N::cls_head_only) : m.name),
                     count_cell(rows[m.name].trainable, t.lang()), cell(rows[m.name])});
    tab.print(t.out(), style);
    tab.write_csv(t.out_file("classification.csv"));
    t.wrote(t.out_file("classification.csv"));
    t.out() << "\n";
    if (seeds == 1) t.say(N::cls_single_note, std::to_string(t.options().seed), std::to_string(t.options().seed),
                          std::to_string(t.options().seed + 2));
    else t.say(N::cls_multi_note, seeds, std::to_string(t.options().seed),
               std::to_string(t.options().seed + (uint64_t)seeds - 1));
    const Row& ft = rows["FT"];
    const Row& lo = rows["LoRA r=4 q,v"];
    const Row& hd = rows["head only (frozen Encoder)"];
    t.say(N::cls_verdict, thousands(head, t.lang()), thousands(lo.trainable - head, t.lang()), thousands(ft.trainable, t.lang()), mean(ft.acc),
          mean(lo.acc), mean(hd.acc), double(ft.trainable) / double(lo.trainable));
    // The comparison means something only once FT has learnt the task: 10 points over chance.
    const double chance = 100.0 / double(kClasses.size());
    if (mean(ft.acc) < chance + 10) t.say(N::cls_near_chance, mean(ft.acc), chance);
    else t.say(mean(ft.acc) - mean(lo.acc) > 5 ? N::cls_gap : N::cls_parity, mean(ft.acc) - mean(lo.acc));
}

}  // namespace aprender::tutorial::lora_tutorial
