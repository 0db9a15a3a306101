// Fuzz target: training every kind of tokenizer on arbitrary text.
//
// Feeds in: the first byte picks the options (how many merges, lower-casing, accents, the
// word tokenizer's min_count and max_vocab); the rest is the training corpus, at most 4 KB
// (training is linear-ish, but each input must stay well under a second under ASan).
//
// Checks, for any corpus: training succeeds or throws one of our errors (invalid UTF-8 is
// an error for every kind but byte-level BPE, which takes any bytes); a trained tokenizer
// encodes its own training text with no unknown token and round-trips it:
//   - BPE: decode(encode(corpus)) == corpus, at most the vocabulary size asked for;
//   - char: decode(encode(corpus)) == nfc(corpus);
//   - word: one id per word of split_words, none of them <unk> (with min_count 1 and no
//     max_vocab);
//   - WordPiece: decode(encode(corpus)) is the corpus's words (bert_basic_tokenize) joined
//     by spaces, when no word is longer than the 100 characters WordPiece accepts;
// and save() + load() give a tokenizer that encodes the corpus the same way.
#include "tests/fuzz/fuzz.h"

#include "tokenizer/bert_basic.h"
#include "tokenizer/bpe.h"
#include "tokenizer/char.h"
#include "tokenizer/unicode.h"
#include "tokenizer/word.h"
#include "tokenizer/wordpiece.h"

#include <filesystem>
#include <optional>
#include <set>

using namespace aprender::tokenizer;

namespace {

// save() then load(): the same ids for the training text.
void check_reload(const Tokenizer& tok, std::string_view corpus) {
    const std::string dir = fuzz::write_folder({});
    if (!fuzz::expect_clean_error([&] { tok.save(dir); })) fuzz::fail("save() refused a trained tokenizer");
    std::unique_ptr<Tokenizer> back;
    if (!fuzz::expect_clean_error([&] { back = load(dir); })) fuzz::fail("a trained tokenizer's folder does not load");
    if (back->vocab_size() != tok.vocab_size()) fuzz::fail("save/load changed the vocabulary size");
    if (back->encode(corpus) != tok.encode(corpus)) fuzz::fail("save/load changed the encoding of the training text");
}

void train_bpe(std::string_view corpus, int64_t merges) {
    const int64_t size = 256 + 1 + merges;
    std::optional<BpeTokenizer> tok;
    if (!fuzz::expect_clean_error([&] { tok.emplace(BpeTokenizer::train(corpus, size)); })) {
        if (!corpus.empty()) fuzz::fail("BPE training refused a non-empty corpus");
        return;
    }
    if (tok->vocab_size() > size) fuzz::fail("BPE training made more tokens than asked for");
    if (tok->decode(tok->encode(corpus)) != corpus) fuzz::fail("BPE decode(encode(corpus)) != corpus");
    check_reload(*tok, corpus);
}

void train_char(std::string_view corpus, bool valid) {
    std::optional<CharTokenizer> tok;
    if (!fuzz::expect_clean_error([&] { tok.emplace(CharTokenizer::train(corpus)); })) {
        if (valid && !corpus.empty()) fuzz::fail("char training refused a valid corpus");
        return;
    }
    if (!valid) fuzz::fail("char training accepted invalid UTF-8");
    std::vector<int32_t> ids = tok->encode(corpus);
    for (int32_t id : ids)
        if (id == tok->unk_id()) fuzz::fail("a character of the training text is <unk>");
    if (tok->decode(ids) != nfc(corpus)) fuzz::fail("char decode(encode(corpus)) != nfc(corpus)");
    check_reload(*tok, corpus);
}

void train_word(std::string_view corpus, bool valid, const WordTrainOptions& options) {
    std::optional<WordTokenizer> tok;
    if (!fuzz::expect_clean_error([&] { tok.emplace(WordTokenizer::train(corpus, options)); })) {
        if (valid && !split_words(corpus).empty()) fuzz::fail("word training refused a corpus with words");
        return;
    }
    if (!valid) fuzz::fail("word training accepted invalid UTF-8");
    if (options.max_vocab > 0 && tok->vocab_size() > options.max_vocab) fuzz::fail("word training exceeded max_vocab");
    std::vector<int32_t> ids = tok->encode(corpus);
    if (ids.size() != split_words(corpus, options.lowercase).size()) fuzz::fail("not one id per word");
    if (options.min_count == 1 && options.max_vocab == 0)
        for (int32_t id : ids)
            if (id == tok->unk_id()) fuzz::fail("a word of the training text is <unk>");
    fuzz::expect_clean_error([&] { tok->decode(ids); });
    check_reload(*tok, corpus);
}

void train_wordpiece(std::string_view corpus, bool valid, int64_t extra, const WordPieceTrainOptions& options) {
    // The vocabulary must hold the specials and the alphabet: ask for that plus `extra`.
    std::vector<std::string> words;
    if (!fuzz::expect_clean_error([&] { words = bert_basic_tokenize(corpus, options.lowercase, options.strip_accents); })) {
        if (valid) fuzz::fail("bert_basic_tokenize refused valid UTF-8");
        if (fuzz::expect_clean_error([&] { WordPieceTokenizer::train(corpus, 1000, options); }))
            fuzz::fail("WordPiece training accepted invalid UTF-8");
        return;
    }
    std::set<std::string> alphabet;
    for (const auto& w : words) {
        bool first = true;
        for (char32_t cp : decode_utf8(w)) alphabet.insert((first ? "" : "##") + encode_utf8(cp)), first = false;
    }
    const auto size = static_cast<int64_t>(options.special_tokens.size() + alphabet.size()) + extra;
    std::optional<WordPieceTokenizer> tok;
    if (!fuzz::expect_clean_error([&] { tok.emplace(WordPieceTokenizer::train(corpus, size, options)); })) {
        if (!words.empty()) fuzz::fail("WordPiece training refused a corpus with words");
        return;
    }
    if (tok->vocab_size() > size) fuzz::fail("WordPiece training made more tokens than asked for");
    std::string joined;
    bool short_words = true;
    for (const auto& w : words) {
        joined += (joined.empty() ? "" : " ") + w;
        short_words &= decode_utf8(w).size() <= 100;
    }
    std::vector<int32_t> ids = tok->encode(corpus);
    if (short_words && tok->decode(ids) != joined)
        fuzz::fail("WordPiece decode(encode(corpus)) is not the corpus's words joined by spaces");
    check_reload(*tok, corpus);
}

}  // namespace

FUZZ_SEEDS(const std::string& dir) {
    fuzz::write_seed(dir, "pt", "\x2A" "A Constituição não é só papel. O gato comeu o rato, e o rato não voltou.");
    fuzz::write_seed(dir, "classic", "\x07" "aaabdaaabac aaabdaaabac");
    fuzz::write_seed(dir, "mixed", "\xC3" "Hello world's 2024!! \xF0\x9F\x99\x82 e\xCC\x81 \xE4\xB8\xAD\xE6\x96\x87 \t\n x");
    fuzz::write_seed(dir, "invalid", "\x10" "bad \xFF bytes \xC3");
    fuzz::write_seed(dir, "long-word", "\x55" + std::string(150, 'a') + " ab" + std::string(40, 'b'));
}

FUZZ_TARGET(const std::string& bytes) {
    if (bytes.empty() || bytes.size() > 4097) return;  // keep each input fast
    const auto options = static_cast<unsigned char>(bytes[0]);
    const std::string_view corpus = std::string_view(bytes).substr(1);
    const bool valid = is_valid_utf8(corpus);
    const int64_t merges = options & 0x3F;  // 0..63 merges

    train_bpe(corpus, merges);
    train_char(corpus, valid);
    const bool lowercase = options & 0x40;
    train_word(corpus, valid, {.lowercase = lowercase, .min_count = 1, .max_vocab = 0});
    train_word(corpus, valid, {.lowercase = !lowercase, .min_count = 1 + (options & 1), .max_vocab = merges == 1 ? 0 : merges});
    train_wordpiece(corpus, valid, merges, {.lowercase = lowercase, .strip_accents = (options & 0x80) != 0});
}
