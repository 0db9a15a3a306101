// vocab.h — a two-way table between token strings and ids, shared by the character,
// word and WordPiece tokenizers (BPE keeps byte strings and has its own tables).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace aprender::tokenizer {

class Vocab {
public:
    Vocab() = default;
    // Ids are positions in `tokens`; a duplicate token is an error (it would have two ids).
    explicit Vocab(std::vector<std::string> tokens);

    int32_t add(const std::string& token);  // returns the existing id if present
    int64_t size() const { return static_cast<int64_t>(tokens_.size()); }
    bool contains(std::string_view token) const { return find(token).has_value(); }
    std::optional<int32_t> find(std::string_view token) const;
    const std::string& token(int32_t id) const;  // throws TokenizerError naming the id
    const std::vector<std::string>& tokens() const { return tokens_; }

private:
    std::vector<std::string> tokens_;
    std::unordered_map<std::string, int32_t> ids_;
};

}  // namespace aprender::tokenizer
