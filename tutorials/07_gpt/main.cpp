// 07_gpt — today's language models, in small: a GPT trained on the Portuguese corpus in front
// of the student, compared with the n-grams of 02 on the same characters, its costs and its
// hallucinations shown, and saved as the base model of 08 and 10. Words: narration.h.
#include <chrono>
#include <cmath>
#include <random>
#include <set>
#include <sstream>
#include <unordered_set>

#include <fmt/format.h>

#include "nn/gpt.h"
#include "nn/optim.h"
#include "tokenizer/char.h"
#include "tokenizer/unicode.h"
#include "tutorials/common/corpus.h"
#include "tutorials/common/lm_eval.h"
#include "tutorials/common/model_files.h"
#include "tutorials/common/ngram.h"
#include "tutorials/common/progress.h"
#include "tutorials/common/runner.h"
#include "tutorials/common/svg.h"
#include "tutorials/common/table.h"
#include "tutorials/07_gpt/narration.h"

namespace tut = aprender::tutorial;
namespace ng = aprender::tutorial::ngram;
namespace nn = aprender::nn;
namespace N = aprender::tutorial::gpt_narration;
using aprender::NoGradGuard;
using aprender::Tensor;

namespace {

const tut::TutorialInfo kInfo{"07_gpt", N::title, N::summary,
                              {{"--steps", "N", N::flag_steps, tut::IntRange{1, 1000000}},
                               {"--full", "", N::flag_full},
                               tut::force_flag()},
                              /*runs_on_gpu=*/true};

using Clock = std::chrono::steady_clock;
double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

// The settings of one run: --quick (tests), default (~a minute), --full (the class base model).
struct Settings {
    nn::GPTConfig gpt;
    int64_t batch, steps, warmup;
    double lr;
    std::size_t max_train_chars, max_test_chars;
};

Settings settings_for(const tut::Tutorial& t) {
    Settings s;
    s.gpt.n_layer = 3, s.gpt.n_head = 4, s.gpt.n_embd = 96, s.gpt.block_size = 64;
    s.batch = 16, s.steps = 1000, s.warmup = 50, s.lr = 4e-3;
    s.max_train_chars = SIZE_MAX, s.max_test_chars = 30000;
    if (t.options().has("--full")) {
        s.gpt.n_layer = 4, s.gpt.n_head = 4, s.gpt.n_embd = 128, s.gpt.block_size = 128;
        s.batch = 16, s.steps = 2000, s.warmup = 100, s.lr = 3e-3, s.max_test_chars = SIZE_MAX;
    } else if (t.quick()) {
        s.gpt.n_layer = 2, s.gpt.n_head = 4, s.gpt.n_embd = 64, s.gpt.block_size = 32;
        s.batch = 16, s.steps = 400, s.warmup = 20, s.lr = 6e-3;
        s.max_train_chars = 400000, s.max_test_chars = 8000;
    }
    s.steps = t.options().get_int("--steps", s.steps);
    s.warmup = std::min(s.warmup, s.steps / 5 + 1);
    return s;
}

// Whole lines, at most `max_chars` bytes (the cut never splits a line, so never a character).
std::string first_chars(const std::string& text, std::size_t max_chars) {
    if (text.size() <= max_chars) return text;
    std::size_t cut = text.rfind('\n', max_chars);
    return cut == std::string::npos ? text.substr(0, 0) : text.substr(0, cut + 1);
}

// One string per code point (NFC, as the CharTokenizer sees the text).
std::vector<std::string> code_points(std::string_view utf8) {
    std::vector<std::string> out;
    for (std::size_t i = 0; i < utf8.size();) {
        unsigned char c = static_cast<unsigned char>(utf8[i]);
        std::size_t n = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
        out.emplace_back(utf8.substr(i, n));
        i += n;
    }
    return out;
}

// The text the GPT reads: lines joined by '\n', starting with '\n' (the GPT's "<s>") so
// that the first character of the first line is predicted too, and ending with '\n'.
std::string as_stream(const std::vector<std::string>& lines) {
    std::string s = "\n";
    for (const auto& l : lines) s += l + "\n";
    return s;
}

// Random windows of the training stream: x = ids[o, o+T), y = ids[o+1, o+T+1).
std::pair<Tensor, Tensor> sample_batch(const std::vector<int32_t>& ids, int64_t B, int64_t T, std::mt19937_64& rng,
                                       aprender::Device device) {
    std::uniform_int_distribution<std::size_t> pick(0, ids.size() - (std::size_t)T - 2);
    std::vector<int32_t> x, y;
    for (int64_t b = 0; b < B; ++b) {
        std::size_t o = pick(rng);
        x.insert(x.end(), ids.begin() + (long)o, ids.begin() + (long)o + T);
        y.insert(y.end(), ids.begin() + (long)o + 1, ids.begin() + (long)o + T + 1);
    }
    return {Tensor::from(x, {B, T}).to(device), Tensor::from(y, {B, T}).to(device)};
}

double mean_loss(nn::GPT& model, const std::vector<int32_t>& ids, int64_t B, int64_t T, int batches, uint64_t seed) {
    std::mt19937_64 rng(seed);
    NoGradGuard no_grad;
    model.eval();
    double sum = 0;
    for (int i = 0; i < batches; ++i) {
        auto [x, y] = sample_batch(ids, B, T, rng, model.device());
        sum += model.loss(x, y).item();
    }
    model.train();
    return sum / batches;
}

nn::GenerateOptions gen_options(int64_t tokens, double temperature, int64_t top_k, double top_p, uint64_t seed) {
    nn::GenerateOptions o;
    o.max_new_tokens = tokens, o.temperature = temperature, o.top_k = top_k, o.top_p = top_p, o.seed = seed;
    return o;
}

std::string one_line(std::string s) {
    for (char& c : s)
        if (c == '\n' || c == '\t') c = ' ';
    return s;
}

std::string human(double x) {
    const char* units[] = {"", "k", "M", "G", "T", "P", "E"};
    int u = 0;
    while (std::abs(x) >= 1000 && u < 6) x /= 1000, ++u;
    return u == 0 ? fmt::format("{:.0f}", x) : fmt::format("{:.2f} {}", x, units[u]);
}

}  // namespace

int main(int argc, char** argv) {
    return tut::run(kInfo, argc, argv, [](tut::Tutorial& t) {
        Settings S = settings_for(t);
        const auto& style = t.style();
        // What made the model (the command that makes it again): a different one already in
        // --out is kept, and this run's saved beside it (model_files.h).
        const tut::ModelSettings made{t.options().has("--full") ? "07_gpt --full" : t.quick() ? "07_gpt --quick" : "07_gpt",
                                      S.steps, t.options().seed};
        const auto dest = tut::model_destination(t, {"base.safetensors"}, made);

        // ---- data ------------------------------------------------------------------------
        std::string corpus_name = "general", origin;
        std::string train_text, val_text, test_text;
        try {
            auto tr = tut::load_corpus("general", "train");
            origin = tr.path.parent_path().string();
            train_text = first_chars(tr.text, S.max_train_chars);
            val_text = first_chars(tut::load_corpus("general", "val").text, S.max_test_chars);
            test_text = first_chars(tut::load_corpus("general", "test").text, S.max_test_chars);
        } catch (const tut::CorpusMissing& e) {
            t.out() << style.warn("  " + t.tr(N::fallback, e.what())) << "\n";
            // The committed sentences: line i → test when i % 10 == 9, val when 8, else train.
            std::istringstream in(tut::read_data_file("lecture/frases.txt"));
            std::string line;
            for (int i = 0; std::getline(in, line); ++i)
                (i % 10 == 9 ? test_text : i % 10 == 8 ? val_text : train_text) += line + "\n";
            corpus_name = "lecture", origin = "data/lecture/frases.txt";
        }
        auto train_lines = tut::nonempty_lines(aprender::tokenizer::nfc(train_text));
        auto val_lines = tut::nonempty_lines(aprender::tokenizer::nfc(val_text));
        auto test_lines = tut::nonempty_lines(aprender::tokenizer::nfc(test_text));
        std::string train_stream = as_stream(train_lines), val_stream = as_stream(val_lines),
                    test_stream = as_stream(test_lines);
        auto tok = aprender::tokenizer::CharTokenizer::train(train_stream);
        auto train_ids = tok.encode(train_stream), val_ids = tok.encode(val_stream), test_ids = tok.encode(test_stream);
        t.step(N::data, corpus_name, origin, train_ids.size(), val_ids.size(), test_ids.size(), tok.vocab_size() - 1);

        // ---- model -------------------------------------------------------------------------
        S.gpt.vocab_size = tok.vocab_size();
        auto model = std::make_shared<nn::GPT>(S.gpt, t.options().seed);
        model->to(aprender::Device::parse(t.options().device));  // before the optimizer takes its parameters
        const auto& C = model->config;
        t.step(N::model, C.n_layer, C.n_head, C.n_embd, C.block_size, nn::gpt_parameter_count(C),
               model->num_parameters());

        // ---- training ----------------------------------------------------------------------
        t.step(N::training, S.steps, S.batch, C.block_size, S.lr, C.vocab_size, std::log(double(C.vocab_size)));
        nn::AdamWOptions adamw;
        adamw.lr = S.lr, adamw.beta2 = 0.99, adamw.weight_decay = 0.1;
        nn::AdamW opt(model->named_parameters(), adamw);
        auto schedule = nn::LrSchedule::warmup_cosine(S.lr, S.warmup, S.steps, S.lr / 10);
        std::mt19937_64 rng(t.options().seed);
        tut::Series train_curve{t.tr(N::series_train), {}, {}}, val_curve{t.tr(N::series_val), {}, {}};
        int64_t eval_every = std::max<int64_t>(S.steps / 10, 1);
        int val_batches = t.quick() ? 4 : 8;
        double first_loss = 0, last_loss = 0, ema = 0;
        tut::ProgressBar bar(t.out(), "  GPT", (std::size_t)S.steps, tut::stdout_is_terminal());
        auto t0 = Clock::now();
        double eval_seconds = 0;
        // The validation loss at x = step is measured before that step's update, like the training
        // loss plotted at the same x (the batch's loss is computed before opt.step()); the last
        // point, at x = steps, is the trained model.
        auto validate = [&](int64_t at) {
            auto e0 = Clock::now();
            val_curve.x.push_back(double(at));
            val_curve.y.push_back(mean_loss(*model, val_ids, S.batch, C.block_size, val_batches, 7));
            eval_seconds += seconds_since(e0);
        };
        for (int64_t step = 0; step < S.steps; ++step) {
            if (step % eval_every == 0) validate(step);
            opt.set_lr(schedule(step));
            auto [x, y] = sample_batch(train_ids, S.batch, C.block_size, rng, model->device());
            Tensor loss = model->loss(x, y);
            opt.zero_grad();
            loss.backward();
            nn::clip_grad_norm(model->parameters(), 1.0);
            opt.step();
            double l = loss.item();
            if (step == 0) first_loss = l, ema = l;
            ema = 0.9 * ema + 0.1 * l, last_loss = ema;
            train_curve.x.push_back(double(step)), train_curve.y.push_back(l);
            bar.update((std::size_t)step + 1, t.tr(tut::words::loss_value, ema));
        }
        validate(S.steps);
        bar.finish();
        double train_seconds = seconds_since(t0) - eval_seconds;
        double chars_per_second = double(S.steps * S.batch * C.block_size) / train_seconds;
        t.say(N::trained, train_seconds, 1000 * train_seconds / double(S.steps), (int64_t)std::llround(chars_per_second), first_loss, last_loss,
              val_curve.y.back());
        auto loss_files = tut::write_line_plot(t.out_file("loss.svg"),
                                               {t.tr(N::plot_title), t.tr(N::plot_x), t.tr(tut::words::cross_entropy_nats)},
                                               {train_curve, val_curve});
        t.wrote(loss_files.svg);
        t.wrote(loss_files.csv);

        // ---- sampling ----------------------------------------------------------------------
        std::unordered_set<std::string> known_words;
        {
            std::string w;
            for (char c : train_stream) {
                if (std::isalpha((unsigned char)c) || (unsigned char)c >= 0x80) w += c;
                else if (!w.empty()) known_words.insert(w), w.clear();
            }
        }
        auto real_word_share = [&](const std::string& text) {
            std::size_t words = 0, real = 0;
            std::string w;
            for (char c : text + " ") {
                if (std::isalpha((unsigned char)c) || (unsigned char)c >= 0x80) w += c;
                else if (!w.empty()) ++words, real += known_words.count(w), w.clear();
            }
            return words ? double(real) / double(words) : 0.0;
        };
        std::string prompt = "O sistema ";
        t.step(N::sampling, prompt);
        struct Setting { std::string name; nn::GenerateOptions o; };
        int64_t sample_len = t.quick() ? 60 : 100;
        std::vector<Setting> settings;
        uint64_t seed = t.options().seed;
        for (double T : {0.5, 1.0, 1.5})
            settings.push_back({fmt::format("T = {}", T), gen_options(sample_len, T, 0, 1.0, seed)});
        settings.push_back({"T = 1, top-k = 5", gen_options(sample_len, 1.0, 5, 1.0, seed)});
        settings.push_back({"T = 1, top-p = 0.9", gen_options(sample_len, 1.0, 0, 0.9, seed)});
        tut::Table st({t.tr(N::col_setting), t.tr(N::col_sample), {t.tr(N::col_real_words), t.tr(N::col_real_words) + " [%]"}},
                      {tut::Align::left, tut::Align::left, tut::Align::right});
        st.wrap_column(1);  // the samples are read whole: they wrap under themselves, never cut
        auto prompt_ids = tok.encode("\n" + prompt);
        for (auto& s : settings) {
            auto ids = model->generate(prompt_ids, s.o);
            std::string text = tok.decode(std::vector<int32_t>(ids.begin() + 1, ids.end()));
            std::string continuation = tok.decode(std::vector<int32_t>(ids.begin() + (long)prompt_ids.size(), ids.end()));
            st.add_row({s.name, one_line(text), tut::percent_cell(fmt::format("{:.0f}%", 100 * real_word_share(continuation)))});
        }
        st.print(t.out(), style);
        st.write_csv(t.out_file("samples.csv"));
        t.wrote(t.out_file("samples.csv"));

        // ---- the through-line: n-grams vs GPT on the same characters -----------------------
        auto n0 = Clock::now();
        std::vector<std::vector<std::string>> train_chars, test_chars;
        for (const auto& l : train_lines) train_chars.push_back(code_points(l));
        for (const auto& l : test_lines) test_chars.push_back(code_points(l));
        auto cvocab = ng::Vocabulary::build(train_chars, 1);
        auto ctrain = cvocab.encode(train_chars), ctest = cvocab.encode(test_chars);
        ng::Counts counts(ctrain, 3, cvocab.size());
        double ngram_seconds = seconds_since(n0);
        std::size_t test_chars_n = 0;
        for (const auto& l : test_chars) test_chars_n += l.size();
        t.step(N::through_line, test_chars_n, test_lines.size(), C.block_size, C.vocab_size,
               std::log2(double(C.vocab_size)));
        tut::Table pt({t.tr(N::col_model), t.tr(N::col_params), t.tr(N::col_tokens), t.tr(tut::words::perplexity), t.tr(tut::words::bits_per_char)},
                      {tut::Align::left, tut::Align::right, tut::Align::right, tut::Align::right, tut::Align::right});
        std::vector<double> bpc;
        static constexpr tut::Text kCount{"{}", "{}"};  // a count as the narration writes it (grouped from 10,000)
        const tut::Text* names[] = {&N::row_unigram, &N::row_bigram, &N::row_trigram};
        for (int n = 1; n <= 3; ++n) {
            auto kn = ng::make_kneser_ney(counts, n);
            auto p = ng::perplexity(*kn, ctest);
            bpc.push_back(p.bits_per_token());
            // The CSV gets the count alone: its column says what is counted.
            const auto distinct = (int64_t)counts.distinct(n);
            pt.add_row({t.tr(*names[n - 1]), {t.tr(N::n_grams, distinct, n), std::to_string(distinct)},
                        {t.tr(kCount, (int64_t)p.tokens), std::to_string(p.tokens)}, fmt::format("{:.2f}", p.value),
                        fmt::format("{:.3f}", p.bits_per_token())});
        }
        auto logp = tut::token_log_probs(*model, test_ids);
        double nats = 0;
        for (double lp : logp) nats -= lp;
        nats /= double(logp.size());
        double gpt_bpc = nats / std::log(2.0);
        bpc.push_back(gpt_bpc);
        pt.add_row({"GPT", {t.tr(tut::words::parameters_n, model->num_parameters()), std::to_string(model->num_parameters())},
                    {t.tr(kCount, (int64_t)logp.size()), std::to_string(logp.size())},
                    fmt::format("{:.2f}", std::exp(nats)), style.bold(fmt::format("{:.3f}", gpt_bpc))});
        pt.print(t.out(), style);
        t.out() << "\n";
        if (gpt_bpc < bpc[2]) t.say(N::verdict_better, bpc[1] - gpt_bpc, bpc[2] - gpt_bpc);
        else if (gpt_bpc < bpc[1]) t.say(N::verdict_between, bpc[1] - gpt_bpc, gpt_bpc - bpc[2]);
        else t.say(N::verdict_worse, gpt_bpc - bpc[1], gpt_bpc - bpc[2]);
        t.out() << "  " << t.tr(N::gpt_vs_bigram, gpt_bpc < bpc[1] ? style.good(t.tr(N::gpt_better)) : style.bad(t.tr(N::bigram_better)))
                << "\n";
        pt.write_csv(t.out_file("bits_per_char.csv"));
        t.wrote(t.out_file("bits_per_char.csv"));

        // ---- cost --------------------------------------------------------------------------
        int64_t non_embedding = model->num_parameters() - model->wte->weight.numel() - model->wpe->weight.numel();
        // Attention per token and layer: q·kᵀ against all T keys (T·C multiply-adds = 2·T·C FLOPs),
        // then att·v (the same again). nn/attention.cpp multiplies the full T × T and masks after
        // (causal_softmax), so the masked half is paid for: 4·L·T·C, not the 2·L·T·C of a kernel
        // that skips it.
        double attn = double(C.n_layer * C.block_size * C.n_embd);
        double fwd = 2.0 * double(non_embedding) + 4 * attn, train_per_token = 6.0 * double(non_embedding) + 12 * attn;
        double tokens_seen = double(S.steps * S.batch * C.block_size);
        t.step(N::cost, ngram_seconds, train_seconds, non_embedding, C.n_layer, C.block_size, C.n_embd, human(fwd),
               human(4 * attn), human(train_per_token), human(train_per_token * tokens_seen), human(tokens_seen),
               3.5e11 / fwd);

        // ---- hallucination -----------------------------------------------------------------
        std::string absent = "Atlântida";
        std::size_t occurrences = 0;
        for (std::size_t p = train_stream.find(absent); p != std::string::npos; p = train_stream.find(absent, p + 1))
            ++occurrences;
        std::string question = "A capital da " + absent + " é ";
        t.step(N::hallucination, absent, occurrences);
        auto continue_and_score = [&](const std::string& text, double temperature) {
            auto p_ids = tok.encode("\n" + text);
            auto ids = model->generate(p_ids, gen_options(t.quick() ? 50 : 80, temperature, 0, 1.0, t.options().seed));
            auto lp = tut::token_log_probs(*model, ids);
            double mean_p = 0;
            for (std::size_t i = p_ids.size() - 1; i < lp.size(); ++i) mean_p += std::exp(lp[i]);
            mean_p /= double(lp.size() - (p_ids.size() - 1));
            return std::make_pair(tok.decode(std::vector<int32_t>(ids.begin() + 1, ids.end())), mean_p);
        };
        auto [greedy, greedy_p] = continue_and_score(question, 0.0);
        auto [warm, warm_p] = continue_and_score(question, 0.8);
        t.out() << tut::hang("    T = 0    ", style.accent(one_line(greedy)));
        t.out() << tut::hang("    T = 0.8  ", style.accent(one_line(warm))) << "\n";
        // The first 25 characters of a test line, as the model's prompt for comparison.
        std::string known;
        for (const auto& cp : code_points(test_lines.front()))
            if (known.size() < 25) known += cp;
        auto [known_cont, known_p] = continue_and_score(known, 0.0);
        (void)known_cont;
        // Said from the numbers: "tells nothing" only when the invented text is scored about as
        // high as (or higher than) a real sentence's continuation.
        t.say(greedy_p >= known_p - 0.05 ? N::confidence : N::confidence_lower, greedy_p, known_p);

        // ---- save the base model -----------------------------------------------------------
        t.step(N::save);
        const auto weights = dest.folder / "base.safetensors";
        if (dest.aside) t.say(N::kept_base, dest.kept.string(), dest.kept_by, dest.folder.string() + "/");
        nn::Metadata meta = made.metadata();  // made_by, steps, seed
        meta["corpus"] = corpus_name;
        meta["val_loss"] = fmt::format("{:.4f}", val_curve.y.back());
        meta["test_bits_per_char"] = fmt::format("{:.4f}", gpt_bpc);
        tut::save_base_model(weights, *model, tok, meta);
        t.wrote(weights);
        t.wrote(tut::base_tokenizer_dir(weights));
        auto back = tut::load_base_model(weights);
        auto probe = Tensor::from(std::vector<int32_t>(prompt_ids.begin(), prompt_ids.end()),
                                  {1, (int64_t)prompt_ids.size()});
        double max_diff = 0;
        {
            NoGradGuard ng;
            model->eval();
            auto a = model->forward(probe).to_vector<float>(), b = back.model->forward(probe).to_vector<float>();
            for (std::size_t i = 0; i < a.size(); ++i) max_diff = std::max(max_diff, double(std::abs(a[i] - b[i])));
        }
        t.say(N::reload_check, max_diff, max_diff == 0 ? style.good("✓") : style.bad("✗"));
    });
}
