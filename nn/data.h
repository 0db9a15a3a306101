// data.h — turning a token file into training batches (x, y) for a language model.
//
// The token file is nanoGPT's train.bin (tokenizer/token_file.h): the corpus's ids back
// to back, little-endian uint16, or uint32 when the name ends in ".u32.bin".
//
// A language model learns to predict token t+1 from tokens ≤ t, so one training example
// is a *window* of T+1 consecutive tokens w[0..T]: the input is x = w[0..T-1] and the
// target is the same window shifted by one, y = w[1..T]. A batch is B such windows,
// x and y int32 tensors of shape (B, T). Where the windows start is the sampler's job:
//
// random (default): window j of batch k starts at
//       s = min(floor(u · (N − T)), N − T − 1),  u = philox::uniform(e, seed)
//   with e = k·B4 + j, B4 = B rounded up to a multiple of 4 (the Generator's offset
//   advances by whole Philox blocks, as for Tensor::uniform). s ranges over all
//   N − T valid starts, so every window lies inside the file. Same seed → same batches,
//   on any machine.
// sequential: batch k takes B consecutive windows; window j starts at
//       s = k·B·T + j·T
//   and token i of the window is tok[(s + i) mod N], i = 0..T: positions past the end
//   wrap around to the start of the file. Consecutive windows overlap by exactly one
//   token (the last target of one window is the first input of the next), so each
//   batch covers B·T fresh targets, and another program can reproduce the batches
//   from this formula alone.
#pragma once

#include "autograd/tensor.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace aprender::nn {

enum class SamplerMode { random, sequential };
SamplerMode parse_sampler_mode(const std::string& name);  // "random" | "sequential", else throws
const char* sampler_mode_name(SamplerMode mode);

struct Batch {
    Tensor x, y;  // int32 (B, T) on the CPU; y[b, t] is the token after x[b, t]
};

class BatchSampler {
public:
    // `source` names the tokens in error messages (the file name). Throws
    // std::invalid_argument when B or T < 1 or when there are fewer than T+1 tokens.
    BatchSampler(std::shared_ptr<const std::vector<int32_t>> tokens, int64_t batch_size, int64_t block_size,
                 SamplerMode mode = SamplerMode::random, uint64_t seed = 0, std::string source = "token stream");
    BatchSampler(std::vector<int32_t> tokens, int64_t batch_size, int64_t block_size,
                 SamplerMode mode = SamplerMode::random, uint64_t seed = 0, std::string source = "token stream");
    // Read a token file (tokenizer::read_token_file, whose TokenizerError names a missing
    // file, a folder or a bad size) and sample from it.
    static BatchSampler from_file(const std::string& path, int64_t batch_size, int64_t block_size,
                                  SamplerMode mode = SamplerMode::random, uint64_t seed = 0);

    Batch next();                       // batch number batches_drawn(), then advance
    Batch batch_at(int64_t k) const;    // batch number k (a pure function of k and the seed)
    std::vector<int64_t> window_starts(int64_t k) const;  // the B start positions of batch k

    int64_t batches_drawn() const { return next_; }
    void seek(int64_t k);               // the next batch is number k (to resume a run)
    // sequential: batches until every token has been an input once, ceil(N / (B·T))
    int64_t epoch_batches() const;

    int64_t num_tokens() const { return (int64_t)tokens_->size(); }
    int64_t batch_size() const { return B_; }
    int64_t block_size() const { return T_; }
    SamplerMode mode() const { return mode_; }
    const Generator& generator() const { return gen_; }  // seed and offset of the next draw

private:
    std::shared_ptr<const std::vector<int32_t>> tokens_;
    int64_t B_, T_;
    SamplerMode mode_;
    Generator gen_;
    int64_t next_ = 0;
    std::string source_;
};

}  // namespace aprender::nn
