// 03_autograd — how a network learns: a scalar autograd written out in full (forward, chain
// rule, finite differences, accumulation, Graphviz), then aprender's Tensor autograd and a
// bag-of-words classifier trained with it. Words: narration.h.
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <sstream>

#include <fmt/format.h>

#include "nn/optim.h"
#include "tutorials/common/bars.h"
#include "tutorials/common/runner.h"
#include "tutorials/common/svg.h"
#include "tutorials/common/table.h"
#include "tutorials/common/term.h"
#include "tutorials/03_autograd/narration.h"

namespace tut = aprender::tutorial;
namespace nn = aprender::nn;
namespace N = aprender::tutorial::autograd_narration;
using aprender::Tensor;

namespace {

const tut::TutorialInfo kInfo{"03_autograd", N::title, N::summary, {{"--steps", "N", N::flag_steps, tut::IntRange{1, 100000}}}};

// ---- a scalar autograd in 40 lines (the idea of autograd/engine.cpp, without tensors) ---------
struct Value;
using V = std::shared_ptr<Value>;
struct Value {
    double data = 0, grad = 0;
    std::string label, op;                   // "w1", "*"
    std::vector<V> inputs;                   // the nodes it was made from
    std::vector<double> local;               // ∂this/∂input_i, computed in the forward pass
};
V leaf(double x, std::string label) { return std::make_shared<Value>(Value{x, 0, std::move(label), "", {}, {}}); }
V mul(V a, V b, std::string label) {
    return std::make_shared<Value>(Value{a->data * b->data, 0, std::move(label), "*", {a, b}, {b->data, a->data}});
}
V add(V a, V b, std::string label) {
    return std::make_shared<Value>(Value{a->data + b->data, 0, std::move(label), "+", {a, b}, {1.0, 1.0}});
}
V tanh_(V a, std::string label) {
    double t = std::tanh(a->data);
    return std::make_shared<Value>(Value{t, 0, std::move(label), "tanh", {a}, {1 - t * t}});
}
// Nodes in topological order (inputs before the nodes made from them), each once.
std::vector<V> topo(const V& root) {
    std::vector<V> order;
    std::set<Value*> seen;
    std::function<void(const V&)> visit = [&](const V& v) {
        if (!seen.insert(v.get()).second) return;
        for (const auto& in : v->inputs) visit(in);
        order.push_back(v);
    };
    visit(root);
    return order;
}
// Backpropagation. `accumulate` false shows the bug of assigning instead of adding. The
// callback sees each (node, input, contribution) as it happens.
void backward(const V& root, bool accumulate,
              const std::function<void(const Value&, const Value&, double, double)>& trace = {}) {
    auto order = topo(root);
    for (auto& v : order) v->grad = 0;
    root->grad = 1;
    for (auto it = order.rbegin(); it != order.rend(); ++it)
        for (std::size_t i = 0; i < (*it)->inputs.size(); ++i) {
            Value& in = *(*it)->inputs[i];
            double contribution = (*it)->grad * (*it)->local[i];
            in.grad = accumulate ? in.grad + contribution : contribution;
            if (trace) trace(**it, in, (*it)->local[i], contribution);
        }
}

// The lecture-independent classic neuron (as in Karpathy's micrograd): o = tanh(x1·w1 + x2·w2 + b).
struct Neuron {
    V x1, w1, x2, w2, b, x1w1, x2w2, s, n, o;
};
Neuron build_neuron(double x1, double w1, double x2, double w2, double b) {
    Neuron z;
    z.x1 = leaf(x1, "x1"), z.w1 = leaf(w1, "w1"), z.x2 = leaf(x2, "x2"), z.w2 = leaf(w2, "w2"), z.b = leaf(b, "b");
    z.x1w1 = mul(z.x1, z.w1, "x1·w1");
    z.x2w2 = mul(z.x2, z.w2, "x2·w2");
    z.s = add(z.x1w1, z.x2w2, "s");
    z.n = add(z.s, z.b, "n");
    z.o = tanh_(z.n, "o");
    return z;
}
constexpr double kX1 = 2.0, kW1 = -3.0, kX2 = 0.0, kW2 = 1.0, kB = 6.8813735870195432;

// "x1·w1" as one name: ∂o/∂x1·w1 would read as (∂o/∂x1)·w1.
std::string grouped(const Value& v) { return v.op == "*" ? "(" + v.label + ")" : v.label; }

std::string local_rule(const Value& node, const Value& input) {
    if (node.op == "*") return fmt::format("∂({})/∂{} = {:.4f}", node.label, input.label, node.local[&input == node.inputs[0].get() ? 0 : 1]);
    if (node.op == "+") return fmt::format("∂({})/∂{} = 1", node.label, grouped(input));
    return fmt::format("∂tanh(n)/∂n = 1 − o² = {:.4f}", node.local[0]);
}

void scalar_part(tut::Tutorial& t) {
    auto z = build_neuron(kX1, kW1, kX2, kW2, kB);
    t.step(N::neuron);
    for (const auto& v : topo(z.o))
        t.out() << fmt::format("    {:<16} = {:>9.4f}{}\n", v->label, v->data,
                               v->op.empty() ? "" : "   " + t.style().dim("(" + v->op + ")"));

    t.step(N::backward);
    backward(z.o, true, [&](const Value& node, const Value& in, double, double contribution) {
        t.out() << fmt::format("    {} += {} = {:>8.4f}\n", tut::pad_right("∂o/∂" + grouped(in), 11),
                               tut::pad_right(fmt::format("∂o/∂({}) · {}", node.label, local_rule(node, in)), 52),
                               contribution);
    });
    t.out() << "\n";
    for (const auto& v : {z.x1, z.w1, z.x2, z.w2, z.b})
        t.out() << fmt::format("    ∂o/∂{:<3} = {}\n", v->label, t.style().accent(fmt::format("{:.6f}", v->grad)));

    const double h = 1e-6;
    t.step(N::check, h);
    tut::Table tab({t.tr(N::col_input), t.tr(N::col_autograd), t.tr(N::col_numeric), t.tr(N::col_error)},
                   {tut::Align::left, tut::Align::right, tut::Align::right, tut::Align::right});
    double inputs[5] = {kX1, kW1, kX2, kW2, kB};
    const char* names[5] = {"x1", "w1", "x2", "w2", "b"};
    double analytic[5] = {z.x1->grad, z.w1->grad, z.x2->grad, z.w2->grad, z.b->grad};
    double worst = 0;
    for (int i = 0; i < 5; ++i) {
        double up[5], down[5];
        for (int j = 0; j < 5; ++j) up[j] = down[j] = inputs[j];
        up[i] += h, down[i] -= h;
        double fu = build_neuron(up[0], up[1], up[2], up[3], up[4]).o->data;
        double fd = build_neuron(down[0], down[1], down[2], down[3], down[4]).o->data;
        double numeric = (fu - fd) / (2 * h), err = std::abs(numeric - analytic[i]);
        worst = std::max(worst, err);
        tab.add_row({names[i], fmt::format("{:.6f}", analytic[i]), fmt::format("{:.6f}", numeric), fmt::format("{:.1e}", err)});
    }
    tab.print(t.out(), t.style());
    t.out() << "  " << t.tr(tut::words::max_difference, worst, worst < 1e-6 ? t.style().good("✓") : t.style().bad("✗")) << "\n";

    const double x0 = 3.0;
    t.step(N::accumulate, x0);
    auto x = leaf(x0, "x");
    auto y = mul(x, x, "x·x");
    backward(y, false);
    double assigned = x->grad;
    backward(y, true);
    double added = x->grad;
    t.out() << "    " << t.tr(N::assign_result, assigned, assigned == 2 * x0 ? t.style().good("✓") : t.style().bad(t.tr(tut::words::wrong))) << "\n";
    t.out() << "    " << t.tr(N::add_result, added, added == 2 * x0 ? t.style().good("✓") : t.style().bad("✗"), 2 * x0) << "\n\n";
    Tensor tx = Tensor::from({float(x0)}).requires_grad_();
    aprender::sum(tx * tx).backward();
    double g1 = tx.grad().item();
    aprender::sum(tx * tx).backward();
    double g2 = tx.grad().item();
    t.say(N::twice, g1, g2);
    t.out() << fmt::format("    x.grad(): {} → {}\n", g1, g2);

    // Graphviz.
    t.step(N::graphviz);
    auto dot_path = t.out_file("neuron.dot");
    {
        std::ofstream dot(dot_path);
        dot << "digraph neuron {\n  rankdir=LR;\n  node [shape=record, fontname=\"Helvetica\"];\n";
        std::map<const Value*, int> id;  // stable node names: n0, n1, ... in topological order
        for (const auto& v : topo(z.o)) id.emplace(v.get(), (int)id.size());
        for (const auto& v : topo(z.o)) {
            dot << fmt::format("  n{} [label=\"{{ {} | data {:.4f} | grad {:.4f} }}\"];\n", id[v.get()],
                               v->label, v->data, v->grad);
            if (!v->op.empty()) {
                dot << fmt::format("  op{} [label=\"{}\", shape=circle];\n  op{} -> n{};\n", id[v.get()], v->op,
                                   id[v.get()], id[v.get()]);
                for (const auto& in : v->inputs)
                    dot << fmt::format("  n{} -> op{};\n", id[in.get()], id[v.get()]);
            }
        }
        dot << "}\n";
        if (!dot) throw std::runtime_error("cannot write " + dot_path.string());
    }
    std::ifstream back(dot_path);
    std::string line;
    for (int i = 0; i < 6 && std::getline(back, line); ++i) t.out() << "    " << line << "\n";
    t.out() << "    …\n";
    t.wrote(dot_path);
    if (std::system("command -v dot >/dev/null 2>&1") == 0) {
        auto svg = t.out_file("neuron.svg");
        std::string cmd = fmt::format("dot -Tsvg '{}' -o '{}'", dot_path.string(), svg.string());
        if (std::system(cmd.c_str()) == 0) t.wrote(svg);
    } else {
        t.say(N::no_dot);
    }

    // Tensors.
    t.step(N::tensors);
    auto p = [](double v) { return Tensor::from(std::vector<double>{v}).requires_grad_(); };
    Tensor x1 = p(kX1), w1 = p(kW1), x2 = p(kX2), w2 = p(kW2), b = p(kB);
    Tensor o = aprender::tanh(x1 * w1 + x2 * w2 + b);
    aprender::sum(o).backward();
    const std::string engine = t.tr(tut::words::scalar_engine);
    t.out() << fmt::format("    o = {:.6f}   ({}: {:.6f})\n", o.item(), engine, z.o->data);
    double tensor_grads[5] = {x1.grad().item(), w1.grad().item(), x2.grad().item(), w2.grad().item(), b.grad().item()};
    double worst_t = 0;
    for (int i = 0; i < 5; ++i) {
        t.out() << fmt::format("    ∂o/∂{:<3} = {:>10.6f}   ({}: {:>10.6f})\n", names[i], tensor_grads[i], engine, analytic[i]);
        worst_t = std::max(worst_t, std::abs(tensor_grads[i] - analytic[i]));
    }
    t.out() << "  " << t.tr(tut::words::max_difference, worst_t, worst_t < 1e-9 ? t.style().good("✓") : t.style().bad("✗")) << "\n";
}

// ---- the classifier ---------------------------------------------------------------------------
struct Sentence {
    std::string text;
    int label;  // 0 = feliz, 1 = triste
};

std::vector<Sentence> make_sentences() {
    // The feelings of data/eliza/pt.eliza's "sentimento" tag, split by sign.
    const std::vector<std::string> happy{"feliz", "alegre", "contente", "animado", "animada"};
    const std::vector<std::string> sad{"triste", "entediado", "deprimido", "chateado", "frustrada", "cansada"};
    const std::vector<std::string> frames{"eu estou {} hoje", "isso me deixa {}", "fiquei {} com a nota",
                                          "ela está {} com a aula", "hoje acordei {}", "a turma ficou {}"};
    std::vector<Sentence> out;
    for (const auto& f : frames) {
        for (const auto& w : happy) out.push_back({fmt::format(fmt::runtime(f), w), 0});
        for (const auto& w : sad) out.push_back({fmt::format(fmt::runtime(f), w), 1});
    }
    // Context words that correlate with the feeling, as in real text.
    for (const auto& w : happy) out.push_back({fmt::format("tirei nota máxima e estou {}", w), 0});
    for (const auto& w : sad) out.push_back({fmt::format("tirei nota baixa e estou {}", w), 1});
    return out;
}

std::vector<std::string> words_of(const std::string& s) {
    std::vector<std::string> w;
    std::istringstream in(s);
    for (std::string x; in >> x;) w.push_back(x);
    return w;
}

void classifier(tut::Tutorial& t, int64_t steps) {
    auto all = make_sentences();
    std::mt19937_64 rng(t.options().seed);
    std::shuffle(all.begin(), all.end(), rng);
    std::size_t n_test = all.size() / 5;
    std::vector<Sentence> test(all.begin(), all.begin() + (long)n_test), train(all.begin() + (long)n_test, all.end());
    std::map<std::string, int> vocab;
    std::vector<std::string> words;
    for (const auto& s : train)
        for (const auto& w : words_of(s.text))
            if (vocab.emplace(w, (int)words.size()).second) words.push_back(w);
    const int64_t Vn = (int64_t)words.size();
    auto bag = [&](const std::vector<Sentence>& ss) {
        std::vector<float> x((std::size_t)((int64_t)ss.size() * Vn), 0.0f);
        std::vector<int32_t> y;
        for (std::size_t i = 0; i < ss.size(); ++i) {
            for (const auto& w : words_of(ss[i].text)) {
                auto it = vocab.find(w);
                if (it != vocab.end()) x[i * (std::size_t)Vn + (std::size_t)it->second] += 1;  // unknown words: dropped
            }
            y.push_back(ss[i].label);
        }
        return std::make_pair(Tensor::from(x, {(int64_t)ss.size(), Vn}), Tensor::from(y, {(int64_t)ss.size()}));
    };
    auto [xtr, ytr] = bag(train);
    auto [xte, yte] = bag(test);
    t.step(N::classifier, Vn, steps, train.size(), test.size());

    aprender::Generator gen(t.options().seed);
    Tensor W = Tensor::normal({2, Vn}, 0, 0.01, gen).requires_grad_();
    Tensor b = Tensor::zeros({2}).requires_grad_();
    nn::SGD opt({{"W", W}, {"b", b}}, {.lr = 0.5});
    tut::Series curve{t.tr(N::series_train), {}, {}};
    double first = 0, last = 0;
    for (int64_t step = 0; step < steps; ++step) {
        Tensor loss = aprender::cross_entropy(aprender::linear(xtr, W, b), ytr);
        opt.zero_grad();
        loss.backward();  // every gradient below comes from here
        opt.step();
        double l = loss.item();
        if (step == 0) first = l;
        last = l;
        curve.x.push_back(double(step)), curve.y.push_back(l);
    }
    auto predict = [&](const Tensor& x) {
        aprender::NoGradGuard ng;
        return aprender::softmax(aprender::linear(x, W, b)).to_double_vector();
    };
    auto pte = predict(xte);
    auto labels = yte.to_vector<int32_t>();
    int correct = 0;
    for (std::size_t i = 0; i < labels.size(); ++i) correct += (pte[2 * i + 1] > pte[2 * i]) == (labels[i] == 1);
    t.say(N::trained, first, last, correct, labels.size());
    auto files = tut::write_line_plot(t.out_file("classifier_loss.svg"), {t.tr(N::plot_title), t.tr(tut::words::step), t.tr(tut::words::cross_entropy)}, {curve});
    t.wrote(files.svg);
    t.wrote(files.csv);
    // A coarse terminal loss curve: the loss at 8 moments of training.
    std::vector<tut::Bar> lb;
    for (int k = 0; k < 8; ++k) {
        std::size_t i = (std::size_t)((double)k / 7.0 * double(curve.y.size() - 1));
        lb.push_back({t.tr(tut::words::step_n, i), curve.y[i]});
    }
    tut::print_bars(t.out(), t.style(), lb, {.max = 0, .width = 40, .digits = 3, .indent = 4});

    t.out() << "\n";
    t.say(N::weights);
    auto w = W.detach().to_double_vector();
    std::vector<std::pair<double, std::string>> score;
    for (int64_t i = 0; i < Vn; ++i) score.emplace_back(w[(std::size_t)i] - w[(std::size_t)(Vn + i)], words[(std::size_t)i]);
    std::sort(score.rbegin(), score.rend());
    std::vector<tut::Bar> wb;
    for (std::size_t i = 0; i < 4; ++i) wb.push_back({score[i].second, score[i].first});
    for (std::size_t i = score.size(); i-- > score.size() - 4;) wb.push_back({score[i].second, score[i].first});  // strongest first
    for (auto& bb : wb) bb.label += bb.value >= 0 ? "  (→ feliz)" : "  (→ triste)", bb.value = std::abs(bb.value);
    tut::print_bars(t.out(), t.style(), wb, {.max = 0, .width = 30, .digits = 2, .indent = 4});

    t.step(N::limitation);
    std::vector<Sentence> probes{{"eu estou feliz hoje", 0}, {"eu não estou feliz hoje", 1}, {"eu estou radiante hoje", 0}};
    auto [xp, yp] = bag(probes);
    auto pp = predict(xp);
    for (std::size_t i = 0; i < probes.size(); ++i)
        t.out() << fmt::format("    {:<26} P(feliz) = {:.3f}  P(triste) = {:.3f}\n", "\"" + probes[i].text + "\"",
                               pp[2 * i], pp[2 * i + 1]);
    t.out() << "\n";
    for (const std::string probe : {"não", "radiante"}) {  // what the bag knows of each new word
        auto it = vocab.find(probe);
        if (it == vocab.end()) t.say(N::word_unseen, probe);
        else t.say(N::word_seen, probe, w[(std::size_t)it->second] - w[(std::size_t)(Vn + it->second)]);
    }
}

}  // namespace

int main(int argc, char** argv) {
    return tut::run(kInfo, argc, argv, [](tut::Tutorial& t) {
        int64_t steps = t.options().get_int("--steps", t.quick() ? 100 : 300);
        scalar_part(t);
        classifier(t, steps);
    });
}
