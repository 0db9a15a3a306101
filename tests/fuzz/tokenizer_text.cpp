// Fuzz target: arbitrary text through small tokenizers of every kind, built once.
//
// Feeds in: the input as text to a character, a word, two byte-level BPE and two WordPiece
// tokenizers trained on a fixed Portuguese/English corpus; and the same bytes read as
// little-endian int32 ids to decode.
//
// Checks the promises of the headers:
//   - GPT-2's pre-tokenizer cuts the text into non-empty pieces that cover every byte once,
//     in order (gpt2_pretokenizer.h);
//   - byte-level BPE: decode(encode(x)) == x for every byte string, with and without special
//     tokens allowed; ordinary encoding never produces a special token's id; each piece is
//     merged exactly as GPT-2's own loop would (bpe.h, bpe.cpp's merge_bytes);
//   - the character tokenizer: valid UTF-8 gives one id per code point of nfc(x), and
//     decode gives nfc(x) back with U+FFFD for the unknown characters; invalid UTF-8 is a
//     TokenizerError (char.h);
//   - the word tokenizer: one id per word of split_words, <unk> exactly for words outside
//     the vocabulary; invalid UTF-8 is a TokenizerError (word.h);
//   - WordPiece: ids in range, decode and encode_pair work; invalid UTF-8 is an error;
//   - any ids: decode succeeds exactly when all of them are in the vocabulary.
#include "tests/fuzz/fuzz.h"
#include "tests/fuzz/gpt2_reference.h"

#include "tokenizer/bpe.h"
#include "tokenizer/char.h"
#include "tokenizer/gpt2_pretokenizer.h"
#include "tokenizer/unicode.h"
#include "tokenizer/word.h"
#include "tokenizer/wordpiece.h"

#include <climits>
#include <cstring>
#include <map>

using namespace aprender::tokenizer;

namespace {

const char* kCorpus =
    "A Constituição da República Federativa do Brasil é a lei fundamental e suprema do Brasil. "
    "Ela serve de parâmetro de validade a todas as demais espécies normativas. Não há lei acima "
    "da constituição; a constituição não é só papel. O gato comeu o rato, e o rato não voltou.\n"
    "Hello world's 2024 tokens!! Ação, reação, nação, coração, canção? \xF0\x9F\x99\x82 (emoji)\n"
    "    indented line\twith tabs\r\n<|endoftext|>";

struct Tokenizers {
    CharTokenizer chars = CharTokenizer::train(kCorpus);
    WordTokenizer words = WordTokenizer::train(kCorpus, {.lowercase = true, .min_count = 1, .max_vocab = 40});
    BpeTokenizer bpe = BpeTokenizer::train(kCorpus, 256 + 1 + 200);
    // Two specials where one is a prefix of the other: the longest wins at a tie.
    BpeTokenizer bpe_specials = BpeTokenizer::train(kCorpus, 256 + 2 + 30, {.special_tokens = {"<|end|>", "<|end|>x"}});
    WordPieceTokenizer wordpiece = WordPieceTokenizer::train(kCorpus, 150);
    WordPieceTokenizer wordpiece_pt = WordPieceTokenizer::train(kCorpus, 150, {.lowercase = false, .strip_accents = false});
};
const Tokenizers& tokenizers() {
    static const Tokenizers t;
    return t;
}

// GPT-2's own merge loop (tests/fuzz/gpt2_reference.h), its ranks computed once per tokenizer.
std::vector<int32_t> gpt2_reference(const BpeTokenizer& tok, std::string_view piece) {
    static std::map<const BpeTokenizer*, fuzz::MergeRanks> ranks_of;
    auto& ranks = ranks_of[&tok];
    if (ranks.empty()) ranks = fuzz::merge_ranks(tok);
    return fuzz::gpt2_reference(tok, ranks, piece);
}

void check_bpe(const BpeTokenizer& tok, const std::string& text) {
    std::vector<std::string_view> pieces;
    gpt2_pretokenizer().split(text, pieces);
    size_t covered = 0;
    for (std::string_view p : pieces) {
        if (p.empty()) fuzz::fail("the pre-tokenizer returned an empty piece");
        if (p.data() != text.data() + covered) fuzz::fail("the pre-tokenizer's pieces skip or repeat bytes");
        covered += p.size();
        if (p.size() <= 512 && tok.merge_bytes(p) != gpt2_reference(tok, p))
            fuzz::fail("merge_bytes differs from GPT-2's merge loop");
    }
    if (covered != text.size()) fuzz::fail("the pre-tokenizer's pieces do not reach the end of the text");

    std::vector<int32_t> ids = tok.encode(text);
    if (tok.decode(ids) != text) fuzz::fail("BPE decode(encode(x)) != x");
    if (tok.encode(text) != ids) fuzz::fail("BPE encoded the same text twice differently (the cache?)");
    for (int32_t id : ids)
        for (const auto& s : tok.special_tokens())
            if (id == *tok.special_token_id(s)) fuzz::fail("ordinary BPE encoding produced a special token");
    if (tok.decode(tok.encode(text, true)) != text) fuzz::fail("BPE decode(encode(x, allow_special)) != x");
}

void check_char(const CharTokenizer& tok, const std::string& text, bool valid) {
    std::vector<int32_t> ids;
    bool ok = fuzz::expect_clean_error([&] { ids = tok.encode(text); });
    if (ok != valid) fuzz::fail(valid ? "the char tokenizer refused valid UTF-8" : "the char tokenizer accepted invalid UTF-8");
    if (!ok) return;
    std::vector<char32_t> cps = decode_utf8(nfc(text));
    if (ids.size() != cps.size()) fuzz::fail("the char tokenizer gave not one id per code point of nfc(x)");
    std::string expected;
    for (size_t i = 0; i < cps.size(); ++i) {
        const bool known = tok.token_to_id(encode_utf8(cps[i])).has_value();
        if (known != (ids[i] != tok.unk_id())) fuzz::fail("the char tokenizer's <unk> does not match the vocabulary");
        expected += known ? encode_utf8(cps[i]) : "\xEF\xBF\xBD";
    }
    if (tok.decode(ids) != expected) fuzz::fail("char decode(encode(x)) != nfc(x) with U+FFFD for unknown characters");
}

void check_word(const WordTokenizer& tok, const std::string& text, bool valid) {
    std::vector<int32_t> ids;
    bool ok = fuzz::expect_clean_error([&] { ids = tok.encode(text); });
    if (ok != valid) fuzz::fail(valid ? "the word tokenizer refused valid UTF-8" : "the word tokenizer accepted invalid UTF-8");
    if (!ok) return;
    std::vector<std::string> words = split_words(text, tok.lowercase());
    if (ids.size() != words.size()) fuzz::fail("the word tokenizer gave not one id per word");
    for (size_t i = 0; i < words.size(); ++i) {
        if (words[i].empty()) fuzz::fail("split_words returned an empty word");
        if (ids[i] != tok.token_to_id(words[i]).value_or(tok.unk_id())) fuzz::fail("a word got the wrong id");
    }
    if (!fuzz::expect_clean_error([&] { tok.decode(ids); })) fuzz::fail("the word tokenizer cannot decode its own ids");
}

void check_wordpiece(const WordPieceTokenizer& tok, const std::string& text, bool valid) {
    std::vector<int32_t> ids;
    bool ok = fuzz::expect_clean_error([&] { ids = tok.encode(text); });
    if (ok != valid) fuzz::fail(valid ? "WordPiece refused valid UTF-8" : "WordPiece accepted invalid UTF-8");
    if (!ok) return;
    for (int32_t id : ids)
        if (id < 0 || id >= tok.vocab_size()) fuzz::fail("WordPiece returned an id outside the vocabulary");
    if (!fuzz::expect_clean_error([&] { tok.decode(ids); })) fuzz::fail("WordPiece cannot decode its own ids");
    BertEncoding pair = tok.encode_pair(text, text);
    if (pair.ids.size() != 2 * ids.size() + 3 || pair.segment_ids.size() != pair.ids.size())
        fuzz::fail("encode_pair's ids do not frame the two encodings");
}

void check_ids(const Tokenizer& tok, const std::vector<int32_t>& ids) {
    bool in_range = true;
    for (int32_t id : ids) in_range &= id >= 0 && id < tok.vocab_size();
    bool decoded = fuzz::expect_clean_error([&] { tok.decode(ids); });
    if (decoded != in_range) fuzz::fail(in_range ? "decode refused ids in range" : "decode accepted an id out of range");
}

}  // namespace

FUZZ_SEEDS(const std::string& dir) {
    fuzz::write_seed(dir, "corpus", kCorpus);
    fuzz::write_seed(dir, "ascii", "Hello world's 2024!! It'll be   fine.\n\n");
    fuzz::write_seed(dir, "accents", "Ação e\xCC\x81 cafe\xCC\x81 \xC3\x89RAMOS \xE1\xBA\x9E \xC4\xB0stanbul");
    fuzz::write_seed(dir, "emoji", "\xF0\x9F\x91\x8D\xF0\x9F\x8F\xBD \xF0\x9F\x91\xA8\xE2\x80\x8D\xF0\x9F\x91\xA9 \xE4\xB8\xAD\xE6\x96\x87");
    fuzz::write_seed(dir, "invalid", "bad \xFF\xFE bytes \xC3 \xED\xA0\x80 \xC0\xAF end");
    fuzz::write_seed(dir, "specials", "a<|end|>b<|end|>x<|endoftext|><|end|");
    fuzz::write_seed(dir, "ids", std::string("\x00\x00\x00\x00\x05\x00\x00\x00\xFF\xFF\xFF\xFF", 12));
}

FUZZ_TARGET(const std::string& bytes) {
    const Tokenizers& t = tokenizers();
    const bool valid = is_valid_utf8(bytes);
    check_bpe(t.bpe, bytes);
    check_bpe(t.bpe_specials, bytes);
    check_char(t.chars, bytes, valid);
    check_word(t.words, bytes, valid);
    check_wordpiece(t.wordpiece, bytes, valid);
    check_wordpiece(t.wordpiece_pt, bytes, valid);

    std::vector<int32_t> ids(bytes.size() / 4);
    if (!ids.empty()) std::memcpy(ids.data(), bytes.data(), ids.size() * 4);
    // Small ids are the interesting ones: also try each byte as an id.
    std::vector<int32_t> small(bytes.begin(), bytes.begin() + std::min<size_t>(bytes.size(), 64));
    for (const Tokenizer* tok : std::initializer_list<const Tokenizer*>{&t.chars, &t.words, &t.bpe, &t.wordpiece}) {
        check_ids(*tok, ids);
        check_ids(*tok, small);
    }
}
