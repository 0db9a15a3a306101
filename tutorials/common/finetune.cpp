// finetune.cpp — see finetune.h.
#include "tutorials/common/finetune.h"

#include <chrono>
#include <cmath>
#include <random>
#include <sstream>

#include <fmt/format.h>

#include "nn/optim.h"
#include "tokenizer/unicode.h"
#include "tutorials/common/corpus.h"
#include "tutorials/common/progress.h"

namespace aprender::tutorial {

namespace {

using Clock = std::chrono::steady_clock;
double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

constexpr Text kLoaded{
    "Base model: {} ({}: {} layers × width {}, context {}, {} parameters; made by {}).",
    "Modelo base: {} ({}: {} camadas × largura {}, contexto {}, {} parâmetros; feito por {})."};
constexpr Text kNoBase{
    "No base model at {} — run build/tutorials/07_gpt first (or 07_gpt --full) for a better one. "
    "Training a quick base now on the general corpus ({} steps, {} layers × width {}).",
    "Nenhum modelo base em {} — rode build/tutorials/07_gpt antes (ou 07_gpt --full) para um "
    "melhor. Treinando agora um modelo base rápido no corpus geral ({} passos, {} camadas × largura {})."};
constexpr Text kQuickDone{"Quick base trained in {:.1f} s, validation loss {:.3f}; saved as {}.",
                          "Modelo base rápido treinado em {:.1f} s, perda de validação {:.3f}; salvo como {}."};
constexpr Text kFallback{"Real corpus '{}' missing ({}). Using the committed sentences: the numbers will be poor.",
                         "Corpus real '{}' ausente ({}). Usando as frases do repositório: os números serão fracos."};

std::string as_stream(const std::string& text) {
    std::string s = "\n";
    for (const auto& l : nonempty_lines(tokenizer::nfc(text))) s += l + "\n";
    return s;
}

// At most max_chars bytes: whole lines when that keeps at least half, else cut inside a line
// at a character boundary (a corpus line can be a long paragraph).
std::string first_chars(const std::string& text, std::size_t max_chars) {
    if (text.size() <= max_chars) return text;
    std::size_t cut = text.rfind('\n', max_chars);
    if (cut != std::string::npos && cut + 1 >= max_chars / 2) return text.substr(0, cut + 1);
    cut = max_chars;
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;  // not inside a UTF-8 sequence
    return text.substr(0, cut) + "\n";
}

// Train + val text of a corpus, or the committed sentences (line i → val when i % 10 == 8).
std::pair<std::string, std::string> corpus_texts(Tutorial& t, const std::string& name, std::size_t max_train,
                                                 std::size_t max_val, bool& real) {
    try {
        auto tr = load_corpus(name, "train");
        auto va = load_corpus(name, "val");
        real = true;
        return {first_chars(tr.text, max_train), first_chars(va.text, max_val)};
    } catch (const CorpusMissing& e) {
        t.out() << t.style().warn("  " + t.tr(kFallback, name, e.what())) << "\n";
        std::istringstream in(read_data_file("lecture/frases.txt"));
        std::string line, train, val;
        for (int i = 0; std::getline(in, line); ++i) (i % 10 == 8 ? val : train) += line + "\n";
        real = false;
        return {train, val};
    }
}

}  // namespace

Flag base_model_flag() {
    return {"--base", "PATH",
            {"base model checkpoint (default out/07_gpt/base.safetensors; 'quick' trains a small one now)",
             "checkpoint do modelo base (padrão out/07_gpt/base.safetensors; 'quick' treina um pequeno agora)"},
            std::nullopt,
            [](const std::string& value) {  // read whole before the first step: a wrong file costs nothing
                if (value == "quick") return;
                std::error_code ec;  // not the throwing exists(): a name over 255 bytes would abort the parse
                if (!std::filesystem::exists(value, ec))
                    throw usage_error({"--base: no such base model file '{}'{}", "--base: não existe o arquivo de modelo base '{}'{}"},
                                      value, ec ? " (" + ec.message() + ")" : "");
                try {
                    load_base_model(value);
                } catch (const std::exception& e) {
                    throw UsageError(fmt::format("--base: {}", e.what()));
                }
            }};
}

ObtainedBase choose_base_model(Tutorial& t, const std::string& base_flag) {
    ObtainedBase ob;
    std::string wanted = t.options().get(base_flag, "");
    const std::filesystem::path quick_path = t.options().out / "quick_base.safetensors";  // nothing created yet
    if (wanted == "quick") {
        ob.path = quick_path;
        return ob;  // trained in section 1
    }
    if (!wanted.empty()) {
        ob.path = wanted;  // checked by base_model_flag() while parsing
    } else {
        ob.path = default_base_model_path();
        if (!std::filesystem::exists(ob.path) && std::filesystem::exists(quick_path)) ob.path = quick_path;
        if (!std::filesystem::exists(ob.path)) return ob;  // none there: a quick one, in section 1
    }
    try {
        ob.base = load_base_model(ob.path);
    } catch (const std::exception& e) {
        if (!wanted.empty()) throw;
        // A file found without being named is refused as a named one is: before any work.
        throw usage_error({"{}, the base model found without {}, cannot be used: {} — run 07_gpt again to remake "
                           "it, name another with {} PATH, or train a quick one with {} quick",
                           "{}, o modelo base achado sem {}, não pode ser usado: {} — rode o 07_gpt de novo para "
                           "refazê-lo, indique outro com {} PATH ou treine um pequeno com {} quick"},
                          ob.path.string(), base_flag, e.what(), base_flag, base_flag);
    }
    return ob;
}

ObtainedBase obtain_base_model(Tutorial& t, ObtainedBase ob) {
    const Device device = Device::parse(t.options().device);  // --device: the base lives there, and so do its copies
    if (ob.base.model) {
        ob.base.model->to(device);
        const auto& c = ob.base.model->config;
        const auto& meta = ob.base.metadata;
        auto made = meta.count("made_by") ? meta.at("made_by") : meta.count("trained_steps") ? "aprender train" : "?";
        t.say(kLoaded, ob.path.string(), "GPT", c.n_layer, c.n_embd, c.block_size,
              thousands(ob.base.model->num_parameters(), t.lang()), made);
        return ob;
    }
    const std::filesystem::path quick_path = t.out_file("quick_base.safetensors");  // the folder made now
    // A quick base: the general corpus, characters, a small GPT, a few hundred steps.
    nn::GPTConfig cfg;
    cfg.n_layer = 2, cfg.n_head = 4, cfg.n_embd = 64, cfg.block_size = 64;
    TrainSettings s;
    s.steps = t.quick() ? 80 : 500, s.batch = 16, s.warmup = 20, s.lr = 5e-3, s.weight_decay = 0.1;
    s.seed = t.options().seed, s.label = "  base";
    t.say(kNoBase, default_base_model_path().string(), s.steps, cfg.n_layer, cfg.n_embd);
    bool real = true;
    auto [train_text, val_text] = corpus_texts(t, "general", t.quick() ? 300000 : 800000, 20000, real);
    std::string train_stream = as_stream(train_text), val_stream = as_stream(val_text);
    auto tok = tokenizer::CharTokenizer::train(train_stream);
    cfg.vocab_size = tok.vocab_size();
    auto model = std::make_shared<nn::GPT>(cfg, t.options().seed);
    model->to(device);
    auto train_ids = tok.encode(train_stream), val_ids = tok.encode(val_stream);
    auto run = train_lm(t, *model, train_ids, nullptr, s);
    double val = mean_nll(*model, val_ids);
    nn::Metadata meta{{"corpus", real ? "general" : "lecture"},
                      {"steps", std::to_string(s.steps)},
                      {"val_loss", fmt::format("{:.4f}", val)},
                      {"made_by", t.name() + " --base quick"}};  // the command that makes the same model
    save_base_model(quick_path, *model, tok, meta);
    ob.base = load_base_model(quick_path);
    ob.base.model->to(device);
    ob.path = quick_path;
    ob.trained_here = true;
    ob.seconds = run.seconds;
    t.say(kQuickDone, run.seconds, val, quick_path.string());
    return ob;
}

std::string domain_label(const std::string& corpus, Lang lang) {
    static constexpr Text general{"general", "geral"}, tecnico{"técnico", "técnico"}, financeiro{"financeiro", "financeiro"};
    if (corpus == "general") return std::string(general.in(lang));
    if (corpus == "tecnico") return std::string(tecnico.in(lang));
    if (corpus == "financeiro") return std::string(financeiro.in(lang));
    return corpus;
}

DomainData load_domain(Tutorial& t, const tokenizer::CharTokenizer& tok, const std::string& name,
                       std::size_t max_train_chars, std::size_t max_val_chars) {
    DomainData d;
    d.name = name;
    d.label = domain_label(name, t.lang());
    auto [train_text, val_text] = corpus_texts(t, name, max_train_chars, max_val_chars, d.real);
    std::string train_stream = as_stream(train_text), val_stream = as_stream(val_text);
    d.train = tok.encode(train_stream);
    d.val = tok.encode(val_stream);
    d.train_chars = d.train.size(), d.val_chars = d.val.size();
    std::size_t unk = 0;
    for (int32_t id : d.train) unk += id == tok.unk_id();
    for (int32_t id : d.val) unk += id == tok.unk_id();
    d.unk_share = double(unk) / double(std::max<std::size_t>(1, d.train.size() + d.val.size()));
    return d;
}

std::shared_ptr<nn::GPT> copy_model(const nn::GPT& base) {
    auto m = std::make_shared<nn::GPT>(base.config, 1);
    m->to(base.device());  // the copy lives where the base does
    nn::NamedTensors copies;
    for (auto& [name, tensor] : base.state_dict()) copies.emplace_back(name, tensor.detach().clone());
    m->load_state_dict(copies);
    return m;
}

TrainRun train_lm(Tutorial& t, nn::GPT& model, const std::vector<int32_t>& train, const std::vector<int32_t>* val,
                  const TrainSettings& s) {
    TrainRun run;
    const int64_t T = model.config.block_size, B = s.batch;
    if ((int64_t)train.size() < T + 2)
        throw std::runtime_error(fmt::format("training text too short: {} tokens for windows of {}", train.size(), T + 1));
    run.trainable = model.num_parameters(true);
    nn::AdamWOptions o;
    o.lr = s.lr, o.beta2 = 0.99, o.weight_decay = s.weight_decay;
    nn::AdamW opt(model.named_parameters(true), o);
    auto schedule = nn::LrSchedule::warmup_cosine(s.lr, std::min(s.warmup, s.steps - 1), s.steps, s.lr / 10);
    std::mt19937_64 rng(s.seed);
    auto batch_from = [&](const std::vector<int32_t>& ids, std::mt19937_64& g) {
        std::uniform_int_distribution<std::size_t> pick(0, ids.size() - (std::size_t)T - 2);
        std::vector<int32_t> x, y;
        for (int64_t b = 0; b < B; ++b) {
            std::size_t o0 = pick(g);
            x.insert(x.end(), ids.begin() + (long)o0, ids.begin() + (long)o0 + T);
            y.insert(y.end(), ids.begin() + (long)o0 + 1, ids.begin() + (long)o0 + T + 1);
        }
        return std::make_pair(Tensor::from(x, {B, T}).to(model.device()), Tensor::from(y, {B, T}).to(model.device()));
    };
    auto eval_on = [&](const std::vector<int32_t>& ids) {
        std::mt19937_64 g(7);  // the same windows at every evaluation
        NoGradGuard ng;
        model.eval();
        double sum = 0;
        for (int64_t i = 0; i < s.eval_batches; ++i) {
            auto [x, y] = batch_from(ids, g);
            sum += model.loss(x, y).item();
        }
        model.train();
        return sum / double(s.eval_batches);
    };
    std::vector<Tensor> params = model.parameters(true);
    model.train();
    std::ostringstream sink;  // where a quiet bar draws
    bool show = stdout_is_terminal() || !s.quiet;
    ProgressBar bar(show ? t.out() : sink, s.label, (std::size_t)s.steps, stdout_is_terminal());
    double eval_seconds = 0;
    auto t0 = Clock::now();
    bool curves = s.eval_every > 0 && val;
    if (curves && (int64_t)val->size() < T + 2)
        throw std::runtime_error(fmt::format("validation text too short: {} tokens for windows of {}", val->size(), T + 1));
    for (int64_t step = 0; step < s.steps; ++step) {
        if (curves && step % s.eval_every == 0) {
            auto e0 = Clock::now();
            run.eval_steps.push_back(double(step));
            run.val_loss.push_back(eval_on(*val));
            run.train_eval_loss.push_back(eval_on(train));
            eval_seconds += seconds_since(e0);
        }
        opt.set_lr(schedule(step));
        auto [x, y] = batch_from(train, rng);
        Tensor loss = model.loss(x, y);
        opt.zero_grad();
        loss.backward();
        nn::clip_grad_norm(params, 1.0);
        opt.step();
        double l = loss.item();
        run.steps.push_back(double(step)), run.train_loss.push_back(l);
        bar.update((std::size_t)step + 1, t.tr(words::loss_value, l));
    }
    if (curves) {
        auto e0 = Clock::now();
        run.eval_steps.push_back(double(s.steps));
        run.val_loss.push_back(eval_on(*val));
        run.train_eval_loss.push_back(eval_on(train));
        eval_seconds += seconds_since(e0);
    }
    bar.finish();
    model.eval();
    run.first_loss = run.train_loss.front();
    std::size_t tail = std::max<std::size_t>(1, run.train_loss.size() / 10);
    for (std::size_t i = run.train_loss.size() - tail; i < run.train_loss.size(); ++i)
        run.last_loss += run.train_loss[i] / double(tail);
    run.seconds = seconds_since(t0) - eval_seconds;
    run.ms_per_step = 1000 * run.seconds / double(std::max<int64_t>(1, s.steps));
    return run;
}

double mean_nll(nn::GPT& model, const std::vector<int32_t>& ids) {
    auto lp = token_log_probs(model, ids);
    double s = 0;
    for (double v : lp) s -= v;
    return lp.empty() ? 0 : s / double(lp.size());
}

double perplexity(nn::GPT& model, const std::vector<int32_t>& ids) { return std::exp(mean_nll(model, ids)); }

std::uintmax_t disk_size(const std::filesystem::path& p) {
    if (std::filesystem::is_regular_file(p)) return std::filesystem::file_size(p);
    std::uintmax_t total = 0;
    if (std::filesystem::is_directory(p))
        for (const auto& e : std::filesystem::recursive_directory_iterator(p))
            if (e.is_regular_file()) total += e.file_size();
    return total;
}

std::string human_size(std::uintmax_t bytes) {
    double b = double(bytes);
    if (b < 1000) return fmt::format("{} B", bytes);
    if (b < 1e6) return fmt::format("{:.1f} kB", b / 1e3);
    if (b < 1e9) return fmt::format("{:.2f} MB", b / 1e6);
    return fmt::format("{:.2f} GB", b / 1e9);
}

double mean(const std::vector<double>& v) {
    double s = 0;
    for (double x : v) s += x;
    return v.empty() ? 0 : s / double(v.size());
}
double stdev(const std::vector<double>& v) {
    if (v.size() < 2) return 0;
    double m = mean(v), s = 0;
    for (double x : v) s += (x - m) * (x - m);
    return std::sqrt(s / double(v.size() - 1));
}
std::string mean_text(const std::vector<double>& v, int digits) {
    if (v.size() < 2) return fmt::format("{:.{}f}", mean(v), digits);
    return fmt::format("{:.{}f} ± {:.{}f}", mean(v), digits, stdev(v), digits);
}

Cell mean_cell(const std::vector<double>& v, int digits, int64_t runs) {
    std::vector<std::string> fields{fmt::format("{:.{}f}", mean(v), digits)};
    if (runs > 1) fields.push_back(v.size() < 2 ? "" : fmt::format("{:.{}f}", stdev(v), digits));
    return split_cell(mean_text(v, digits), fields);
}

Cell mean_header(const std::string& header, int64_t runs, Lang lang) {
    static constexpr Text std_of{"{} (std)", "{} (desvio padrão)"};
    if (runs < 2) return header;
    return split_cell(header, {header, fmt::format(fmt::runtime(std_of.in(lang)), header)});
}

}  // namespace aprender::tutorial
