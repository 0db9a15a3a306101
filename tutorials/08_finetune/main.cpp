// 08_finetune — traditional fine-tuning of the 07 base on two domains, with the lecture's
// limitations measured: every parameter changes, one full model per domain, forgetting of the
// general text, overfitting on a small set. Shared training: tutorials/common/finetune.h;
// words: narration.h.
#include <algorithm>
#include <cmath>
#include <array>
#include <map>
#include <tuple>

#include <fmt/format.h>

#include "lora/baselines.h"
#include "nn/safetensors.h"
#include "tutorials/common/finetune.h"
#include "tutorials/common/model_files.h"
#include "tutorials/common/runner.h"
#include "tutorials/common/svg.h"
#include "tutorials/common/table.h"
#include "tutorials/08_finetune/narration.h"

namespace tut = aprender::tutorial;
namespace lora = aprender::lora;
namespace nn = aprender::nn;
namespace N = aprender::tutorial::finetune_narration;

namespace {

const tut::TutorialInfo kInfo{"08_finetune",
                              N::title,
                              N::summary,
                              {tut::base_model_flag(),
                               {"--steps", "N", N::flag_steps, tut::IntRange{1, 100000}},
                               {"--small", "N", N::flag_small, tut::IntRange{1000, 1000000}},
                               tut::force_flag()},
                              /*runs_on_gpu=*/true};

std::string one_line(std::string s) {
    for (char& c : s)
        if (c == '\n' || c == '\t') c = ' ';
    return s;
}

}  // namespace

int main(int argc, char** argv) {
    return tut::run(kInfo, argc, argv, [](tut::Tutorial& t) {
        const auto& style = t.style();
        const bool quick = t.quick();
        const int64_t steps = t.options().get_int("--steps", quick ? 20 : 80);
        const int64_t small_chars = t.options().get_int("--small", 6000);
        auto chosen_base = tut::choose_base_model(t);  // a broken base file is refused before any work
        // One full model per domain: ones made with other settings already in --out are kept (model_files.h).
        const tut::ModelSettings made{quick ? "08_finetune --quick" : "08_finetune", steps, t.options().seed};
        const auto dest = tut::model_destination(
            t, {"finetuned_tecnico.safetensors", "finetuned_financeiro.safetensors"}, made);
        auto model_file = [&](const tut::DomainData& d) { return dest.folder / ("finetuned_" + d.name + ".safetensors"); };
        const std::size_t max_train = quick ? 60000 : 300000, max_val = quick ? 2000 : 5000;
        const int64_t batch = 8;
        const double lr = 1e-3;

        // ---- 1. base and domains ------------------------------------------------------------------
        t.step(N::setup);
        auto ob = tut::obtain_base_model(t, std::move(chosen_base));
        nn::GPT& base = *ob.base.model;
        const auto& tok = *ob.base.tokenizer;
        const int64_t T = base.config.block_size, total = base.num_parameters();
        std::vector<tut::DomainData> domains{tut::load_domain(t, tok, "tecnico", max_train, max_val),
                                            tut::load_domain(t, tok, "financeiro", max_train, max_val)};
        tut::DomainData general = tut::load_domain(t, tok, "general", 1, max_val);
        std::map<std::string, double> base_ppl;
        tut::Table dt({t.tr(N::col_domain), t.tr(N::col_train_chars), t.tr(N::col_val_chars), t.tr(N::col_ppl)},
                      {tut::Align::left, tut::Align::right, tut::Align::right, tut::Align::right});
        for (auto* d : {&domains[0], &domains[1], &general}) {
            base_ppl[d->name] = tut::perplexity(base, d->val);
            dt.add_row({d->label, d->name == "general" ? tut::Cell("—") : tut::count_cell((int64_t)d->train_chars, t.lang()),
                        tut::count_cell((int64_t)d->val_chars, t.lang()), fmt::format("{:.2f}", base_ppl[d->name])});
        }
        t.out() << "\n";
        dt.print(t.out(), style);
        t.out() << "\n";

        // ---- 2. full fine-tuning per domain -------------------------------------------------------
        const int64_t eval_every = std::max<int64_t>(1, steps / 8);
        t.step(N::training, steps, batch, T, lr, tut::thousands(total, t.lang()), eval_every);
        std::vector<std::shared_ptr<nn::GPT>> tuned;
        for (const auto& dom : domains) {
            auto model = tut::copy_model(base);
            lora::prepare_full(*model);
            tut::TrainSettings s;
            s.steps = steps, s.batch = batch, s.warmup = std::max<int64_t>(1, steps / 10), s.lr = lr;
            s.seed = t.options().seed, s.eval_every = eval_every, s.label = "  " + dom.label;
            auto run = tut::train_lm(t, *model, dom.train, &dom.val, s);
            t.say(N::trained, dom.label, run.train_eval_loss.front(), run.train_eval_loss.back(), run.val_loss.front(),
                  run.val_loss.back(), run.seconds, run.ms_per_step);
            tut::Series tr{t.tr(N::series_train), run.eval_steps, run.train_eval_loss},
                va{t.tr(N::series_val), run.eval_steps, run.val_loss};
            auto w = tut::write_line_plot(t.out_file("loss_" + dom.name + ".svg"),
                                          {t.tr(N::plot_title, dom.label), t.tr(N::axis_step), t.tr(tut::words::cross_entropy_nats_char)}, {tr, va});
            t.wrote(w.svg);
            t.wrote(w.csv);
            tuned.push_back(model);
        }
        t.out() << "\n";

        // ---- 3. every parameter changed -----------------------------------------------------------
        t.step(N::updated);
        tut::Table ut({t.tr(N::col_model), t.tr(N::col_changed), t.tr(N::col_tensors), t.tr(N::col_mean_change)},
                      {tut::Align::left, tut::Align::right, tut::Align::right, tut::Align::right});
        auto base_state = base.named_parameters();
        std::vector<std::tuple<std::string, int64_t, int64_t>> unchanged_note;
        for (std::size_t k = 0; k < domains.size(); ++k) {
            auto tuned_state = tuned[k]->named_parameters();
            int64_t changed = 0, numbers = 0, tensors_changed = 0, same_in_wte = 0;
            double sum_abs = 0;
            for (std::size_t i = 0; i < base_state.size(); ++i) {
                auto a = base_state[i].second.to_vector<float>(), b = tuned_state[i].second.to_vector<float>();
                int64_t c = 0;
                for (std::size_t j = 0; j < a.size(); ++j) {
                    c += a[j] != b[j];
                    sum_abs += std::abs(double(b[j]) - double(a[j]));
                }
                changed += c, numbers += (int64_t)a.size(), tensors_changed += c > 0;
                if (base_state[i].first == "wte.weight") same_in_wte += (int64_t)a.size() - c;
            }
            ut.add_row({t.tr(N::ft_row, domains[k].label),
                        fmt::format("{} / {} ({:.2f}%)", tut::thousands(changed, t.lang()), tut::thousands(numbers, t.lang()),
                                    100.0 * double(changed) / double(numbers)),
                        fmt::format("{} / {}", tensors_changed, base_state.size()),
                        fmt::format("{:.2e}", sum_abs / double(numbers))});
            unchanged_note.push_back({domains[k].label, numbers - changed, same_in_wte});
        }
        ut.print(t.out(), style);
        t.out() << "\n";
        for (auto& [name, same, in_wte] : unchanged_note) {
            std::string note = t.tr(N::unchanged, name, tut::thousands(same, t.lang()), tut::thousands(in_wte, t.lang()),
                                    base.config.n_embd);
            // "Everything the data touched moved" only when every unchanged number is an unseen character's.
            // (append, not " " + string: GCC 12 -O3 gives a false -Wrestrict warning for that one)
            if (same == in_wte) note.append(" ").append(t.tr(N::all_moved));
            t.print_wrapped(note);
        }
        t.out() << "\n";

        // ---- 4. one full model per domain ---------------------------------------------------------
        std::vector<std::uintmax_t> bytes;
        for (std::size_t k = 0; k < domains.size(); ++k) {
            auto path = model_file(domains[k]);
            std::filesystem::create_directories(dest.folder);
            nn::Metadata meta = made.metadata();  // made_by, steps, seed; and the config, and the base
            for (auto& [key, value] : tuned[k]->config.to_metadata()) meta[key] = value;
            meta["base"] = ob.path.string();
            nn::save_safetensors(path.string(), tuned[k]->state_dict(), meta);
            bytes.push_back(tut::disk_size(path));
        }
        t.step(N::storage, tut::human_size(bytes[0]));
        tut::Table st({t.tr(N::col_domains), t.tr(N::col_params), {t.tr(N::col_ours), t.tr(N::col_ours) + " [bytes]"},
                       {t.tr(N::col_7b), t.tr(N::col_7b) + " [bytes]"}},
                      {tut::Align::right, tut::Align::right, tut::Align::right, tut::Align::right});
        for (int n : {1, 3, 10}) {
            const std::uintmax_t ours = bytes[0] * (std::uintmax_t)n, seven_b = (std::uintmax_t)(7e9 * 2) * (std::uintmax_t)n;
            st.add_row({std::to_string(n), tut::count_cell(total * n, t.lang()), tut::size_cell(tut::human_size(ours), ours),
                        tut::size_cell(tut::human_size(seven_b), seven_b)});
        }
        st.print(t.out(), style);
        st.write_csv(t.out_file("storage.csv"));
        for (std::size_t k = 0; k < domains.size(); ++k) t.wrote(model_file(domains[k]));
        t.out() << "\n";

        // ---- 5. forgetting ------------------------------------------------------------------------
        t.step(N::forgetting);
        std::vector<tut::Cell> header{t.tr(N::col_model)};
        for (const auto& d : domains) header.push_back("ppl " + d.label);
        header.push_back("ppl " + general.label);
        tut::Table ft(header, {tut::Align::left, tut::Align::right, tut::Align::right, tut::Align::right});
        ft.add_row({t.tr(N::base_row), fmt::format("{:.2f}", base_ppl["tecnico"]), fmt::format("{:.2f}", base_ppl["financeiro"]),
                    fmt::format("{:.2f}", base_ppl["general"])});
        std::vector<std::array<double, 3>> ppl;
        for (std::size_t k = 0; k < domains.size(); ++k) {
            std::array<double, 3> p{tut::perplexity(*tuned[k], domains[0].val), tut::perplexity(*tuned[k], domains[1].val),
                                    tut::perplexity(*tuned[k], general.val)};
            ppl.push_back(p);
            ft.add_row({t.tr(N::ft_row, domains[k].label), fmt::format("{:.2f}", p[0]), fmt::format("{:.2f}", p[1]),
                        fmt::format("{:.2f}", p[2])});
        }
        ft.print(t.out(), style);
        ft.write_csv(t.out_file("forgetting.csv"));
        t.wrote(t.out_file("forgetting.csv"));
        t.out() << "\n";
        double mean_forgetting = 0;
        bool every_domain_better = true;
        for (std::size_t k = 0; k < domains.size(); ++k) {
            double before = base_ppl[domains[k].name], after = ppl[k][k], g0 = base_ppl["general"], g1 = ppl[k][2];
            mean_forgetting += 100 * (g1 / g0 - 1) / double(domains.size());
            every_domain_better = every_domain_better && after < before;
            t.say(N::forgot, domains[k].label, before, after, 100 * (after / before - 1), g0, g1, 100 * (g1 / g0 - 1),
                  t.tr(g1 <= g0 ? N::forgot_no : after < before ? N::forgot_yes : N::forgot_only));
        }
        t.out() << "\n";
        t.say(N::samples_intro);
        const std::string prompt = "O comando ";
        auto prompt_ids = tok.encode("\n" + prompt);
        nn::GenerateOptions g;
        g.max_new_tokens = quick ? 50 : 80, g.temperature = 0;
        std::size_t label_width = tut::display_width(t.tr(N::base_row));
        for (const auto& d : domains) label_width = std::max(label_width, tut::display_width(t.tr(N::ft_row, d.label)));
        std::vector<std::string> continuations;
        auto show = [&](const std::string& label, nn::GPT& m) {  // read whole: wrapped under itself
            auto ids = m.generate(prompt_ids, g);
            continuations.push_back(one_line(tok.decode(std::vector<int32_t>(ids.begin() + 1, ids.end()))));
            t.out() << tut::hang("    " + tut::pad_right(label, label_width + 2), style.accent(continuations.back()));
        };
        show(t.tr(N::base_row), base);
        for (std::size_t k = 0; k < domains.size(); ++k) show(t.tr(N::ft_row, domains[k].label), *tuned[k]);
        if (std::all_of(continuations.begin(), continuations.end(), [&](const auto& c) { return c == continuations[0]; }))
            t.say(N::samples_same);  // said from the text, not assumed
        t.out() << "\n";

        // ---- 6. overfitting on a small set --------------------------------------------------------
        const int64_t overfit_steps = std::max<int64_t>(60, 3 * steps);
        auto small = tut::load_domain(t, tok, "financeiro", (std::size_t)small_chars, max_val);
        t.step(N::overfit, tut::thousands(total, t.lang()), tut::thousands((int64_t)small.train_chars, t.lang()), overfit_steps);
        {
            auto model = tut::copy_model(base);
            lora::prepare_full(*model);
            tut::TrainSettings s;
            s.steps = overfit_steps, s.batch = batch, s.warmup = 10, s.lr = lr, s.seed = t.options().seed;
            s.eval_every = std::max<int64_t>(1, overfit_steps / 12), s.label = "  " + t.tr(N::small_label);
            auto run = tut::train_lm(t, *model, small.train, &small.val, s);
            std::size_t best = (std::size_t)(std::min_element(run.val_loss.begin(), run.val_loss.end()) - run.val_loss.begin());
            double gap0 = run.val_loss.front() - run.train_eval_loss.front(), gap1 = run.val_loss.back() - run.train_eval_loss.back();
            bool turned = best + 1 < run.val_loss.size() && run.val_loss.back() > run.val_loss[best] + 1e-3;
            t.say(N::overfit_result, run.val_loss[best], (int64_t)run.eval_steps[best], run.val_loss.back(),
                  run.train_eval_loss.back(), gap0, gap1,
                  turned ? t.tr(N::overfit_yes, (int64_t)run.eval_steps[best]) : t.tr(N::overfit_no));
            tut::Series tr{t.tr(N::series_train), run.eval_steps, run.train_eval_loss},
                va{t.tr(N::series_val), run.eval_steps, run.val_loss};
            auto w = tut::write_line_plot(t.out_file("overfit.svg"),
                                          {t.tr(N::plot_title, t.tr(N::small_set, small.train_chars)), t.tr(N::axis_step),
                                           t.tr(tut::words::cross_entropy_nats_char)},
                                          {tr, va});
            t.wrote(w.svg);
            t.wrote(w.csv);
        }
        t.out() << "\n";

        t.step(N::takeaway, t.tr(every_domain_better ? N::takeaway_worked : N::takeaway_not_all),
               tut::thousands(total, t.lang()), tut::human_size(bytes[0]),
               t.tr(mean_forgetting > 0 ? N::takeaway_forgot : N::takeaway_kept, mean_forgetting));
    });
}
