// vocab.cpp — the token <-> id table.
#include "tokenizer/vocab.h"

#include "tokenizer/error.h"

#include <fmt/format.h>

namespace aprender::tokenizer {

Vocab::Vocab(std::vector<std::string> tokens) {
    for (auto& t : tokens) {
        if (ids_.count(t)) throw TokenizerError(fmt::format("duplicate token '{}' in vocabulary", t));
        add(t);
    }
}

int32_t Vocab::add(const std::string& token) {
    auto it = ids_.find(token);
    if (it != ids_.end()) return it->second;
    auto id = static_cast<int32_t>(tokens_.size());
    tokens_.push_back(token);
    ids_.emplace(token, id);
    return id;
}

std::optional<int32_t> Vocab::find(std::string_view token) const {
    auto it = ids_.find(std::string(token));
    if (it == ids_.end()) return std::nullopt;
    return it->second;
}

const std::string& Vocab::token(int32_t id) const {
    if (id < 0 || id >= size())
        throw TokenizerError(fmt::format("unknown token id {} (vocabulary has ids 0..{})", id, size() - 1));
    return tokens_[static_cast<size_t>(id)];
}

}  // namespace aprender::tokenizer
