// bpe_files.cpp — GPT-2 / Hugging Face files for byte-level BPE.
//
//   encoder.json / vocab.json : {"!": 0, "\"": 1, ..., "Ġthe": 262, ..., "<|endoftext|>": 50256}
//   vocab.bpe / merges.txt    : "#version: 0.2" then one merge per line, best first: "Ġ t"
//
// Tokens are written with byte_unicode.h's visible stand-ins. A vocabulary entry that is
// neither a single byte nor the result of a merge (GPT-2's "<|endoftext|>") can never come
// out of merging, so it is read as a special token.
#include "tokenizer/bpe.h"

#include "tokenizer/byte_unicode.h"
#include "tokenizer/json_file.h"

#include <fmt/format.h>

#include <set>
#include <sstream>

namespace aprender::tokenizer {

BpeTokenizer BpeTokenizer::load_gpt2(const std::string& vocab_json_path, const std::string& merges_path) {
    nlohmann::json vocab = read_json_file(vocab_json_path);
    if (!vocab.is_object() || vocab.empty())
        throw TokenizerError(fmt::format("{}: expected a JSON object {{\"token\": id, ...}}", vocab_json_path));
    const size_t n = vocab.size();
    std::vector<std::string> tokens(n);
    std::vector<bool> filled(n, false), readable(n, false);
    std::unordered_map<std::string, int32_t> id_of_visible;
    for (auto& [visible, value] : vocab.items()) {
        if (!value.is_number_integer())
            throw TokenizerError(fmt::format("{}: the id of '{}' is not an integer", vocab_json_path, visible));
        // Checked as the number the file holds: a negative id is a signed JSON integer, and an
        // id past INT64_MAX read as int64_t would wrap round to a negative one.
        if (!value.is_number_unsigned() || value.get<uint64_t>() >= n)
            throw TokenizerError(fmt::format("{}: id {} of '{}' is outside 0..{} (ids must have no gaps)",
                                             vocab_json_path, value.dump(), visible, n - 1));
        const auto id = value.get<uint64_t>();
        if (filled[id]) throw TokenizerError(fmt::format("{}: id {} is used twice", vocab_json_path, id));
        filled[id] = true;
        std::string bytes;
        readable[id] = bytes_from_visible(visible, &bytes);
        tokens[id] = readable[id] ? bytes : visible;  // unreadable: a special token, kept as text
        id_of_visible[visible] = static_cast<int32_t>(id);
    }

    std::string text = read_text_file(merges_path);
    if (text.rfind("\xEF\xBB\xBF", 0) == 0) text.erase(0, 3);  // a byte-order mark some editors write
    std::istringstream lines(text);
    std::string line;
    std::vector<std::pair<int32_t, int32_t>> merges;
    std::vector<bool> is_merge_result(n, false);
    std::map<std::pair<int32_t, int32_t>, int> line_of_merge;
    for (int line_no = 1; std::getline(lines, line); ++line_no) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (line.empty() || (line_no == 1 && line.rfind("#version", 0) == 0)) continue;
        size_t space = line.find(' ');
        if (space == std::string::npos || space == 0 || space + 1 == line.size() || line.find(' ', space + 1) != std::string::npos)
            throw TokenizerError(fmt::format("{}:{}: expected two tokens separated by one space, got '{}'", merges_path,
                                             line_no, line));
        std::string left = line.substr(0, space), right = line.substr(space + 1);
        auto find = [&](const std::string& t) {
            auto it = id_of_visible.find(t);
            if (it == id_of_visible.end())
                throw TokenizerError(fmt::format("{}:{}: token '{}' is not in {}", merges_path, line_no, t, vocab_json_path));
            return it->second;
        };
        auto merged = id_of_visible.find(left + right);
        if (merged == id_of_visible.end())
            throw TokenizerError(fmt::format("{}:{}: merged token '{}' is not in {}", merges_path, line_no, left + right,
                                             vocab_json_path));
        std::pair<int32_t, int32_t> pair{find(left), find(right)};
        if (auto [it, fresh] = line_of_merge.emplace(pair, line_no); !fresh)
            throw TokenizerError(fmt::format("{}:{}: the merge '{} {}' is already on line {}", merges_path, line_no, left,
                                             right, it->second));
        merges.push_back(pair);
        is_merge_result[merged->second] = true;
    }

    // A multi-byte token that no merge makes can only be typed whole: a special token
    // such as <|endoftext|>. A vocabulary has a handful; hundreds mean the merges file is
    // truncated, empty or belongs to another vocabulary — encoding would quietly cut words
    // into bytes instead of the tokens the model knows.
    std::map<std::string, int32_t> specials;
    std::string examples;  // the first few, for the message
    for (size_t id = 0; id < n; ++id)
        if (!readable[id] || (tokens[id].size() > 1 && !is_merge_result[id])) {
            specials[tokens[id]] = static_cast<int32_t>(id);
            if (readable[id] && specials.size() <= 3) examples += (examples.empty() ? "'" : ", '") + tokens[id] + "'";
        }
    constexpr size_t kMaxSpecials = 64;
    if (specials.size() > kMaxSpecials)
        throw TokenizerError(fmt::format("{} has {} merges, but {} entries of {} (such as {}) are made by none of them: "
                                         "is the merges file truncated, or from another tokenizer?",
                                         merges_path, merges.size(), specials.size(), vocab_json_path, examples));
    try {
        return BpeTokenizer(std::move(tokens), std::move(merges), std::move(specials));
    } catch (const TokenizerError& e) {
        throw TokenizerError(fmt::format("{} + {}: {}", vocab_json_path, merges_path, e.what()));
    }
}

void BpeTokenizer::save_gpt2(const std::string& vocab_json_path, const std::string& merges_path) const {
    // Each key must read back as the same token: an ordinary token as its visible bytes; a
    // special token as its text ("<|endoftext|>"), unless load_gpt2 would read that text as
    // visible bytes meaning something else ("Ġx" is " x"): then as its own visible bytes,
    // which read back as a multi-byte entry no merge makes, that is, a special token again.
    auto key_of_special = [](const std::string& text) {
        std::string bytes;
        bool read_as_other_bytes = bytes_from_visible(text, &bytes) && bytes != text;
        return read_as_other_bytes ? visible_from_bytes(text) : text;
    };
    nlohmann::ordered_json vocab = nlohmann::ordered_json::object();  // written in id order
    for (int32_t id = 0; id < vocab_size(); ++id)
        vocab[specials_.count(tokens_[id]) ? key_of_special(tokens_[id]) : visible_from_bytes(tokens_[id])] = id;
    write_text_file(vocab_json_path, vocab.dump() + "\n");
    std::string merges = "#version: 0.2\n";
    for (auto [a, b] : merges_) merges += visible_from_bytes(tokens_[a]) + " " + visible_from_bytes(tokens_[b]) + "\n";
    write_text_file(merges_path, merges);
}

void BpeTokenizer::save(const std::string& dir) const {
    save_gpt2(dir + "/vocab.json", dir + "/merges.txt");
    nlohmann::json j{{"type", "bpe"}, {"vocab", "vocab.json"}, {"merges", "merges.txt"}, {"special_tokens", special_tokens()}};
    write_text_file(dir + "/tokenizer.json", j.dump(1) + "\n");
}

BpeTokenizer BpeTokenizer::load(const std::string& dir) {
    auto j = read_json_file(dir + "/tokenizer.json");
    // Compared, not read with j.value(): that throws nlohmann's own error when the file holds
    // an array or a number instead of an object, or "type" is not a string.
    if (!j.is_object() || !j.contains("type") || j["type"] != "bpe") throw TokenizerError(fmt::format("{}/tokenizer.json is not a BPE tokenizer", dir));
    BpeTokenizer tok = load_gpt2(dir + "/vocab.json", dir + "/merges.txt");
    // Our own folder lists its special tokens, so the check can be exact: any other
    // multi-byte entry that no merge makes means merges.txt lost lines (load_gpt2 alone
    // tolerates up to 64, as files from elsewhere may have that many specials).
    if (!j.contains("special_tokens") || !j["special_tokens"].is_array())
        throw TokenizerError(fmt::format("{}/tokenizer.json has no \"special_tokens\" list", dir));
    std::set<std::string> declared;
    for (const auto& t : j["special_tokens"]) {
        if (!t.is_string()) throw TokenizerError(fmt::format("{}/tokenizer.json: a special token is not a string", dir));
        declared.insert(t.get<std::string>());
    }
    std::string unmade;
    size_t count = 0;
    for (const auto& t : tok.special_tokens())
        if (!declared.count(t) && ++count <= 3) unmade += (unmade.empty() ? "'" : ", '") + visible_from_bytes(t) + "'";
    if (count)
        throw TokenizerError(fmt::format("{}/merges.txt has no merge that makes {} of vocab.json's multi-byte entries, "
                                         "and tokenizer.json does not list them as special tokens (such as {}): is "
                                         "merges.txt truncated, or from another tokenizer?",
                                         dir, count, unmade));
    return tok;
}

}  // namespace aprender::tokenizer
