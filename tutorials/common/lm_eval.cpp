// lm_eval.cpp — see lm_eval.h.
#include "tutorials/common/lm_eval.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include <fmt/format.h>

#include "tutorials/common/checkpoint.h"

namespace aprender::tutorial {

std::vector<double> token_log_probs(nn::GPT& model, const std::vector<int32_t>& ids, int64_t batch) {
    const int64_t T = model.config.block_size, V = model.config.vocab_size, n = (int64_t)ids.size();
    std::vector<double> out(n > 0 ? n - 1 : 0, 0.0);
    if (n < 2) return out;
    // Window w covers inputs [start, start + len) and predicts targets start+1 .. start+len;
    // it is responsible for targets from `first` on (earlier ones belong to the previous window).
    struct Window { int64_t start, len, first; };
    std::vector<Window> windows;
    const int64_t stride = std::max<int64_t>(T / 2, 1);
    for (int64_t start = 0, scored = 1; scored < n; start += stride) {
        int64_t len = std::min(T, n - 1 - start);
        windows.push_back({start, len, scored});
        scored = start + len + 1;
    }
    NoGradGuard no_grad;
    bool was_training = model.is_training();
    model.eval();
    for (size_t w0 = 0; w0 < windows.size(); w0 += (size_t)batch) {
        size_t w1 = std::min(windows.size(), w0 + (size_t)batch);
        // Windows of one batch have equal length except possibly the last one: run it alone.
        for (size_t a = w0; a < w1;) {
            size_t b = a;
            while (b < w1 && windows[b].len == windows[a].len) ++b;
            int64_t len = windows[a].len, B = (int64_t)(b - a);
            std::vector<int32_t> x;
            x.reserve((size_t)(B * len));
            for (size_t k = a; k < b; ++k)
                x.insert(x.end(), ids.begin() + windows[k].start, ids.begin() + windows[k].start + len);
            std::vector<float> logits = model.forward(Tensor::from(x, {B, len}).to(model.device())).to_vector<float>();
            for (size_t k = a; k < b; ++k)
                for (int64_t j = 0; j < len; ++j) {
                    int64_t target = windows[k].start + j + 1;
                    if (target < windows[k].first) continue;
                    const float* row = logits.data() + (((int64_t)(k - a)) * len + j) * V;
                    double mx = *std::max_element(row, row + V), z = 0;
                    for (int64_t v = 0; v < V; ++v) z += std::exp(double(row[v]) - mx);
                    out[(size_t)(target - 1)] = double(row[ids[(size_t)target]]) - mx - std::log(z);
                }
            a = b;
        }
    }
    model.train(was_training);
    return out;
}

std::filesystem::path default_base_model_path() { return std::filesystem::path("out") / "07_gpt" / "base.safetensors"; }

std::filesystem::path base_tokenizer_dir(const std::filesystem::path& weights) {
    return weights.parent_path() / "tokenizer";
}

void save_base_model(const std::filesystem::path& weights, const nn::GPT& model, const tokenizer::CharTokenizer& tok,
                     nn::Metadata metadata) {
    for (auto& [k, v] : model.config.to_metadata()) metadata[k] = v;
    // As `aprender` writes it: the tokenizer's folder, relative to the checkpoint (so the
    // command line loads this file too); its kind beside it, for people reading the metadata.
    metadata["tokenizer"] = base_tokenizer_dir(weights).filename().string();
    metadata["tokenizer_type"] = tok.type();
    std::filesystem::create_directories(weights.parent_path().empty() ? "." : weights.parent_path());
    nn::save_safetensors(weights.string(), model.state_dict(), metadata);
    tok.save(base_tokenizer_dir(weights).string());
}

BaseModel load_base_model(const std::filesystem::path& weights) {
    if (!std::filesystem::exists(weights))
        throw std::runtime_error(fmt::format("no base model at {} (run build/tutorials/07_gpt first, or 07_gpt --full "
                                             "for a better one)",
                                             weights.string()));
    static const CheckpointWanted wanted{"gpt", "char", "08_finetune and 10_lora fine-tune a GPT base",
                                         "such as 07's out/07_gpt/base.safetensors"};
    auto c = read_checkpoint(weights, wanted);
    BaseModel b;
    b.metadata = c.checkpoint.metadata;
    b.model = std::make_shared<nn::GPT>(nn::GPTConfig::from_checkpoint(c.checkpoint));
    try {
        b.model->load_state_dict(c.checkpoint.tensors);
    } catch (const std::exception& e) {
        throw std::runtime_error(fmt::format("{}: {}", weights.string(), e.what()));
    }
    b.model->eval();
    if (auto* chars = dynamic_cast<tokenizer::CharTokenizer*>(c.tokenizer.get())) {
        c.tokenizer.release();
        b.tokenizer.reset(chars);
    } else {
        b.tokenizer = std::make_unique<tokenizer::CharTokenizer>(tokenizer::CharTokenizer::load(c.tokenizer_dir.string()));
    }
    if (b.tokenizer->vocab_size() != b.model->config.vocab_size)
        throw std::runtime_error(fmt::format("{}: its tokenizer ({}) has {} tokens but the model expects {}: they do not "
                                             "belong together",
                                             weights.string(), c.tokenizer_dir.string(), b.tokenizer->vocab_size(),
                                             b.model->config.vocab_size));
    return b;
}

}  // namespace aprender::tutorial
