// bpe.cpp — byte-level BPE encoding and decoding (the files are in bpe_files.cpp, the
// trainer in bpe_train.cpp).
#include "tokenizer/bpe.h"

#include "tokenizer/byte_unicode.h"
#include "tokenizer/gpt2_pretokenizer.h"
#include "tokenizer/unicode.h"

#include <fmt/format.h>

#include <queue>

namespace aprender::tokenizer {

BpeTokenizer::BpeTokenizer(std::vector<std::string> tokens, std::vector<std::pair<int32_t, int32_t>> merges,
                           std::map<std::string, int32_t> specials)
    : tokens_(std::move(tokens)), merges_(std::move(merges)), specials_(std::move(specials)) {
    const auto n = static_cast<int32_t>(tokens_.size());
    std::vector<bool> is_special(tokens_.size(), false);
    for (auto& [text, id] : specials_) {
        if (text.empty()) throw TokenizerError("a special token cannot be empty");
        if (id < 0 || id >= n) throw TokenizerError(fmt::format("special token '{}' has id {} outside the vocabulary", text, id));
        if (tokens_[id] != text) throw TokenizerError(fmt::format("special token '{}' does not match vocabulary entry {}", text, id));
        is_special[id] = true;
    }
    for (int32_t id = 0; id < n; ++id) {
        if (is_special[id]) continue;
        if (tokens_[id].empty()) throw TokenizerError(fmt::format("vocabulary entry {} is empty", id));
        if (!ids_.emplace(tokens_[id], id).second)
            throw TokenizerError(fmt::format("vocabulary entries {} and {} are the same bytes", ids_[tokens_[id]], id));
    }
    // A special token is text a user types, and it must stay apart from the ordinary tokens:
    // with the bytes of one of them, vocab.json would name both ids with the same key (and
    // decode could not tell them apart); with bytes that are not UTF-8 it cannot be written
    // to tokenizer.json at all. (The message shows the bytes as vocab.json would.)
    for (auto& [text, id] : specials_) {
        if (!is_valid_utf8(text))
            throw TokenizerError(fmt::format("special token '{}' (id {}) is not valid UTF-8 text", visible_from_bytes(text), id));
        if (auto it = ids_.find(text); it != ids_.end())
            throw TokenizerError(fmt::format("special token '{}' (id {}) has the same bytes as vocabulary entry {}",
                                             visible_from_bytes(text), id, it->second));
    }
    // Byte-level: every one of the 256 bytes must be a token, so nothing is ever unknown.
    for (int b = 0; b < 256; ++b) {
        auto it = ids_.find(std::string(1, static_cast<char>(b)));
        if (it == ids_.end()) throw TokenizerError(fmt::format("vocabulary lacks the single byte 0x{:02X}", b));
        byte_ids_[b] = it->second;
    }
    for (size_t rank = 0; rank < merges_.size(); ++rank) {
        auto [a, b] = merges_[rank];
        if (a < 0 || a >= n || b < 0 || b >= n || is_special[a] || is_special[b])
            throw TokenizerError(fmt::format("merge {} ({} {}) names an id that is not an ordinary token", rank, a, b));
        auto it = ids_.find(tokens_[a] + tokens_[b]);
        if (it == ids_.end())
            throw TokenizerError(fmt::format("merge {} ({} {}): the merged token is not in the vocabulary", rank, a, b));
        if (!merge_of_.emplace(key(a, b), Merge{static_cast<int32_t>(rank), it->second}).second)
            throw TokenizerError(fmt::format("merge {} ({} {}) appears twice", rank, a, b));
    }
}

std::vector<int32_t> BpeTokenizer::merge_bytes(std::string_view piece) const {
    // The symbols form a linked list (merging removes one in O(1)); a min-heap holds the
    // candidate pairs ordered by (rank, position). Entries go stale when a neighbour is
    // merged away; they are checked and skipped when popped.
    //
    // This gives exactly GPT-2's result: GPT-2 takes the lowest-rank pair and merges all its
    // occurrences left to right; here the same pair's occurrences pop in position order, and
    // any pair created by a merge ranks after it (its merged token needs the new one to exist).
    // That last step holds for merges files in the order training writes them, where each
    // merge joins bytes and tokens made by earlier merges (GPT-2's vocab.bpe does). A file
    // that breaks the order still encodes losslessly, but may merge differently from GPT-2's
    // loop: "aa a" ranked before "a a" turns "aaaa" into "aaa" "a" here, "aa" "aa" there.
    // Unlike GPT-2's rescan of the whole word after every merge, this is O(n log n), so a
    // megabyte-long pre-token (a run of spaces, a base64 blob) does not take minutes.
    struct Symbol {
        int32_t id;
        int32_t prev, next;  // -1 at the ends
    };
    const auto n = static_cast<int32_t>(piece.size());
    std::vector<Symbol> sym(piece.size());
    for (int32_t i = 0; i < n; ++i) sym[i] = {byte_ids_[static_cast<unsigned char>(piece[i])], i - 1, i + 1 < n ? i + 1 : -1};

    struct Candidate {
        int32_t rank, left, left_id, right_id;
        bool operator>(const Candidate& o) const { return rank != o.rank ? rank > o.rank : left > o.left; }
    };
    std::priority_queue<Candidate, std::vector<Candidate>, std::greater<>> heap;
    auto consider = [&](int32_t left) {
        if (left < 0 || sym[left].next < 0) return;
        int32_t right = sym[left].next;
        auto it = merge_of_.find(key(sym[left].id, sym[right].id));
        if (it != merge_of_.end()) heap.push({it->second.rank, left, sym[left].id, sym[right].id});
    };
    for (int32_t i = 0; i + 1 < n; ++i) consider(i);

    while (!heap.empty()) {
        Candidate c = heap.top();
        heap.pop();
        Symbol& left = sym[c.left];
        if (left.id != c.left_id || left.next < 0 || sym[left.next].id != c.right_id) continue;  // stale
        Symbol& right = sym[left.next];
        left.id = merge_of_.at(key(c.left_id, c.right_id)).result;
        left.next = right.next;
        if (right.next >= 0) sym[right.next].prev = c.left;
        right.id = -1;  // removed: entries that start here are stale now
        consider(left.prev);
        consider(c.left);
    }
    std::vector<int32_t> ids;
    for (int32_t i = n > 0 ? 0 : -1; i >= 0; i = sym[i].next) ids.push_back(sym[i].id);
    return ids;
}

void BpeTokenizer::encode_ordinary(std::string_view text, std::vector<int32_t>& out) const {
    constexpr size_t kMaxCachedPiece = 128;     // long pieces are rare; don't let them fill memory
    constexpr size_t kMaxCacheEntries = 1 << 18;
    thread_local std::vector<std::string_view> pieces;
    pieces.clear();
    gpt2_pretokenizer().split(text, pieces);
    thread_local std::string key_buffer;
    for (std::string_view piece : pieces) {
        if (piece.size() == 1) {  // a single byte is its own token: no merging, no cache
            out.push_back(byte_ids_[static_cast<unsigned char>(piece[0])]);
            continue;
        }
        if (piece.size() > kMaxCachedPiece) {
            auto ids = merge_bytes(piece);
            out.insert(out.end(), ids.begin(), ids.end());
            continue;
        }
        key_buffer.assign(piece);
        {
            std::lock_guard<std::mutex> lock(*cache_mutex_);
            auto it = cache_.find(key_buffer);
            if (it != cache_.end()) {
                out.insert(out.end(), it->second.begin(), it->second.end());
                continue;
            }
        }
        auto ids = merge_bytes(piece);
        out.insert(out.end(), ids.begin(), ids.end());
        std::lock_guard<std::mutex> lock(*cache_mutex_);
        if (cache_.size() >= kMaxCacheEntries) cache_.clear();  // crude, but bounded
        cache_.emplace(key_buffer, std::move(ids));
    }
}

std::vector<int32_t> BpeTokenizer::encode(std::string_view text, bool allow_special) const {
    std::vector<int32_t> out;
    out.reserve(text.size() / 3);
    if (!allow_special || specials_.empty()) {
        encode_ordinary(text, out);
        return out;
    }
    // Cut the text at the special tokens (the earliest occurrence first; at the same
    // position the longest one), encoding the ordinary text in between. Each special's
    // next occurrence is remembered and searched again only once the cut has passed it,
    // so the text is scanned once per special, not once per special per cut.
    std::vector<const std::pair<const std::string, int32_t>*> entries;
    std::vector<size_t> next_at;  // where entries[k] occurs next (npos: nowhere after the cut)
    for (auto& entry : specials_) {
        entries.push_back(&entry);
        next_at.push_back(text.find(entry.first));
    }
    size_t pos = 0;
    while (pos < text.size()) {
        size_t best_at = std::string_view::npos;
        const std::pair<const std::string, int32_t>* best = nullptr;
        for (size_t k = 0; k < entries.size(); ++k) {
            if (next_at[k] != std::string_view::npos && next_at[k] < pos) next_at[k] = text.find(entries[k]->first, pos);
            size_t at = next_at[k];
            if (at == std::string_view::npos) continue;
            const auto& entry = *entries[k];
            if (at < best_at || (at == best_at && entry.first.size() > best->first.size())) {
                best_at = at;
                best = &entry;
            }
        }
        if (!best) break;
        encode_ordinary(text.substr(pos, best_at - pos), out);
        out.push_back(best->second);
        pos = best_at + best->first.size();
    }
    if (pos < text.size()) encode_ordinary(text.substr(pos), out);
    return out;
}

std::string BpeTokenizer::decode(const std::vector<int32_t>& ids) const {
    std::string out;
    for (int32_t id : ids) {
        if (id < 0 || id >= vocab_size())
            throw TokenizerError(fmt::format("unknown token id {} (vocabulary has ids 0..{})", id, vocab_size() - 1));
        out += tokens_[id];
    }
    return out;
}

std::string BpeTokenizer::id_to_token(int32_t id) const {
    if (id < 0 || id >= vocab_size())
        throw TokenizerError(fmt::format("unknown token id {} (vocabulary has ids 0..{})", id, vocab_size() - 1));
    return tokens_[id];
}

std::optional<int32_t> BpeTokenizer::token_to_id(std::string_view bytes) const {
    if (auto s = special_token_id(bytes)) return s;
    auto it = ids_.find(std::string(bytes));
    if (it == ids_.end()) return std::nullopt;
    return it->second;
}

std::optional<int32_t> BpeTokenizer::special_token_id(std::string_view text) const {
    auto it = specials_.find(std::string(text));
    if (it == specials_.end()) return std::nullopt;
    return it->second;
}

std::vector<std::string> BpeTokenizer::special_tokens() const {
    std::vector<std::string> out;
    for (auto& [text, id] : specials_) out.push_back(text);
    return out;
}

}  // namespace aprender::tokenizer
