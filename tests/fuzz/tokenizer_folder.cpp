// Fuzz target: a tokenizer folder, as `aprender tokenize`, `train` and the tutorials load one.
//
// Feeds in: several files in one input (fuzz::split_files): tokenizer.json (the kind and
// its options: char, word, bpe, wordpiece), vocab.json + merges.txt (byte-level BPE, the
// same formats as GPT-2's encoder.json + vocab.bpe) and vocab.txt (WordPiece). The folder
// goes through tokenizer::load(dir) and each kind's own load(dir), and its files through
// BpeTokenizer::load_gpt2 and WordPieceTokenizer::load_vocab_txt directly.
//
// Checks, for any bytes: every load succeeds or throws one of our errors. A tokenizer that
// loads must then behave: encoding a few fixed texts (ASCII, Portuguese, emoji, decomposed
// accents, invalid UTF-8) and decoding ids in and out of range give results or clean
// errors; byte-level BPE round-trips every text exactly (bpe.h's promise) and merges as
// GPT-2 does (when the merges come in the order training makes them); the ids it
// returns are in range; and save() writes a folder that loads back into a tokenizer that
// encodes the same way (a file we accept once must stay acceptable after we rewrite it).
#include "tests/fuzz/fuzz.h"
#include "tests/fuzz/gpt2_reference.h"

#include "tokenizer/bpe.h"
#include "tokenizer/char.h"
#include "tokenizer/gpt2_pretokenizer.h"
#include "tokenizer/word.h"
#include "tokenizer/wordpiece.h"

#include <climits>
#include <filesystem>
#include <map>
#include <set>

using namespace aprender::tokenizer;

namespace {

const char* const kTexts[] = {
    "Hello, world! It's 2024.",
    "A Constituição não é só papel: ação, coração.",
    "e\xCC\x81 cafe\xCC\x81 (decomposed accents)",
    "emoji \xF0\x9F\x99\x82 \xF0\x9F\x91\x8D\xF0\x9F\x8F\xBD and <|endoftext|> [CLS] <unk>",
    "invalid \xFF\xFE UTF-8 \xC3",
    "",
};

// Files in `dir`, as one fuzz input (for the seeds).
std::string folder_as_input(const std::string& dir) {
    fuzz::Files files;
    for (const auto& entry : std::filesystem::directory_iterator(dir))
        files[entry.path().filename().string()] = fuzz::read_file(entry.path().string());
    return fuzz::join_files(files);
}

// bpe.cpp's merge_bytes gives GPT-2's result when every merge joins tokens that are single
// bytes or made by an earlier merge (as in every trained file); check that on the texts.
void check_gpt2_order(const BpeTokenizer& tok) {
    std::set<std::string> made;
    for (int b = 0; b < 256; ++b) made.insert(std::string(1, static_cast<char>(b)));
    for (auto [a, b] : tok.merges()) {
        if (!made.count(tok.id_to_token(a)) || !made.count(tok.id_to_token(b))) return;  // no promise
        made.insert(tok.id_to_token(a) + tok.id_to_token(b));
    }
    const fuzz::MergeRanks ranks = fuzz::merge_ranks(tok);  // GPT-2's own loop: tests/fuzz/gpt2_reference.h
    for (const char* text : kTexts) {
        std::vector<std::string_view> pieces;
        gpt2_pretokenizer().split(text, pieces);
        for (std::string_view p : pieces)
            if (tok.merge_bytes(p) != fuzz::gpt2_reference(tok, ranks, p))
                fuzz::fail("merge_bytes differs from GPT-2's merge loop");
    }
}

// What every tokenizer that loaded must do with the fixed texts and some ids.
std::vector<std::vector<int32_t>> exercise(const Tokenizer& tok) {
    const int64_t n = tok.vocab_size();
    std::vector<std::vector<int32_t>> encodings;
    for (const char* text : kTexts) {
        std::vector<int32_t> ids;
        if (!fuzz::expect_clean_error([&] { ids = tok.encode(text); })) {
            if (tok.type() == "bpe") fuzz::fail("byte-level BPE refused to encode a text");
            encodings.push_back({-1});  // "refused", compared after the save/load round trip
            continue;
        }
        for (int32_t id : ids)
            if (id < 0 || id >= n) fuzz::fail("encode returned an id outside the vocabulary");
        std::string back;
        fuzz::expect_clean_error([&] { back = tok.decode(ids); });
        if (tok.type() == "bpe" && back != text) fuzz::fail("BPE decode(encode(x)) != x");
        encodings.push_back(std::move(ids));
    }
    if (const auto* bpe = dynamic_cast<const BpeTokenizer*>(&tok)) {
        check_gpt2_order(*bpe);
        for (const char* text : kTexts) {  // special tokens allowed: still exact
            std::vector<int32_t> ids = bpe->encode(text, true);
            if (bpe->decode(ids) != text) fuzz::fail("BPE decode(encode(x, allow_special)) != x");
        }
    }
    if (const auto* wp = dynamic_cast<const WordPieceTokenizer*>(&tok))
        for (const char* text : kTexts) fuzz::expect_clean_error([&] { wp->encode_pair(text, text); });
    // Ids: every valid one (up to a few hundred) decodes; invalid ones are clean errors.
    std::vector<int32_t> valid;
    for (int32_t id = 0; id < std::min<int64_t>(n, 300); ++id) valid.push_back(id);
    if (!fuzz::expect_clean_error([&] { tok.decode(valid); })) fuzz::fail("decode refused ids inside the vocabulary");
    for (int32_t id : valid) {
        std::string t;
        if (!fuzz::expect_clean_error([&] { t = tok.id_to_token(id); })) fuzz::fail("id_to_token refused a valid id");
        fuzz::expect_clean_error([&] { tok.token_to_id(t); });
    }
    for (int64_t bad : {int64_t{-1}, n, int64_t{INT32_MAX}, int64_t{INT32_MIN}}) {
        if (bad < INT32_MIN || bad > INT32_MAX) continue;
        const auto id = static_cast<int32_t>(bad);
        if (fuzz::expect_clean_error([&] { tok.decode({0, id}); })) fuzz::fail("decode accepted an id outside the vocabulary");
        if (fuzz::expect_clean_error([&] { tok.id_to_token(id); })) fuzz::fail("id_to_token accepted an id outside the vocabulary");
    }
    return encodings;
}

// save() then load() must give a tokenizer that encodes like the one saved.
void check_save_and_reload(const Tokenizer& tok) {
    const std::string again = fuzz::scratch_dir() + "/saved";
    std::unique_ptr<Tokenizer> reloaded;
    if (!fuzz::expect_clean_error([&] { tok.save(again); })) fuzz::fail("save() refused a tokenizer that loaded");
    if (!fuzz::expect_clean_error([&] { reloaded = load(again); })) fuzz::fail("a folder written by save() does not load");
    if (reloaded->vocab_size() != tok.vocab_size()) fuzz::fail("save/load changed the vocabulary size");
    if (exercise(*reloaded) != exercise(tok)) fuzz::fail("save/load changed the encodings");
}

}  // namespace

FUZZ_SEEDS(const std::string& dir) {
    const std::string corpus = "A Constituição da República é a lei fundamental do Brasil. O gato comeu o rato!\n"
                               "Hello world's 2024 tokens, emoji \xF0\x9F\x99\x82.";
    const std::string tmp = fuzz::scratch_dir() + "/seed";
    auto seed = [&](const std::string& name, const Tokenizer& tok) {
        std::filesystem::remove_all(tmp);
        tok.save(tmp);
        fuzz::write_seed(dir, name, folder_as_input(tmp));
    };
    seed("char", CharTokenizer::train(corpus));
    seed("word", WordTokenizer::train(corpus, {.lowercase = true}));
    seed("bpe", BpeTokenizer::train(corpus, 256 + 1 + 40));
    seed("bpe-no-specials", BpeTokenizer::train(corpus, 256 + 20, {.special_tokens = {}}));
    seed("wordpiece", WordPieceTokenizer::train(corpus, 120, {.lowercase = true, .strip_accents = false}));
    seed("wordpiece-cased", WordPieceTokenizer::train(corpus, 100, {.lowercase = false}));
}

FUZZ_TARGET(const std::string& bytes) {
    fuzz::Files files = fuzz::split_files(bytes);
    files.erase("saved");  // the name check_save_and_reload writes to
    const std::string dir = fuzz::write_folder(files);
    std::unique_ptr<Tokenizer> tok;
    if (fuzz::expect_clean_error([&] { tok = load(dir); })) {
        exercise(*tok);
        check_save_and_reload(*tok);
    }
    // Each kind's own load(), which a program may call without tokenizer::load's checks first.
    fuzz::expect_clean_error([&] { CharTokenizer::load(dir); });
    fuzz::expect_clean_error([&] { WordTokenizer::load(dir); });
    fuzz::expect_clean_error([&] { BpeTokenizer::load(dir); });
    fuzz::expect_clean_error([&] { WordPieceTokenizer::load(dir); });
    // The standard files on their own, as they come from Hugging Face or OpenAI.
    if (std::filesystem::exists(dir + "/vocab.json") || std::filesystem::exists(dir + "/merges.txt")) {
        std::optional<BpeTokenizer> bpe;
        if (fuzz::expect_clean_error([&] { bpe.emplace(BpeTokenizer::load_gpt2(dir + "/vocab.json", dir + "/merges.txt")); })) {
            exercise(*bpe);
            check_save_and_reload(*bpe);
        }
    }
    if (std::filesystem::exists(dir + "/vocab.txt")) {
        std::optional<WordPieceTokenizer> wp;
        if (fuzz::expect_clean_error([&] { wp.emplace(WordPieceTokenizer::load_vocab_txt(dir + "/vocab.txt", bytes.size() % 2, std::nullopt)); })) {
            exercise(*wp);
            check_save_and_reload(*wp);
        }
    }
}
