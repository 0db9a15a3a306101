// data.cpp — the batch sampler over a token stream (see data.h for the exact windows).
#include "nn/data.h"

#include "autograd/random.h"
#include "tokenizer/token_file.h"

#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>

namespace aprender::nn {

SamplerMode parse_sampler_mode(const std::string& name) {
    if (name == "random") return SamplerMode::random;
    if (name == "sequential") return SamplerMode::sequential;
    throw std::invalid_argument("unknown sampler '" + name + "' (expected random or sequential)");
}

const char* sampler_mode_name(SamplerMode mode) { return mode == SamplerMode::random ? "random" : "sequential"; }

BatchSampler::BatchSampler(std::shared_ptr<const std::vector<int32_t>> tokens, int64_t batch_size, int64_t block_size,
                           SamplerMode mode, uint64_t seed, std::string source)
    : tokens_(std::move(tokens)), B_(batch_size), T_(block_size), mode_(mode), gen_(seed), source_(std::move(source)) {
    if (!tokens_) throw std::invalid_argument("BatchSampler: no tokens given");
    if (B_ < 1 || T_ < 1)
        throw std::invalid_argument(fmt::format("BatchSampler: batch size {} and block size {} must be >= 1", B_, T_));
    if ((int64_t)tokens_->size() < T_ + 1)
        throw std::invalid_argument(fmt::format("{} has {} tokens, but one training window needs block_size + 1 = {}",
                                                source_, tokens_->size(), T_ + 1));
}

BatchSampler::BatchSampler(std::vector<int32_t> tokens, int64_t batch_size, int64_t block_size, SamplerMode mode,
                           uint64_t seed, std::string source)
    : BatchSampler(std::make_shared<const std::vector<int32_t>>(std::move(tokens)), batch_size, block_size, mode, seed,
                   std::move(source)) {}

BatchSampler BatchSampler::from_file(const std::string& path, int64_t batch_size, int64_t block_size, SamplerMode mode,
                                     uint64_t seed) {
    // read_token_file names what is wrong with the file (missing, a folder, an odd byte count).
    return BatchSampler(tokenizer::read_token_file(path), batch_size, block_size, mode, seed,
                        "token file '" + path + "'");
}

// Philox counters per batch: B rounded up to whole blocks of 4, like Tensor::uniform.
static int64_t counters_per_batch(int64_t B) { return (B + 3) / 4 * 4; }

std::vector<int64_t> BatchSampler::window_starts(int64_t k) const {
    if (k < 0) throw std::invalid_argument(fmt::format("BatchSampler: batch number {} is negative", k));
    const int64_t N = num_tokens();
    std::vector<int64_t> starts(B_);
    if (mode_ == SamplerMode::random) {
        const int64_t choices = N - T_;  // valid starts 0 .. N-T-1: the window's T+1 tokens fit
        for (int64_t j = 0; j < B_; ++j) {
            double u = philox::uniform((uint64_t)(k * counters_per_batch(B_) + j), gen_.seed);  // in (0, 1)
            starts[j] = std::min((int64_t)(u * (double)choices), choices - 1);  // min: guard rounding up
        }
    } else {
        // k·B·T + j·T, reduced mod N (the windows' tokens are read mod N too)
        const int64_t step = (B_ * T_) % N;
        const int64_t base = (int64_t)((unsigned __int128)(k % N) * (unsigned __int128)step % (unsigned __int128)N);
        for (int64_t j = 0; j < B_; ++j) starts[j] = (base + (j * T_) % N) % N;
    }
    return starts;
}

Batch BatchSampler::batch_at(int64_t k) const {
    const int64_t N = num_tokens();
    const std::vector<int32_t>& tok = *tokens_;
    Tensor x = Tensor::empty({B_, T_}, DType::i32), y = Tensor::empty({B_, T_}, DType::i32);
    int32_t* px = x.data<int32_t>();
    int32_t* py = y.data<int32_t>();
    std::vector<int64_t> starts = window_starts(k);
    for (int64_t j = 0; j < B_; ++j) {
        int64_t pos = starts[j];  // random windows never reach N; sequential ones wrap
        for (int64_t i = 0; i < T_; ++i) {
            int64_t next = pos + 1 == N ? 0 : pos + 1;
            px[j * T_ + i] = tok[pos];
            py[j * T_ + i] = tok[next];
            pos = next;
        }
    }
    return {x, y};
}

Batch BatchSampler::next() {
    Batch b = batch_at(next_);
    seek(next_ + 1);
    return b;
}

void BatchSampler::seek(int64_t k) {
    if (k < 0) throw std::invalid_argument(fmt::format("BatchSampler: batch number {} is negative", k));
    next_ = k;
    gen_.offset = (uint64_t)(k * counters_per_batch(B_));  // where batch k's draws begin
}

int64_t BatchSampler::epoch_batches() const { return (num_tokens() + B_ * T_ - 1) / (B_ * T_); }

}  // namespace aprender::nn
