// 06_bert — BERT in small: a WordPiece vocabulary, BERT's masking measured, a bidirectional
// Encoder trained on the corpus plus synthetic capitals, "Roma é a [MASK] da Itália." filled
// in, and the two limitations run. Words: narration.h.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <random>
#include <sstream>

#include <fmt/format.h>

#include "nn/encoder.h"
#include "nn/optim.h"
#include "tokenizer/wordpiece.h"
#include "tutorials/common/bars.h"
#include "tutorials/common/corpus.h"
#include "tutorials/common/encoder_base.h"
#include "tutorials/common/model_files.h"
#include "tutorials/common/progress.h"
#include "tutorials/common/runner.h"
#include "tutorials/common/svg.h"
#include "tutorials/common/table.h"
#include "tutorials/06_bert/narration.h"

namespace tut = aprender::tutorial;
namespace nn = aprender::nn;
namespace N = aprender::tutorial::bert_narration;
using aprender::NoGradGuard;
using aprender::Tensor;
using aprender::tokenizer::WordPieceTokenizer;

namespace {

const tut::TutorialInfo kInfo{"06_bert", N::title, N::summary, {{"--steps", "N", N::flag_steps, tut::IntRange{1, 1000000}}, tut::force_flag()},
                              /*runs_on_gpu=*/true};

// Sentences of a paragraph: cut after ". ", "! ", "? " (good enough for this corpus).
std::vector<std::string> sentences_of(const std::string& text, std::size_t max_lines) {
    std::vector<std::string> out;
    std::istringstream in(text);
    std::string line;
    for (std::size_t n = 0; n < max_lines && std::getline(in, line); ++n) {
        if (line.empty() || line[0] == '#') continue;
        std::size_t start = 0;
        for (std::size_t i = 0; i + 1 < line.size(); ++i)
            if ((line[i] == '.' || line[i] == '!' || line[i] == '?') && line[i + 1] == ' ') {
                out.push_back(line.substr(start, i + 1 - start));
                start = i + 2;
            }
        if (start < line.size()) out.push_back(line.substr(start));
    }
    return out;
}

std::string lower(std::string s) {
    for (char& c : s) c = (char)std::tolower((unsigned char)c);
    return s;
}

struct Ids {
    int32_t pad, unk, cls, sep, mask;
};

struct Filler {
    std::string token;
    double p;
};

}  // namespace

int main(int argc, char** argv) {
    return tut::run(kInfo, argc, argv, [](tut::Tutorial& t) {
        const bool quick = t.quick();
        const auto& style = t.style();
        const int64_t steps = t.options().get_int("--steps", quick ? 300 : 500);
        // 10's base: one made with other settings already in --out is kept (model_files.h).
        const tut::ModelSettings made{quick ? "06_bert --quick" : "06_bert", steps, t.options().seed};
        const auto dest = tut::model_destination(t, {"encoder.safetensors"}, made);
        // ---- data and vocabulary -------------------------------------------------------------
        std::string synthetic_text = tut::read_data_file("bert/capitais.txt");
        auto synthetic = sentences_of(synthetic_text, SIZE_MAX);
        std::size_t max_lines = quick ? 600 : 2500;
        std::vector<std::string> real;
        std::string corpus_name = "general";
        try {
            real = sentences_of(tut::load_corpus("general", "train").text, max_lines);
        } catch (const tut::CorpusMissing& e) {
            t.out() << style.warn("  " + t.tr(N::fallback, e.what())) << "\n";
            real = sentences_of(tut::read_data_file("lecture/frases.txt"), SIZE_MAX);
            corpus_name = "lecture";
        }
        std::string all_text;
        for (const auto& s : real) all_text += s + "\n";
        for (const auto& s : synthetic) all_text += s + "\n";
        int64_t vocab_size = quick ? 1000 : 2500;
        // Lower-cased, accents kept (as Portuguese BERTs do): uncased BERT's default would make "é" "e".
        auto tok = WordPieceTokenizer::train(all_text, vocab_size, {.lowercase = true, .strip_accents = false});
        t.step(N::data, real.size(), corpus_name, synthetic.size(), tok.vocab_size());
        for (const char* w : {"Roma é a capital da Itália.", "O administrador configura o sistema de arquivos."}) {
            std::string pieces;
            for (const auto& p : tok.tokenize(w)) pieces += (pieces.empty() ? "" : " ") + p;
            t.out() << "    " << w << "\n" << tut::hang("      → ", style.accent(pieces));  // the pieces under the sentence
        }
        t.out() << "\n";
        t.say(N::accents);
        Ids id{*tok.token_to_id("[PAD]"), *tok.token_to_id("[UNK]"), *tok.token_to_id("[CLS]"),
               *tok.token_to_id("[SEP]"), *tok.token_to_id("[MASK]")};

        nn::EncoderConfig cfg;
        cfg.vocab_size = tok.vocab_size(), cfg.max_len = 32, cfg.n_layer = 2, cfg.n_head = 4;
        cfg.n_embd = 96, cfg.n_segments = 0;
        auto frame = [&](const std::string& s) {  // [CLS] pieces [SEP], cut to max_len
            std::vector<int32_t> ids{id.cls};
            for (int32_t x : tok.encode(s))
                if ((int64_t)ids.size() < cfg.max_len - 1) ids.push_back(x);
            ids.push_back(id.sep);
            return ids;
        };
        std::vector<std::vector<int32_t>> real_ids, synth_ids;
        for (const auto& s : real) {
            auto ids = frame(s);
            if (ids.size() >= 6) real_ids.push_back(std::move(ids));
        }
        for (const auto& s : synthetic) synth_ids.push_back(frame(s));

        // ---- training, with masking counted ----------------------------------------------------
        auto model = std::make_shared<nn::Encoder>(cfg, t.options().seed);
        const aprender::Device dev = aprender::Device::parse(t.options().device);
        model->to(dev);
        const int64_t B = quick ? 24 : 32;
        nn::AdamWOptions ao;
        ao.lr = quick ? 2e-3 : 2e-3, ao.weight_decay = 0.01;
        nn::AdamW opt(model->named_parameters(), ao);
        auto schedule = nn::LrSchedule::warmup_cosine(ao.lr, std::max<int64_t>(steps / 20, 1), steps, ao.lr / 10);
        aprender::Generator mask_gen(t.options().seed + 1);
        std::mt19937_64 rng(t.options().seed);
        int64_t eligible = 0, selected = 0, masked = 0, randomized = 0, unchanged = 0;
        double first = 0, last = 0;
        std::vector<int32_t> shown_before, shown_after;
        tut::Series curve{t.tr(N::mlm_loss), {}, {}};
        auto t0 = std::chrono::steady_clock::now();
        t.step(N::training, cfg.n_layer, cfg.n_head, cfg.n_embd, cfg.max_len, model->num_parameters(), steps, B);
        tut::ProgressBar bar(t.out(), "  MLM", (std::size_t)steps, tut::stdout_is_terminal());  // seconds of training
        for (int64_t step = 0; step < steps; ++step) {
            // Three quarters of each batch from the synthetic facts (few sentences, seen often),
            // one quarter from the corpus (the language around them).
            std::vector<const std::vector<int32_t>*> batch;
            for (int64_t b = 0; b < B; ++b) {
                const auto& pool = (b % 4 != 0 || real_ids.empty()) ? synth_ids : real_ids;
                batch.push_back(&pool[std::uniform_int_distribution<std::size_t>(0, pool.size() - 1)(rng)]);
            }
            std::size_t T = 0;
            for (auto* s : batch) T = std::max(T, s->size());
            std::vector<int32_t> x(B * T, id.pad), am(B * T, 0);
            for (int64_t b = 0; b < B; ++b)
                for (std::size_t i = 0; i < batch[b]->size(); ++i) {
                    x[b * T + i] = (*batch[b])[i], am[b * T + i] = 1;
                    eligible += (*batch[b])[i] != id.cls && (*batch[b])[i] != id.sep;
                }
            Tensor ids = Tensor::from(x, {B, (int64_t)T});
            auto mb = nn::mask_tokens(ids, id.mask, cfg.vocab_size, {id.pad, id.cls, id.sep}, mask_gen, 0.15);
            selected += mb.selected, masked += mb.masked, randomized += mb.randomized, unchanged += mb.unchanged;
            if (step == 0) {  // show the first sentence of the batch that masking changed
                auto in = mb.input_ids.to_vector<int32_t>();
                for (int64_t b = 0; b < B && shown_before.empty(); ++b) {
                    auto row = x.begin() + b * (long)T, row_in = in.begin() + b * (long)T;
                    const long n = (long)batch[b]->size();  // without the padding
                    if (!std::equal(row, row + n, row_in)) shown_before.assign(row, row + n), shown_after.assign(row_in, row_in + n);
                }
            }
            opt.set_lr(schedule(step));
            Tensor loss = model->mlm_loss(mb.input_ids.to(dev), mb.labels.to(dev), Tensor::from(am, {B, (int64_t)T}).to(dev));
            opt.zero_grad();
            loss.backward();
            nn::clip_grad_norm(model->parameters(), 1.0);
            opt.step();
            double l = loss.item();
            if (step == 0) first = l;
            last = step < 20 ? l : 0.95 * last + 0.05 * l;
            curve.x.push_back(double(step)), curve.y.push_back(l);
            bar.update((std::size_t)step + 1, t.tr(tut::words::loss_value, last));
        }
        bar.finish();
        double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        model->eval();
        t.say(N::trained, first, last, seconds);
        auto lf = tut::write_line_plot(t.out_file("mlm_loss.svg"), {t.tr(N::mlm_loss), t.tr(tut::words::step), t.tr(tut::words::cross_entropy)}, {curve});
        t.wrote(lf.svg);

        t.step(N::masking, eligible);
        t.say(N::example_masked);
        auto show = [&](const std::vector<int32_t>& v) {
            std::string s;
            for (int32_t x : v) s += (s.empty() ? "" : " ") + tok.id_to_token(x);
            return s;
        };
        t.out() << "    " << show(shown_before) << "\n    " << style.accent(show(shown_after)) << "\n\n";
        tut::Table mt({t.tr(N::col_what), {t.tr(N::col_expected), t.tr(N::col_expected) + " [%]"},
                       {t.tr(N::col_measured), t.tr(N::col_measured) + " [%]"}},
                      {tut::Align::left, tut::Align::right, tut::Align::right});
        auto pct = [](double a, double b) { return tut::percent_cell(fmt::format("{:.2f}%", 100.0 * a / b)); };
        mt.add_row({t.tr(N::row_selected), tut::percent_cell("15%"), pct(double(selected), double(eligible))});
        mt.add_row({t.tr(N::row_masked), tut::percent_cell("80%"), pct(double(masked), double(selected))});
        mt.add_row({t.tr(N::row_random), tut::percent_cell("10%"), pct(double(randomized), double(selected))});
        mt.add_row({t.tr(N::row_unchanged), tut::percent_cell("10%"), pct(double(unchanged), double(selected))});
        mt.print(t.out(), style);
        mt.write_csv(t.out_file("masking_rates.csv"));

        // ---- fill in the blank -------------------------------------------------------------------
        auto fill = [&](const std::string& left, const std::string& right, std::size_t k) {
            std::vector<int32_t> ids{id.cls};
            for (int32_t x : tok.encode(left)) ids.push_back(x);
            std::size_t at = ids.size();
            ids.push_back(id.mask);
            for (int32_t x : tok.encode(right)) ids.push_back(x);
            ids.push_back(id.sep);
            NoGradGuard ng;
            auto logits = model->mlm_logits(Tensor::from(ids, {1, (int64_t)ids.size()}).to(dev)).to_double_vector();
            const double* row = logits.data() + at * (std::size_t)cfg.vocab_size;
            std::vector<std::pair<double, int32_t>> p;
            double mx = *std::max_element(row, row + cfg.vocab_size), z = 0;
            for (int32_t v = 0; v < (int32_t)cfg.vocab_size; ++v) z += std::exp(row[v] - mx);
            for (int32_t v = 0; v < (int32_t)cfg.vocab_size; ++v) p.emplace_back(std::exp(row[v] - mx) / z, v);
            std::partial_sort(p.begin(), p.begin() + (long)k, p.end(), std::greater<>());
            std::vector<Filler> out;
            for (std::size_t i = 0; i < k; ++i) out.push_back({tok.id_to_token(p[i].second), p[i].first});
            return out;
        };
        auto print_fill = [&](const std::string& left, const std::string& right) {
            auto top = fill(left, right, 5);
            std::vector<tut::Bar> bars;
            for (const auto& f : top) bars.push_back({f.token, f.p});
            tut::print_bars(t.out(), style, bars, {.max = 1.0, .width = 40, .digits = 3, .indent = 4});
            std::size_t rank = 0;
            for (std::size_t i = 0; i < top.size(); ++i)
                if (top[i].token == "capital") rank = i + 1;
            return rank;
        };
        t.step(N::fill);
        t.out() << "    " << style.bold("Roma é a [MASK] da Itália.") << "\n";
        std::size_t rank = print_fill("Roma é a", "da Itália.");
        t.out() << fmt::format("  {}: {}\n\n", t.tr(tut::words::rank_of, "capital"), rank ? std::to_string(rank) : "> 5");
        std::size_t together = 0;
        for (const auto& s : synthetic)
            together += lower(s).find("lima") != std::string::npos && lower(s).find("peru") != std::string::npos;
        for (const auto& s : real)
            together += lower(s).find("lima") != std::string::npos && lower(s).find("peru") != std::string::npos;
        t.say(N::held_out, "Lima", "Peru", together);
        t.out() << "    " << style.bold("Lima é a [MASK] do Peru.") << "\n";
        std::size_t rank2 = print_fill("Lima é a", "do Peru.");
        t.out() << fmt::format("  {}: {}\n", t.tr(tut::words::held_out_rank_of, "capital"), rank2 ? std::to_string(rank2) : "> 5");

        // ---- limitation 1: no left-to-right generation ------------------------------------------
        t.step(N::no_generation);
        auto both = fill("Roma é a", "da Itália.", 1), left_only = fill("Roma é a", "", 1);
        t.out() << fmt::format("    {:<34} → {} (p = {:.3f})\n", "Roma é a [MASK] da Itália.", both[0].token, both[0].p);
        t.out() << fmt::format("    {:<34} → {} (p = {:.3f})\n\n", "Roma é a [MASK]", left_only[0].token, left_only[0].p);
        std::string start = "o sistema", text = start;
        int rounds = 6;
        t.say(N::generation_try, rounds, start);
        for (int i = 0; i < rounds; ++i) {
            auto next = fill(text, "", 1)[0].token;
            text += next.rfind("##", 0) == 0 ? next.substr(2) : " " + next;
        }
        t.out() << "    " << style.accent(text) << "\n\n";
        t.say(N::generation_why);

        // ---- limitation 2: fixed positions -------------------------------------------------------
        std::vector<int32_t> long_ids{id.cls};
        while ((int64_t)long_ids.size() < cfg.max_len + 8)
            for (int32_t x : tok.encode("Roma é a capital da Itália.")) long_ids.push_back(x);
        long_ids.resize((std::size_t)cfg.max_len + 8);
        t.step(N::too_long, cfg.max_len, long_ids.size());
        try {
            NoGradGuard ng;
            model->mlm_logits(Tensor::from(long_ids, {1, (int64_t)long_ids.size()}).to(dev));
            t.out() << "    " << style.bad(t.tr(N::accepted)) << "\n";
        } catch (const std::exception& e) {
            // English: the Encoder's own error message; Portuguese: the same sentence, translated.
            t.out() << tut::hang("    ", style.warn(t.tr(N::refused, e.what(), long_ids.size(), cfg.max_len)));
        }

        // ---- the pre-trained base for 10_lora ----------------------------------------------------
        t.step(N::save_base);
        const auto weights = dest.folder / "encoder.safetensors";
        nn::Metadata meta = made.metadata();  // made_by, steps, seed
        meta["corpus"] = corpus_name;
        meta["mlm_loss"] = fmt::format("{:.4f}", last);
        tut::save_encoder_base(weights, *model, tok, meta);
        t.wrote(weights);
        t.wrote(tut::encoder_tokenizer_dir(weights));
        auto back = tut::load_encoder_base(weights);
        double max_diff = 0;
        {
            NoGradGuard ng;
            auto probe = frame("Roma é a capital da Itália.");
            Tensor x = Tensor::from(probe, {1, (int64_t)probe.size()});
            auto a = model->mlm_logits(x.to(dev)).to_vector<float>(), b = back.model->mlm_logits(x).to_vector<float>();
            for (std::size_t i = 0; i < a.size(); ++i) max_diff = std::max(max_diff, double(std::abs(a[i] - b[i])));
        }
        t.say(N::reload_check, max_diff, max_diff == 0 ? style.good("✓") : style.bad("✗"));
    });
}
