// Tests for byte-level BPE: the classic training example, exact round trips on random
// bytes, determinism, special tokens, the file formats, and GPT-2's own ids (those need
// scripts/fetch-tokenizer-files.sh and are skipped without it).
#include <doctest/doctest.h>

#include "tokenizer/bpe.h"
#include "tokenizer/json_file.h"
#include "tokenizer/byte_unicode.h"
#include "tokenizer/gpt2_pretokenizer.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <random>

using namespace aprender::tokenizer;

namespace {

const std::string kGpt2Dir = "data/cache/tokenizers/gpt2";
bool gpt2_files_present() {
    return std::filesystem::exists(kGpt2Dir + "/encoder.json") && std::filesystem::exists(kGpt2Dir + "/vocab.bpe");
}
const BpeTokenizer& gpt2() {
    static const BpeTokenizer tok = BpeTokenizer::load_gpt2(kGpt2Dir + "/encoder.json", kGpt2Dir + "/vocab.bpe");
    return tok;
}

std::string temp_dir(const std::string& name) {
    auto dir = std::filesystem::temp_directory_path() / ("aprender_test_" + name);
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    return dir.string();
}

const char* kPortuguese =
    "A Constituição da República Federativa do Brasil é a lei fundamental e suprema do Brasil. "
    "Ela serve de parâmetro de validade a todas as demais espécies normativas, situando-se no topo "
    "da pirâmide normativa. Não há lei acima da constituição; a constituição não é só papel. "
    "O gato comeu o rato, e o rato não voltou. Ação, reação, nação, coração, canção!\n";

std::vector<std::string> pretokens(std::string_view text) {
    std::vector<std::string_view> views;
    gpt2_pretokenizer().split(text, views);
    return {views.begin(), views.end()};
}

}  // namespace

TEST_CASE("tokenizer: GPT-2 pre-tokenizer regex") {
    using V = std::vector<std::string>;
    CHECK(pretokens("Hello world's 2024!!") == V{"Hello", " world", "'s", " 2024", "!!"});
    CHECK(pretokens("a  b\n\n") == V{"a", " ", " b", "\n\n"});
    CHECK(pretokens("Olá ação") == V{"Olá", " ação"});
    // Invalid UTF-8 is kept, byte for byte, as pieces of its own.
    CHECK(pretokens("ab\xFF\xFE" "cd") == V{"ab", "\xFF\xFE", "cd"});
}

TEST_CASE("tokenizer: byte to unicode map is GPT-2's") {
    CHECK(byte_to_unicode()[' '] == U'Ġ');
    CHECK(byte_to_unicode()['\n'] == U'Ċ');
    CHECK(byte_to_unicode()['A'] == U'A');
    CHECK(visible_from_bytes(" the") == "Ġthe");
    std::string back;
    CHECK(bytes_from_visible("Ġthe", &back));
    CHECK(back == " the");
    for (int b = 0; b < 256; ++b) CHECK(unicode_to_byte(byte_to_unicode()[b]) == b);
}

TEST_CASE("tokenizer: BPE training on aaabdaaabac merges aa first") {
    auto tok = BpeTokenizer::train("aaabdaaabac", 256 + 3, {.special_tokens = {}});
    REQUIRE(tok.merges().size() == 3);
    CHECK(tok.id_to_token(tok.merges()[0].first) + tok.id_to_token(tok.merges()[0].second) == "aa");
    CHECK(tok.id_to_token(256) == "aa");
    // Then "Z a b d Z a b a c": "Z a" and "a b" both occur twice; the smaller left id wins.
    CHECK(tok.id_to_token(257) == "ab");
    CHECK(tok.id_to_token(258) == "aaab");
    auto ids = tok.encode("aaabdaaabac");
    CHECK(tok.decode(ids) == "aaabdaaabac");
    CHECK(ids.size() < 11);
}

TEST_CASE("tokenizer: BPE training is deterministic and round-trips") {
    std::string corpus;
    for (int i = 0; i < 20; ++i) corpus += kPortuguese;
    auto a = BpeTokenizer::train(corpus, 400);
    auto b = BpeTokenizer::train(corpus, 400);
    CHECK(a.vocab_size() == 400);
    CHECK(a.merges() == b.merges());
    CHECK(a.special_token_id("<|endoftext|>") == 399);
    auto ids = a.encode(kPortuguese);
    CHECK(ids.size() < std::string(kPortuguese).size() / 3);  // it learned something
    CHECK(a.decode(ids) == kPortuguese);
    // a trained word comes out as one token
    CHECK(a.encode(" constituição").size() == 1);
}

TEST_CASE("tokenizer: BPE decode(encode(x)) == x for thousands of random byte strings") {
    auto tok = BpeTokenizer::train(std::string(kPortuguese) + kPortuguese, 320);
    std::mt19937 rng(1234);
    std::uniform_int_distribution<int> len(0, 40), byte(0, 255), pick(0, 3);
    const std::string alphabet = "a ãç\n'sé1!";
    int failures = 0;
    for (int trial = 0; trial < 3000; ++trial) {
        std::string s;
        int n = len(rng);
        for (int i = 0; i < n; ++i) {
            if (pick(rng) == 0) s += static_cast<char>(byte(rng));  // raw bytes: often invalid UTF-8
            else s += alphabet[static_cast<size_t>(byte(rng)) % alphabet.size()];
        }
        if (tok.decode(tok.encode(s)) != s) ++failures;
    }
    CHECK(failures == 0);
}

TEST_CASE("tokenizer: BPE special tokens only when allowed") {
    auto tok = BpeTokenizer::train(std::string(kPortuguese), 300);
    int32_t eot = *tok.special_token_id("<|endoftext|>");
    auto plain = tok.encode("fim<|endoftext|>início");
    CHECK(std::find(plain.begin(), plain.end(), eot) == plain.end());
    CHECK(tok.decode(plain) == "fim<|endoftext|>início");
    auto allowed = tok.encode("fim<|endoftext|>início", true);
    CHECK(std::count(allowed.begin(), allowed.end(), eot) == 1);
    CHECK(tok.decode(allowed) == "fim<|endoftext|>início");
}

TEST_CASE("tokenizer: BPE bad input is a clear error") {
    CHECK_THROWS_WITH_AS(BpeTokenizer::train("abc", 200), doctest::Contains("smaller than the base alphabet"), TokenizerError);
    CHECK_THROWS_WITH_AS(BpeTokenizer::train("", 300), doctest::Contains("empty corpus"), TokenizerError);
    auto tok = BpeTokenizer::train("abc abc", 260);
    CHECK_THROWS_WITH_AS(tok.decode({1, 99999}), "unknown token id 99999 (vocabulary has ids 0..259)", TokenizerError);

    auto dir = temp_dir("bpe_bad");
    tok.save(dir);
    { std::ofstream(dir + "/merges.txt") << "#version: 0.2\na b\nab\n"; }
    CHECK_THROWS_WITH_AS(BpeTokenizer::load(dir), doctest::Contains("merges.txt:3: expected two tokens"), TokenizerError);
    { std::ofstream(dir + "/merges.txt") << "#version: 0.2\na zz\n"; }
    CHECK_THROWS_WITH_AS(BpeTokenizer::load(dir), doctest::Contains("merges.txt:2: merged token 'azz' is not in"), TokenizerError);
    { std::ofstream(dir + "/vocab.json") << "{\"a\": 0,"; }
    CHECK_THROWS_WITH_AS(BpeTokenizer::load(dir), doctest::Contains("is not valid JSON"), TokenizerError);
    CHECK_THROWS_AS(BpeTokenizer::load(dir + "/missing"), TokenizerError);
    CHECK_THROWS_WITH_AS(BpeTokenizer::load_gpt2(dir, dir + "/merges.txt"), doctest::Contains("is a folder, not a file"),
                         TokenizerError);
}

TEST_CASE("tokenizer: BPE files that would quietly give other ids are refused") {
    auto tok = BpeTokenizer::train(std::string(kPortuguese), 400);  // well over 64 merges
    auto dir = temp_dir("bpe_files");
    tok.save(dir);
    std::string merges = aprender::tokenizer::read_text_file(dir + "/merges.txt");
    // an empty or truncated merges file: the vocabulary's merged tokens could never be made
    { std::ofstream(dir + "/merges.txt") << "#version: 0.2\n"; }
    CHECK_THROWS_WITH_AS(BpeTokenizer::load(dir), doctest::Contains("are made by none of them"), TokenizerError);
    // a few lines lost at the end: too few for the 64-special rule of foreign files, but our
    // own folder lists its special tokens, so any unmade entry is caught
    { std::ofstream(dir + "/merges.txt") << merges.substr(0, merges.rfind('\n', merges.size() - 2) + 1); }
    CHECK_THROWS_WITH_AS(BpeTokenizer::load(dir), doctest::Contains("merges.txt has no merge that makes 1 of vocab.json's multi-byte entries"), TokenizerError);
    CHECK_NOTHROW(BpeTokenizer::load_gpt2(dir + "/vocab.json", dir + "/merges.txt"));  // as files from elsewhere: tolerated
    // a merge listed twice names both lines
    std::string first = merges.substr(merges.find('\n') + 1);
    first = first.substr(0, first.find('\n') + 1);
    { std::ofstream(dir + "/merges.txt") << merges << first; }
    CHECK_THROWS_WITH_AS(BpeTokenizer::load(dir), doctest::Contains("is already on line 2"), TokenizerError);
    // a byte-order mark before the header is not part of the first line
    { std::ofstream(dir + "/merges.txt") << "\xEF\xBB\xBF" << merges; }
    CHECK(BpeTokenizer::load(dir).encode("a constituição") == tok.encode("a constituição"));
    // JSON keeps the last of two equal keys: a token would silently vanish
    std::ofstream(dir + "/merges.txt") << merges;
    std::string vocab = aprender::tokenizer::read_text_file(dir + "/vocab.json");
    { std::ofstream(dir + "/vocab.json") << "{\"a\": 1, " << vocab.substr(vocab.find('{') + 1); }
    CHECK_THROWS_WITH_AS(BpeTokenizer::load(dir), doctest::Contains("the key \"a\" appears twice"), TokenizerError);
}

TEST_CASE("tokenizer: special tokens cut the text at their first occurrence, the longest at a tie") {
    auto base = BpeTokenizer::train(std::string(kPortuguese), 300);
    auto dir = temp_dir("bpe_specials");
    base.save(dir);
    // Add two specials, one a prefix of the other, to the saved vocabulary.
    auto vocab = aprender::tokenizer::read_json_file(dir + "/vocab.json");
    int32_t n = (int32_t)vocab.size();
    vocab["<|x|>"] = n;
    vocab["<|x|>y"] = n + 1;
    { std::ofstream(dir + "/vocab.json") << vocab.dump(); }
    auto tok = BpeTokenizer::load_gpt2(dir + "/vocab.json", dir + "/merges.txt");
    int32_t eot = *tok.special_token_id("<|endoftext|>");
    auto ids = tok.encode("a<|x|>yb<|x|><|endoftext|><|x|>", true);
    std::vector<int32_t> expected = tok.encode("a");
    expected.push_back(n + 1);
    for (int32_t id : tok.encode("b")) expected.push_back(id);
    expected.insert(expected.end(), {n, eot, n});
    CHECK(ids == expected);
}

TEST_CASE("tokenizer: BPE save and load keep the same ids") {
    auto tok = BpeTokenizer::train(std::string(kPortuguese) + kPortuguese, 330);
    auto dir = temp_dir("bpe_save");
    tok.save(dir);
    auto back = load(dir);
    CHECK(back->type() == "bpe");
    CHECK(back->vocab_size() == 330);
    CHECK(back->encode(kPortuguese) == tok.encode(kPortuguese));
    CHECK(back->special_tokens() == std::vector<std::string>{"<|endoftext|>"});
}

TEST_CASE("tokenizer: GPT-2 ids are exactly GPT-2's" * doctest::skip(!gpt2_files_present())) {
    const auto& tok = gpt2();
    using I = std::vector<int32_t>;
    CHECK(tok.vocab_size() == 50257);
    CHECK(tok.encode("Hello world") == I{15496, 995});
    CHECK(tok.encode(" Hello world!") == I{18435, 995, 0});
    CHECK(tok.encode("The quick brown fox jumps over the lazy dog.") == I{464, 2068, 7586, 21831, 18045, 625, 262, 16931, 3290, 13});
    CHECK(tok.encode("Olá, mundo! A constituição brasileira.") ==
          I{30098, 6557, 11, 27943, 78, 0, 317, 7892, 9019, 16175, 28749, 48029, 576, 8704, 13});
    CHECK(tok.encode("  multiple   spaces\n\nnewlines\ttab") == I{220, 3294, 220, 220, 9029, 198, 198, 3605, 6615, 197, 8658});
    CHECK(tok.encode("naïve café — 2024 日本") == I{2616, 38776, 40304, 851, 48609, 10545, 245, 98, 17312, 105});
    CHECK(tok.encode("<|endoftext|>") == I{27, 91, 437, 1659, 5239, 91, 29});
    CHECK(tok.encode("<|endoftext|>", true) == I{50256});
    CHECK(tok.special_tokens() == std::vector<std::string>{"<|endoftext|>"});
    CHECK(tok.decode({18435, 995, 0}) == " Hello world!");
}

TEST_CASE("tokenizer: GPT-2 files survive save and reload" * doctest::skip(!gpt2_files_present())) {
    auto dir = temp_dir("gpt2_copy");
    gpt2().save_gpt2(dir + "/encoder.json", dir + "/vocab.bpe");
    auto copy = BpeTokenizer::load_gpt2(dir + "/encoder.json", dir + "/vocab.bpe");
    CHECK(copy.merges() == gpt2().merges());
    CHECK(copy.encode("Olá, mundo!") == gpt2().encode("Olá, mundo!"));
}

#include "tokenizer/merge_learner.h"

#include <map>

TEST_CASE("tokenizer: incremental merge learner agrees with recounting from scratch") {
    // The slow, obviously correct version: recount every pair before every merge.
    std::mt19937 rng(7);
    std::uniform_int_distribution<int> sym(0, 4), len(1, 9), cnt(1, 5);
    std::vector<std::vector<int32_t>> words(60);
    std::vector<int64_t> counts;
    for (auto& w : words) {
        for (int i = len(rng); i > 0; --i) w.push_back(sym(rng));
        counts.push_back(cnt(rng));
    }
    auto fast = learn_merges(words, counts, 5, 40);
    REQUIRE(fast.size() == 40);  // 5 symbols and words up to 9 long leave pairs for all 40 merges
    auto slow_words = words;
    for (size_t step = 0; step < fast.size(); ++step) {
        std::map<std::pair<int32_t, int32_t>, int64_t> pc;  // ordered: ties -> smallest pair
        for (size_t w = 0; w < slow_words.size(); ++w)
            for (size_t i = 0; i + 1 < slow_words[w].size(); ++i) pc[{slow_words[w][i], slow_words[w][i + 1]}] += counts[w];
        std::pair<int32_t, int32_t> best{};
        int64_t best_count = 0;
        for (auto& [p, c] : pc)
            if (c > best_count) best = p, best_count = c;
        REQUIRE(best_count > 0);
        CHECK(fast[step].left == best.first);
        CHECK(fast[step].right == best.second);
        CHECK(fast[step].count == best_count);
        auto merged = static_cast<int32_t>(5 + step);
        for (auto& w : slow_words) {
            std::vector<int32_t> out;
            for (size_t i = 0; i < w.size(); ++i) {
                if (i + 1 < w.size() && w[i] == best.first && w[i + 1] == best.second) out.push_back(merged), ++i;
                else out.push_back(w[i]);
            }
            w = out;
        }
    }
}
