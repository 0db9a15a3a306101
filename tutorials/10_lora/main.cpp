// 10_lora — LoRA on the 07 base, against full fine-tuning and BitFit, on two domains; then the
// lecture's promises checked live (adapter files, swapping, merging, combining) and the paper's
// rank analysis. Library: lora/ (lora.h, adapters.h, peft.h, baselines.h, linalg.h); shared
// training and evaluation: tutorials/common/finetune.h; words: narration.h.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>

#include <fmt/format.h>

#include "lora/adapters.h"
#include "lora/baselines.h"
#include "lora/linalg.h"
#include "lora/lora.h"
#include "lora/peft.h"
#include "nn/safetensors.h"
#include "tutorials/common/bars.h"
#include "tutorials/common/finetune.h"
#include "tutorials/common/heatmap.h"
#include "tutorials/common/model_files.h"
#include "tutorials/common/runner.h"
#include "tutorials/common/svg.h"
#include "tutorials/common/table.h"
#include "tutorials/10_lora/classification.h"
#include "tutorials/10_lora/narration.h"

namespace tut = aprender::tutorial;
namespace lora = aprender::lora;
namespace la = aprender::lora::linalg;
namespace nn = aprender::nn;
namespace N = aprender::tutorial::lora_narration;
using aprender::NoGradGuard;
using aprender::Tensor;

namespace {

const tut::TutorialInfo kInfo{"10_lora",
                              N::title,
                              N::summary,
                              {tut::base_model_flag(),
                               {"--steps", "N", N::flag_steps, tut::IntRange{1, 100000}},
                               {"--seeds", "N", N::flag_seeds, tut::IntRange{1, 10}},
                               aprender::tutorial::lora_tutorial::encoder_flag(),
                               {"--only-classification", "", N::flag_only_cls},
                               tut::force_flag()},
                              /*runs_on_gpu=*/true};

using Clock = std::chrono::steady_clock;

struct Method {
    std::string name;   // the key of its results ("full", "bitfit", "LoRA r=4 q,v")
    std::string label;  // what the tables call it, in the session's language
    enum Kind { full, bitfit, lora } kind;
    int64_t r = 0;
    std::vector<std::string> targets;
};

struct Result {
    int64_t trainable = 0, total = 0;
    std::uintmax_t file_bytes = 0;
    std::vector<double> ppl_domain, ppl_general, ms;
    int64_t memory = 0;
    std::filesystem::path file;
};

// A factored adapter layer kept for the analysis: ΔW = scale·B·A.
struct Factors {
    la::Matrix A, B;
    double scale = 1;
    double a_moved = 0;  // ‖A − A₀‖ / ‖A₀‖
};

using tut::mean;

double max_abs_diff(const std::vector<float>& a, const std::vector<float>& b) {
    double m = 0;
    for (std::size_t i = 0; i < a.size(); ++i) m = std::max(m, double(std::abs(a[i] - b[i])));
    return m;
}

// Median milliseconds of `reps` forward passes of x.
double forward_ms(nn::GPT& model, const Tensor& x, int reps) {
    NoGradGuard ng;
    model.eval();
    model.forward(x);  // warm the allocator
    std::vector<double> ms;
    for (int i = 0; i < reps; ++i) {
        auto t0 = Clock::now();
        model.forward(x);
        ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
    }
    std::sort(ms.begin(), ms.end());
    return ms[ms.size() / 2];
}

// Timings of one variant: the median, and the middle half of the runs (25th to 75th
// percentile), whose width is the noise we measured — a difference of medians smaller than
// that is not a difference.
struct Timing {
    double median, low, high;
    double spread() const { return high - low; }
};
Timing timing_of(std::vector<double> ms) {
    std::sort(ms.begin(), ms.end());
    const std::size_t n = ms.size();
    return {ms[n / 2], ms[n / 4], ms[(3 * n) / 4]};
}

std::vector<float> logits_of(nn::GPT& model, const Tensor& x) {
    NoGradGuard ng;
    model.eval();
    return model.forward(x).to_vector<float>();
}

std::string join(const std::vector<std::string>& v, const std::string& sep) {
    std::string s;
    for (const auto& x : v) s += (s.empty() ? "" : sep) + x;
    return s;
}

}  // namespace

int main(int argc, char** argv) {
    return tut::run(kInfo, argc, argv, [](tut::Tutorial& t) {
        const auto& style = t.style();
        const bool quick = t.quick();
        const int64_t steps = t.options().get_int("--steps", quick ? 25 : 80);
        const int64_t seeds = t.options().get_int("--seeds", 1);
        const std::size_t max_train = quick ? 60000 : 300000, max_val = quick ? 2000 : 5000;
        if (t.options().has("--only-classification")) {
            aprender::tutorial::lora_tutorial::classification_table(t, seeds);
            return;
        }

        auto chosen_base = tut::choose_base_model(t);  // a broken base file is refused before any work
        // Full and BitFit models, adapters: ones made with other settings already in --out are
        // kept (model_files.h). --seeds changes none of them (only the first seed's are saved).
        const tut::ModelSettings made{quick ? "10_lora --quick" : "10_lora", steps, t.options().seed};
        std::vector<Method> methods{{"full", t.tr(N::method_full), Method::full, 0, {}},
                                    {"bitfit", t.tr(N::method_bitfit), Method::bitfit, 0, {}}};
        for (int64_t r : {1, 2, 4, 8}) {
            const std::string name = fmt::format("LoRA r={} q,v", r);
            methods.push_back({name, name, Method::lora, r, {"q_proj", "v_proj"}});
        }
        methods.push_back({"LoRA r=2 q,k,v,o", "LoRA r=2 q,k,v,o", Method::lora, 2, {"q_proj", "k_proj", "v_proj", "o_proj"}});
        // What each method stores per domain, inside --out: a model file, or an adapter folder.
        auto stored = [](const std::string& domain, const Method& m) -> std::filesystem::path {
            if (m.kind == Method::full) return domain + "_full.safetensors";
            if (m.kind == Method::bitfit) return domain + "_bitfit.safetensors";
            return std::filesystem::path("adapters") /
                   fmt::format("{}_lora_r{}_{}", domain, m.r, m.targets.size() == 2 ? "qv" : "qkvo");
        };
        std::vector<std::string> saved;  // every model file this run saves
        for (const char* domain : {"tecnico", "financeiro"})
            for (const auto& m : methods)
                saved.push_back(m.kind == Method::lora ? (stored(domain, m) / "adapter_model.safetensors").string()
                                                       : stored(domain, m).string());
        const auto dest = tut::model_destination(t, saved, made);

        // ---- 1. base and domains ----------------------------------------------------------------
        t.step(N::setup);
        auto ob = tut::obtain_base_model(t, std::move(chosen_base));
        nn::GPT& base = *ob.base.model;
        const auto& tok = *ob.base.tokenizer;
        const int64_t T = base.config.block_size, batch = 8;
        std::vector<tut::DomainData> domains{tut::load_domain(t, tok, "tecnico", max_train, max_val),
                                            tut::load_domain(t, tok, "financeiro", max_train, max_val)};
        tut::DomainData general = tut::load_domain(t, tok, "general", 1, max_val);
        std::map<std::string, double> base_ppl;
        tut::Table dt({t.tr(N::col_domain), t.tr(N::col_train_chars), t.tr(N::col_val_chars), t.tr(N::col_unk),
                       t.tr(N::col_base_ppl)},
                      {tut::Align::left, tut::Align::right, tut::Align::right, tut::Align::right, tut::Align::right});
        for (auto* d : {&domains[0], &domains[1], &general}) {
            base_ppl[d->name] = tut::perplexity(base, d->val);
            dt.add_row({d->label, d->name == "general" ? tut::Cell("—") : tut::count_cell((int64_t)d->train_chars, t.lang()),
                        tut::count_cell((int64_t)d->val_chars, t.lang()), fmt::format("{:.3f}%", 100 * d->unk_share),
                        fmt::format("{:.2f}", base_ppl[d->name])});
        }
        t.out() << "\n";
        dt.print(t.out(), style);
        t.out() << "\n";

        // ---- 2. the methods table ---------------------------------------------------------------
        const double lr_full = 1e-3, lr_small = 1e-2;
        std::size_t label_width = 0;  // the run lines align on the longest name, in either language
        for (const auto& m : methods) label_width = std::max(label_width, tut::display_width(m.label));
        t.step(N::methods, steps, batch, T, lr_full, lr_small,
               seeds == 1 ? t.tr(N::single_runs, std::to_string(t.options().seed)) : t.tr(N::multi_runs, seeds));

        {
            // An untimed warm-up (the allocator's first requests), so that the first row's ms/step
            // is not charged for it.
            auto warm = tut::copy_model(base);
            tut::TrainSettings s;
            s.steps = 3, s.warmup = 1, s.batch = batch, s.quiet = true;
            tut::train_lm(t, *warm, domains[0].train, nullptr, s);
        }
        std::map<std::string, std::map<std::string, Result>> results;  // domain → method → result
        std::map<int64_t, std::map<std::string, Factors>> tecnico_factors;  // r → layer → factors (q,v runs)
        std::uintmax_t full_model_bytes = 0;
        for (const auto& dom : domains) {
            t.out() << "  " << style.bold(t.tr(N::domain_header, dom.label)) << "\n";
            for (const auto& m : methods) {
                Result& res = results[dom.name][m.name];
                for (int64_t seed_i = 0; seed_i < seeds; ++seed_i) {
                    uint64_t seed = t.options().seed + (uint64_t)seed_i;
                    auto model = tut::copy_model(base);
                    if (m.kind == Method::full) lora::prepare_full(*model);
                    else if (m.kind == Method::bitfit) lora::prepare_bitfit(*model);
                    else {
                        lora::Config c;
                        c.r = m.r, c.alpha = 2.0 * double(m.r), c.targets = m.targets, c.seed = seed;
                        lora::apply(*model, c);
                    }
                    tut::TrainSettings s;
                    s.steps = steps, s.batch = batch, s.warmup = std::max<int64_t>(1, steps / 10);  // train_lm caps it below steps
                    s.lr = m.kind == Method::full ? lr_full : lr_small, s.seed = seed;
                    s.label = "    " + tut::pad_right(m.label, label_width), s.quiet = true;
                    auto run = tut::train_lm(t, *model, dom.train, nullptr, s);
                    if (!tut::stdout_is_terminal())
                        t.out() << style.dim("    " + tut::pad_right(m.label, label_width) + "  " +
                                             t.tr(tut::words::seed_loss_seconds, std::to_string(seed), run.first_loss, run.last_loss, run.seconds))
                                << "\n";
                    res.trainable = run.trainable, res.total = model->num_parameters();
                    res.ms.push_back(run.ms_per_step);
                    res.ppl_domain.push_back(tut::perplexity(*model, dom.val));
                    res.ppl_general.push_back(tut::perplexity(*model, general.val));
                    res.memory = lora::memory_report(*model, batch, T).total();
                    if (seed_i != 0) continue;
                    // What each method has to store per domain.
                    res.file = dest.folder / stored(dom.name, m);
                    nn::Metadata meta = made.metadata();  // made_by, steps, seed; and the base
                    meta["base"] = ob.path.string();
                    std::filesystem::create_directories(dest.folder);
                    if (m.kind == Method::full) {
                        for (auto& [key, value] : model->config.to_metadata()) meta[key] = value;
                        nn::save_safetensors(res.file.string(), model->state_dict(), meta);
                        full_model_bytes = tut::disk_size(res.file);
                    } else if (m.kind == Method::bitfit) {
                        nn::save_safetensors(res.file.string(), model->named_parameters(true), meta);
                    } else {
                        lora::save_adapter(*model, res.file.string(), ob.path.string(), "", meta);
                        if (dom.name == "tecnico" && m.targets.size() == 2) {
                            // The same config on a fresh copy gives the initial A₀ (same seed).
                            auto fresh = tut::copy_model(base);
                            lora::Config c0;
                            c0.r = m.r, c0.alpha = 2.0 * double(m.r), c0.targets = m.targets, c0.seed = seed;
                            lora::apply(*fresh, c0);
                            std::map<std::string, la::Matrix> a0;
                            for (auto& [path, l] : lora::adapters(*fresh)) a0[path] = la::Matrix::from_tensor(l->A);
                            for (auto& [path, l] : lora::adapters(*model)) {
                                Factors f{la::Matrix::from_tensor(l->A), la::Matrix::from_tensor(l->B), l->scale, 0};
                                f.a_moved = la::frobenius(f.A - a0[path]) / la::frobenius(a0[path]);
                                tecnico_factors[m.r][path] = f;
                            }
                        }
                    }
                    res.file_bytes = tut::disk_size(res.file);
                }
            }
            t.out() << "\n";
        }

        std::map<std::string, tut::Table> tables;
        for (const auto& dom : domains) {
            tut::Table tab({t.tr(N::col_method), t.tr(N::col_trainable), t.tr(N::col_share),
                            {t.tr(N::col_file), t.tr(N::col_file) + " [bytes]"}, tut::mean_header(t.tr(N::col_ppl_domain), seeds, t.lang()),
                            tut::mean_header(t.tr(N::col_ppl_general), seeds, t.lang()), t.tr(N::col_ms),
                            {t.tr(N::col_memory), t.tr(N::col_memory) + " [bytes]"}},
                           {tut::Align::left, tut::Align::right, tut::Align::right, tut::Align::right, tut::Align::right,
                            tut::Align::right, tut::Align::right, tut::Align::right});
            tab.add_row({t.tr(N::base_row), "0", tut::percent_cell("0%"), tut::missing_cell(),
                         tut::mean_cell({base_ppl[dom.name]}, 2, seeds), tut::mean_cell({base_ppl["general"]}, 2, seeds),
                         tut::missing_cell(), tut::missing_cell()});
            for (const auto& m : methods) {
                const Result& r = results[dom.name][m.name];
                tab.add_row({m.label, tut::count_cell(r.trainable, t.lang()),
                             tut::percent_cell(fmt::format("{:.3g}%", 100.0 * double(r.trainable) / double(r.total))),
                             tut::size_cell(tut::human_size(r.file_bytes), r.file_bytes), tut::mean_cell(r.ppl_domain, 2, seeds),
                             tut::mean_cell(r.ppl_general, 2, seeds), fmt::format("{:.1f}", mean(r.ms)),
                             tut::size_cell(lora::human_bytes(r.memory), (std::uintmax_t)r.memory)});
            }
            t.out() << "  " << style.bold(t.tr(N::domain_header, dom.label)) << "\n";
            tab.print(t.out(), style);
            tab.write_csv(t.out_file("methods_" + dom.name + ".csv"));
            t.wrote(t.out_file("methods_" + dom.name + ".csv"));
            t.out() << "\n";
        }
        const int64_t show_r = 4;  // the adapter shown in the swap, merge and file steps
        const std::string show_lora = fmt::format("LoRA r={} q,v", show_r);
        for (const auto& dom : domains) {
            const Result& full = results[dom.name]["full"];
            const Result& lo = results[dom.name][show_lora];
            // "FT fits better, but forgets more" only when this run shows both.
            const double ft_forgets = mean(full.ppl_general) - base_ppl["general"],
                         lora_forgets = mean(lo.ppl_general) - base_ppl["general"];
            const bool trade_off = mean(full.ppl_domain) < mean(lo.ppl_domain) && ft_forgets > lora_forgets && ft_forgets > 0;
            t.say(trade_off ? N::methods_verdict : N::methods_verdict_plain, dom.label, show_r, tut::thousands(lo.trainable, t.lang()),
                  100.0 * double(lo.trainable) / double(lo.total), full.trainable / std::max<int64_t>(1, lo.trainable),
                  full.file_bytes / std::max<std::uintmax_t>(1, lo.file_bytes), mean(full.ppl_domain), mean(lo.ppl_domain),
                  ft_forgets, lora_forgets);
        }
        t.say(N::lecture_table_note);
        t.out() << "\n";

        // ---- 3. files -----------------------------------------------------------------------------
        t.step(N::files);
        std::vector<std::filesystem::path> adapter_dirs;
        for (const auto& dom : domains) adapter_dirs.push_back(results[dom.name][show_lora].file);
        {
            tut::Table ft({t.tr(N::col_what), t.tr(N::col_bytes)}, {tut::Align::left, tut::Align::right});
            // the size of the last full model saved (every domain's has the same tensors)
            ft.add_row({t.tr(N::full_copy, domains.back().label), tut::thousands((int64_t)full_model_bytes, t.lang())});
            for (std::size_t i = 0; i < domains.size(); ++i)
                ft.add_row({t.tr(N::adapter_dir, domains[i].label, show_r), tut::thousands((int64_t)tut::disk_size(adapter_dirs[i]), t.lang())});
            std::uintmax_t adapter = tut::disk_size(adapter_dirs[0]);
            for (int n : {1, 3, 10})
                ft.add_row({t.tr(N::n_domains, n), fmt::format("{} vs {}", tut::human_size(full_model_bytes * (std::uintmax_t)n),
                                                              tut::human_size(full_model_bytes + adapter * (std::uintmax_t)n))});
            ft.print(t.out(), style);
            auto files = lora::read_adapter(adapter_dirs[0].string());
            const auto& first = files.weights.tensors.front();
            t.out() << "\n";
            t.say(N::peft_keys, files.weights.tensors.size(), style.accent(first.first), aprender::shape_str(first.second.shape()),
                  files.config.r, files.config.alpha, join(files.config.targets, ","));
            // The folder, then its files: in a folder beside an earlier run's models
            // (out/10_lora/default-80steps-seed42/adapters/...) a file's whole path would not fit a line.
            t.wrote(adapter_dirs[0].string() + "/");
            std::vector<std::string> names;
            for (const auto& e : std::filesystem::directory_iterator(adapter_dirs[0]))
                names.push_back(e.path().filename().string());
            std::sort(names.begin(), names.end());
            t.out() << style.dim("      " + join(names, "  ")) << "\n";
            t.out() << "\n";
        }

        // ---- 4. swap ------------------------------------------------------------------------------
        t.step(N::swap);
        auto served = tut::copy_model(base);
        lora::load_adapter(*served, adapter_dirs[0].string(), "tecnico");
        lora::load_adapter(*served, adapter_dirs[1].string(), "financeiro");
        tut::Table st({t.tr(N::col_active), "ppl " + domains[0].label, "ppl " + domains[1].label, "ppl " + general.label},
                      {tut::Align::left, tut::Align::right, tut::Align::right, tut::Align::right});
        std::vector<double> last_row;  // the perplexities of the row just added
        auto row = [&](const std::string& label) {
            last_row = {tut::perplexity(*served, domains[0].val), tut::perplexity(*served, domains[1].val),
                        tut::perplexity(*served, general.val)};
            st.add_row({label, fmt::format("{:.2f}", last_row[0]), fmt::format("{:.2f}", last_row[1]),
                        fmt::format("{:.2f}", last_row[2])});
        };
        Tensor probe;
        {
            // batch × T characters of técnico text (repeated when the text is shorter)
            const auto& src = domains[0].val.size() >= (std::size_t)(batch * T) ? domains[0].val : domains[0].train;
            std::vector<int32_t> ids((std::size_t)(batch * T));
            for (std::size_t i = 0; i < ids.size(); ++i) ids[i] = src[i % src.size()];
            probe = Tensor::from(ids, {batch, T});
        }
        lora::disable_adapters(*served);
        row(t.tr(N::disabled_row));
        double disabled_diff = max_abs_diff(logits_of(*served, probe), logits_of(base, probe));
        lora::enable_adapters(*served);
        lora::set_adapter(*served, "tecnico");
        row(domains[0].label);
        lora::set_adapter(*served, "financeiro");
        row(domains[1].label);
        lora::set_adapter(*served, "tecnico");
        row(t.tr(N::again_row, domains[0].label));
        lora::add_weighted_adapter(*served, {"tecnico", "financeiro"}, {0.5, 0.5}, "mix_cat", lora::Combination::cat);
        row(t.tr(N::mix_cat, 2 * show_r));
        const std::vector<double> cat_row = last_row;
        lora::add_weighted_adapter(*served, {"tecnico", "financeiro"}, {0.5, 0.5}, "mix_linear", lora::Combination::linear);
        row(t.tr(N::mix_linear, show_r));
        int cat_better = 0;  // of the three texts, where 'cat' has the lower perplexity
        for (std::size_t i = 0; i < 3; ++i) cat_better += cat_row[i] < last_row[i];
        st.print(t.out(), style);
        st.write_csv(t.out_file("swap.csv"));
        t.wrote(t.out_file("swap.csv"));
        t.out() << "\n";
        t.say(N::swap_check, disabled_diff, disabled_diff == 0 ? style.good("✓") : style.bad("✗"));
        t.say(N::swap_note, cat_better);
        t.out() << "\n";

        // ---- 5. merge -----------------------------------------------------------------------------
        const int reps = quick ? 9 : 21;  // odd: the median is one run; ~1.5 ms each in --quick
        t.step(N::merge, reps, batch, T);
        lora::set_adapter(*served, "tecnico");
        auto unmerged = logits_of(*served, probe);
        auto merged_model = tut::copy_model(base);  // a second copy, the same adapter merged into it
        lora::load_adapter(*merged_model, adapter_dirs[0].string(), "tecnico");
        lora::merge_and_unload(*merged_model);
        auto merged = logits_of(*merged_model, probe);
        // Interleaved, so that a busy moment of the machine hits all three alike.
        std::vector<double> tb, tu, tm;
        for (int i = 0; i < reps; ++i) {
            tb.push_back(forward_ms(base, probe, 1));
            tu.push_back(forward_ms(*served, probe, 1));
            tm.push_back(forward_ms(*merged_model, probe, 1));
        }
        const Timing tb_ = timing_of(tb), tu_ = timing_of(tu), tm_ = timing_of(tm);
        const double ms_base = tb_.median, ms_unmerged = tu_.median, ms_merged = tm_.median;
        double diff = max_abs_diff(merged, unmerged), scale = 0;
        for (float v : unmerged) scale = std::max(scale, double(std::abs(v)));
        tut::Table mt({t.tr(N::col_model), t.tr(N::col_forward), t.tr(N::col_diff)},
                      {tut::Align::left, tut::Align::right, tut::Align::right});
        mt.add_row({t.tr(N::row_base), fmt::format("{:.3f}", ms_base), "—"});
        mt.add_row({t.tr(N::row_unmerged), fmt::format("{:.3f}", ms_unmerged), "0"});
        mt.add_row({t.tr(N::row_merged), fmt::format("{:.3f}", ms_merged), fmt::format("{:.2e}", diff)});
        mt.print(t.out(), style);
        t.out() << "\n";
        // Merged vs base: a difference only when the medians differ by more than the wider of
        // the two middle halves; otherwise the same within noise.
        const double merge_noise = std::max(tb_.spread(), tm_.spread()), merge_delta = ms_merged - ms_base;
        const std::string latency =
            std::abs(merge_delta) <= merge_noise
                ? t.tr(N::latency_same, ms_merged, ms_base, std::abs(merge_delta), merge_noise)
                : t.tr(N::latency_differs, ms_merged, ms_base, std::abs(merge_delta),
                       t.tr(merge_delta > 0 ? N::slower : N::faster), merge_noise);
        const double unmerged_noise = std::max(tb_.spread(), tu_.spread()), unmerged_delta = ms_unmerged - ms_base;
        const std::string unmerged_cost =
            unmerged_delta > unmerged_noise
                ? t.tr(N::unmerged_costs, unmerged_delta, 100.0 * unmerged_delta / ms_base, unmerged_noise)
                : t.tr(N::unmerged_same, std::abs(unmerged_delta), unmerged_noise);
        t.print_wrapped(t.tr(N::merge_spread, reps, tb_.low, tb_.high, tu_.low, tu_.high, tm_.low, tm_.high) + " " +
                        unmerged_cost + " " + latency);
        t.say(N::merge_check, diff, diff / scale, diff / scale < 1e-5 ? style.good("✓") : style.bad("✗"));
        t.out() << "\n";

        // ---- 6. analysis --------------------------------------------------------------------------
        std::string layer = fmt::format("h.{}.attn.v_proj", base.config.n_layer - 1);
        t.step(N::analysis, layer);
        const Factors& f8 = tecnico_factors[8].at(layer);
        const Factors& f2 = tecnico_factors[2].at(layer);
        auto spec8 = la::low_rank_product_spectrum(f8.B, f8.A, f8.scale);
        auto spec2 = la::low_rank_product_spectrum(f2.B, f2.A, f2.scale);
        std::vector<tut::Bar> bars;
        for (std::size_t i = 0; i < spec8.size(); ++i) bars.push_back({fmt::format("r=8 σ{}", i + 1), spec8[i]});
        for (std::size_t i = 0; i < spec2.size(); ++i) bars.push_back({fmt::format("r=2 σ{}", i + 1), spec2[i]});
        tut::print_bars(t.out(), style, bars, {.max = 0, .width = 40, .digits = 4, .indent = 4});
        double e_all = 0;
        for (double s : spec8) e_all += s * s;
        t.out() << "\n";
        t.say(N::energy, 100 * spec8[0] * spec8[0] / e_all, 100 * (spec8[0] * spec8[0] + spec8[1] * spec8[1]) / e_all);
        {
            tut::Series s8{"r = 8", {}, {}}, s2{"r = 2", {}, {}};
            for (std::size_t i = 0; i < spec8.size(); ++i) s8.x.push_back(double(i + 1)), s8.y.push_back(spec8[i]);
            for (std::size_t i = 0; i < spec2.size(); ++i) s2.x.push_back(double(i + 1)), s2.y.push_back(spec2[i]);
            auto w = tut::write_line_plot(t.out_file("delta_spectrum.svg"), {t.tr(N::spectrum_title, layer), "i", "σ_i"}, {s8, s2});
            t.wrote(w.svg);
            t.wrote(w.csv);
        }
        // φ on A (rows in R^k) and on Bᵀ (rows in R^d), next to random matrices of the same shapes.
        aprender::Generator gen(t.options().seed + 99);
        const int trials = 20;
        auto random_phi = [&](int64_t cols, int64_t i, int64_t j) {
            double sum = 0;
            for (int k = 0; k < trials; ++k)
                sum += la::subspace_similarity(la::Matrix::from_tensor(Tensor::normal({8, cols}, 0, 1, gen)),
                                               la::Matrix::from_tensor(Tensor::normal({2, cols}, 0, 1, gen)), i, j);
            return sum / trials;
        };
        const int64_t d_out = f8.B.rows;
        double rnd11 = random_phi(d_out, 1, 1), rnd81 = random_phi(d_out, 8, 1);
        t.out() << "\n";
        t.say(N::phi_intro, rnd11, rnd81);
        auto phi_map = [&](const la::Matrix& m8, const la::Matrix& m2, const std::string& file) {
            std::vector<std::vector<double>> v;
            std::vector<std::string> rows, cols{"j=1", "j=2"};
            for (int64_t i = 1; i <= 8; ++i) {
                rows.push_back(fmt::format("i={}", i));
                v.push_back({la::subspace_similarity(m8, m2, i, 1), la::subspace_similarity(m8, m2, i, 2)});
            }
            tut::print_heatmap(t.out(), style, v, rows, cols, {.min = 0, .max = 1, .show_values = true, .digits = 3, .indent = 4});
            auto w = tut::write_heatmap(t.out_file(file), "φ(i, j)", v, rows, cols);
            t.wrote(w.svg);
            return v;
        };
        t.say(N::phi_of_A);
        auto phiA = phi_map(f8.A, f2.A, "phi_A.svg");
        t.say(N::phi_of_B);
        auto phiB = phi_map(f8.B.transpose(), f2.B.transpose(), "phi_B.svg");
        t.out() << "\n";
        const auto& verdict = phiB[7][0] > 0.5 ? N::phi_shared : phiB[7][0] > 2 * rnd81 ? N::phi_partly : N::phi_not_shared;
        t.say(verdict, phiB[0][0], rnd11, phiB[7][0], rnd81);
        t.say(N::phi_on_A, phiA[0][0], phiA[7][0],
              t.tr(phiA[7][0] > 2 * rnd81 ? N::phi_A_more : N::phi_A_random, rnd81), 100 * f8.a_moved, steps);
        t.out() << "\n";

        // ---- 7. the lecture's classification table, and the summary -------------------------------
        aprender::tutorial::lora_tutorial::classification_table(t, seeds);
        const Result& full = results["tecnico"]["full"];
        const Result& lo = results["tecnico"][show_lora];
        // Each sentence of the summary is chosen from the numbers, not assumed.
        const double ft_ppl = mean(full.ppl_domain), lo_ppl = mean(lo.ppl_domain);
        const std::string fit = ft_ppl < 0.98 * lo_ppl ? t.tr(N::ft_fits_better, ft_ppl, lo_ppl)
                                                       : t.tr(N::lora_fits_as_well, lo_ppl, ft_ppl);
        t.step(N::takeaway, tut::thousands(lo.trainable, t.lang()), tut::thousands(full.trainable, t.lang()), tut::human_size(lo.file_bytes),
               tut::human_size(full.file_bytes), latency, mean(lo.ppl_general) - base_ppl["general"],
               mean(full.ppl_general) - base_ppl["general"], fit);
    });
}
