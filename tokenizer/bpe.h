// bpe.h — byte-level BPE, GPT-2 style: exact GPT-2 ids from OpenAI's files, and a trainer.
//
//     auto gpt2 = BpeTokenizer::load_gpt2("encoder.json", "vocab.bpe");
//     gpt2.encode("Hello world");                      // {15496, 995}
//     auto pt = BpeTokenizer::train(corpus, 8000);     // a Portuguese vocabulary
//
// How encoding works:
//   1. GPT-2's regex cuts the text into pre-tokens (gpt2_pretokenizer.h);
//   2. each pre-token starts as its UTF-8 bytes, one token per byte (256 base tokens, so
//      nothing is ever unknown and any byte string, even invalid UTF-8, can be encoded);
//   3. repeatedly, the adjacent pair with the best (lowest) merge rank is merged, until no
//      adjacent pair has a merge. Results are cached per pre-token.
// decode() concatenates the tokens' bytes, so decode(encode(x)) == x for every byte string.
//
// Special tokens (such as "<|endoftext|>") are whole strings with ids of their own. encode()
// treats them as ordinary text; only encode(text, /*allow_special=*/true) turns their exact
// occurrences into their ids, so text from users cannot inject them by accident.
#pragma once

#include "tokenizer/tokenizer.h"

#include <array>
#include <map>
#include <memory>
#include <mutex>
#include <unordered_map>

namespace aprender::tokenizer {

struct BpeTrainOptions {
    // Added after the merges, in this order (vocab_size counts them).
    std::vector<std::string> special_tokens{"<|endoftext|>"};
    // Pre-tokens seen fewer times are ignored by the trainer (1 keeps everything).
    int64_t min_frequency = 1;
    bool verbose = false;  // print progress every 1000 merges on stderr
};

class BpeTokenizer : public Tokenizer {
public:
    // tokens[id] = the token's bytes; merges in rank order, each a pair of token ids whose
    // concatenation must be in `tokens`; specials map text -> id (and their ids' entries in
    // `tokens` are their text). Throws TokenizerError on inconsistent tables.
    BpeTokenizer(std::vector<std::string> tokens, std::vector<std::pair<int32_t, int32_t>> merges,
                 std::map<std::string, int32_t> specials);

    // Trains on `corpus` until the vocabulary has `vocab_size` tokens (256 bytes + merges +
    // special tokens) or no adjacent pair is left (a pair seen once is still merged); see
    // bpe_train.cpp for the algorithm and the tie-breaking rule. Throws on an empty corpus or vocab_size < 256 + specials.
    static BpeTokenizer train(std::string_view corpus, int64_t vocab_size, const BpeTrainOptions& options = {});

    // OpenAI's encoder.json + vocab.bpe, or Hugging Face's vocab.json + merges.txt (same formats).
    static BpeTokenizer load_gpt2(const std::string& vocab_json_path, const std::string& merges_path);
    // A folder written by save(): tokenizer.json + vocab.json + merges.txt.
    static BpeTokenizer load(const std::string& dir);
    void save(const std::string& dir) const override;
    // Just the two standard files (vocab.json / merges.txt in Hugging Face's naming).
    void save_gpt2(const std::string& vocab_json_path, const std::string& merges_path) const;

    std::string type() const override { return "bpe"; }
    std::vector<int32_t> encode(std::string_view text) const override { return encode(text, false); }
    std::vector<int32_t> encode(std::string_view text, bool allow_special) const;
    std::string decode(const std::vector<int32_t>& ids) const override;
    int64_t vocab_size() const override { return static_cast<int64_t>(tokens_.size()); }
    std::string id_to_token(int32_t id) const override;  // the raw bytes of the token
    std::optional<int32_t> token_to_id(std::string_view bytes) const override;
    std::vector<std::string> special_tokens() const override;
    std::optional<int32_t> special_token_id(std::string_view text) const;

    const std::vector<std::pair<int32_t, int32_t>>& merges() const { return merges_; }
    int32_t byte_token(unsigned char b) const { return byte_ids_[b]; }

    // The merged ids of one pre-token (no regex, no cache): step 3 above, exposed for teaching.
    std::vector<int32_t> merge_bytes(std::string_view piece) const;

private:
    void encode_ordinary(std::string_view text, std::vector<int32_t>& out) const;
    static uint64_t key(int32_t a, int32_t b) { return (static_cast<uint64_t>(static_cast<uint32_t>(a)) << 32) | static_cast<uint32_t>(b); }

    std::vector<std::string> tokens_;                        // id -> bytes
    std::unordered_map<std::string, int32_t> ids_;           // bytes -> id (ordinary tokens)
    std::vector<std::pair<int32_t, int32_t>> merges_;        // rank -> pair
    struct Merge { int32_t rank, result; };
    std::unordered_map<uint64_t, Merge> merge_of_;           // pair -> rank and merged id
    std::array<int32_t, 256> byte_ids_{};                    // byte -> id
    std::map<std::string, int32_t> specials_;                // text -> id

    // Pre-token -> ids. Ordinary text repeats the same words, so most pre-tokens are found
    // here and never merged again. Guarded by a mutex so encode() stays thread-safe.
    mutable std::unordered_map<std::string, std::vector<int32_t>> cache_;
    mutable std::unique_ptr<std::mutex> cache_mutex_ = std::make_unique<std::mutex>();
};

}  // namespace aprender::tokenizer
