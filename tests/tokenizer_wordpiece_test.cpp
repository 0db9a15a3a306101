// Tests for BERT's basic tokenizer and WordPiece: a tiny hand-made vocabulary always,
// and bert-base-uncased's real ids when scripts/fetch-tokenizer-files.sh has run.
#include <doctest/doctest.h>

#include "tokenizer/bert_basic.h"
#include "tokenizer/json_file.h"
#include "tokenizer/wordpiece.h"

#include <filesystem>
#include <fstream>

using namespace aprender::tokenizer;

namespace {

const std::string kBertVocab = "data/cache/tokenizers/bert/vocab.txt";
bool bert_files_present() { return std::filesystem::exists(kBertVocab); }

std::string temp_dir(const std::string& name) {
    auto dir = std::filesystem::temp_directory_path() / ("aprender_test_" + name);
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    return dir.string();
}

WordPieceTokenizer tiny() {
    return WordPieceTokenizer({"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "un", "##aff", "##able", "a", "##b", ",", "!"}, true);
}

}  // namespace

TEST_CASE("tokenizer: BERT basic tokenizer") {
    using V = std::vector<std::string>;
    CHECK(bert_basic_tokenize("Olá, MUNDO!  Constituição", true) == V{"ola", ",", "mundo", "!", "constituicao"});
    CHECK(bert_basic_tokenize("Olá, MUNDO!", false) == V{"Olá", ",", "MUNDO", "!"});
    CHECK(bert_basic_tokenize("日本語abc", true) == V{"日", "本", "語", "abc"});
    CHECK(bert_basic_tokenize("a$b\x01\tc", true) == V{"a", "$", "b", "c"});
    CHECK_THROWS_AS(bert_basic_tokenize("\xFF", true), TokenizerError);
}

TEST_CASE("tokenizer: BERT normaliser keeps accents with strip_accents = false") {
    using V = std::vector<std::string>;
    const std::string roma = "Roma é a capital da Itália";
    // Unset, strip_accents follows lowercase (bert-base-uncased): "é" (is) becomes "e" (and).
    CHECK(bert_basic_tokenize(roma, true) == V{"roma", "e", "a", "capital", "da", "italia"});
    CHECK(bert_basic_tokenize(roma, true, true) == V{"roma", "e", "a", "capital", "da", "italia"});
    CHECK(bert_basic_tokenize(roma, true, false) == V{"roma", "é", "a", "capital", "da", "itália"});
    CHECK(bert_basic_tokenize("Ação, você!", true, false) == V{"ação", ",", "você", "!"});
    CHECK(bert_basic_tokenize("Ação, você!", true) == V{"acao", ",", "voce", "!"});
    // Either option alone, as Hugging Face's BertNormalizer allows.
    CHECK(bert_basic_tokenize("Ação, você!", false, true) == V{"Acao", ",", "voce", "!"});
    CHECK(bert_basic_tokenize("Ação, você!", false) == V{"Ação", ",", "você", "!"});
    // Decomposed input (e + U+0301) is composed first, so it matches the composed vocabulary.
    CHECK(bert_basic_tokenize("e\u0301", true, false) == V{"é"});
}

TEST_CASE("tokenizer: WordPiece greedy longest match, UNK and pairs") {
    auto tok = tiny();
    CHECK(tok.tokenize("Unaffable!") == std::vector<std::string>{"un", "##aff", "##able", "!"});
    CHECK(tok.tokenize("abb, xyz") == std::vector<std::string>{"a", "##b", "##b", ",", "[UNK]"});
    CHECK(tok.decode(tok.encode("unaffable, ab")) == "unaffable , ab");
    auto e = tok.encode_pair("un", "ab");
    CHECK(e.ids == std::vector<int32_t>{2, 5, 3, 8, 9, 3});
    CHECK(e.segment_ids == std::vector<int32_t>{0, 0, 0, 1, 1, 1});
    WordPieceTokenizer short_words({"[UNK]", "a", "##a"}, true, 3);
    CHECK(short_words.tokenize("aaa aaaa") == std::vector<std::string>{"a", "##a", "##a", "[UNK]"});
    CHECK_THROWS_WITH_AS(tok.decode({12}), "unknown token id 12 (vocabulary has ids 0..11)", TokenizerError);
    CHECK_THROWS_AS(WordPieceTokenizer({"a", "b"}, true), TokenizerError);  // no [UNK]
}

TEST_CASE("tokenizer: WordPiece vocab.txt errors name the line") {
    auto dir = temp_dir("wp_bad");
    { std::ofstream(dir + "/vocab.txt") << "[UNK]\nfoo\n\nbar\n"; }
    CHECK_THROWS_WITH_AS(WordPieceTokenizer::load_vocab_txt(dir + "/vocab.txt"), doctest::Contains("vocab.txt:3: empty line"), TokenizerError);
    { std::ofstream(dir + "/vocab.txt") << "[UNK]\nfoo\nfoo\n"; }
    CHECK_THROWS_WITH_AS(WordPieceTokenizer::load_vocab_txt(dir + "/vocab.txt"), doctest::Contains("vocab.txt:3: token 'foo' already appeared on line 2"), TokenizerError);
    CHECK_THROWS_AS(WordPieceTokenizer::load_vocab_txt(dir + "/missing.txt"), TokenizerError);
}

TEST_CASE("tokenizer: WordPiece trainer makes a usable Portuguese vocabulary") {
    std::string corpus;
    for (int i = 0; i < 10; ++i)
        corpus += "A constituição garante a educação. A nação e a população pedem ação e atenção. "
                  "Constituições mudam; constitucional, constituinte.\n";
    auto tok = WordPieceTokenizer::train(corpus, 120, {.lowercase = false});
    auto again = WordPieceTokenizer::train(corpus, 120, {.lowercase = false});
    CHECK_THROWS_WITH_AS(WordPieceTokenizer::train(corpus, 120, {.lowercase = false, .min_frequency = 0}),
                         "min_frequency must be >= 1, got 0", TokenizerError);  // as the word tokenizer's min_count
    CHECK(tok.vocab_size() <= 120);
    CHECK(tok.vocab_size() == again.vocab_size());
    for (int32_t id = 0; id < tok.vocab_size(); ++id) CHECK(tok.id_to_token(id) == again.id_to_token(id));
    CHECK(tok.id_to_token(0) == "[PAD]");
    auto pieces = tok.tokenize("constituição");
    CHECK(pieces.size() <= 2);
    CHECK(tok.decode(tok.encode("A nação pede educação.")) == "A nação pede educação .");
    CHECK_THROWS_WITH_AS(WordPieceTokenizer::train(corpus, 10), doctest::Contains("smaller than the base alphabet"), TokenizerError);
    CHECK_THROWS_AS(WordPieceTokenizer::train("", 100), TokenizerError);
    auto dir = temp_dir("wp_save");
    tok.save(dir);
    auto back = load(dir);
    CHECK(back->type() == "wordpiece");
    CHECK(back->encode("A constituição") == tok.encode("A constituição"));
}

TEST_CASE("tokenizer: WordPiece strip_accents option, trained, saved and loaded") {
    std::string corpus;
    for (int i = 0; i < 10; ++i)
        corpus += "Roma é a capital da Itália. Você e eu vemos a ação e a nação. "
                  "É a educação, e é a ação que você vê.\n";
    auto kept = WordPieceTokenizer::train(corpus, 200, {.lowercase = true, .strip_accents = false});
    auto stripped = WordPieceTokenizer::train(corpus, 200);  // the default: bert-base-uncased's normaliser
    CHECK(kept.lowercase());
    CHECK_FALSE(kept.strip_accents());
    CHECK(stripped.strip_accents());
    using S = std::vector<std::string>;
    CHECK(kept.tokenize("Roma é a capital da Itália") == S{"roma", "é", "a", "capital", "da", "itália"});
    CHECK(stripped.tokenize("Roma é a capital da Itália") == S{"roma", "e", "a", "capital", "da", "italia"});
    CHECK(kept.tokenize("ação você") == S{"ação", "você"});
    CHECK(stripped.tokenize("ação você") == S{"acao", "voce"});
    CHECK(kept.encode("é") != kept.encode("e"));
    CHECK(stripped.encode("é") == stripped.encode("e"));
    CHECK_FALSE(kept.token_to_id("acao"));
    CHECK(kept.decode(kept.encode("É a ação.")) == "é a ação .");

    // Round trip: tokenizer.json says "strip_accents": false, and the loaded tokenizer keeps it.
    auto dir = temp_dir("wp_accents");
    kept.save(dir);
    auto json = read_json_file(dir + "/tokenizer.json");
    CHECK(json.at("lowercase") == true);
    CHECK(json.at("strip_accents") == false);
    auto back = WordPieceTokenizer::load(dir);
    CHECK_FALSE(back.strip_accents());
    CHECK(back.encode("Roma é a capital da Itália") == kept.encode("Roma é a capital da Itália"));
    CHECK(load(dir)->encode("ação") == kept.encode("ação"));

    // A tokenizer.json written before the option (no "strip_accents") loads as it did then:
    // accents stripped exactly when lower-casing. A null value (Hugging Face's "unset") too.
    json.erase("strip_accents");
    write_text_file(dir + "/tokenizer.json", json.dump(1) + "\n");
    auto old = WordPieceTokenizer::load(dir);
    CHECK(old.lowercase());
    CHECK(old.strip_accents());
    CHECK(old.encode("é") == old.encode("e"));
    json["lowercase"] = false;
    write_text_file(dir + "/tokenizer.json", json.dump(1) + "\n");
    CHECK_FALSE(WordPieceTokenizer::load(dir).strip_accents());
    json["lowercase"] = true;
    json["strip_accents"] = nullptr;
    write_text_file(dir + "/tokenizer.json", json.dump(1) + "\n");
    CHECK(WordPieceTokenizer::load(dir).strip_accents());
    json["strip_accents"] = "no";
    write_text_file(dir + "/tokenizer.json", json.dump(1) + "\n");
    CHECK_THROWS_WITH_AS(WordPieceTokenizer::load(dir), doctest::Contains("tokenizer.json"), TokenizerError);
}

TEST_CASE("tokenizer: bert-base-uncased ids are BERT's" * doctest::skip(!bert_files_present())) {
    auto bert = WordPieceTokenizer::load_vocab_txt(kBertVocab);
    using I = std::vector<int32_t>;
    CHECK(bert.vocab_size() == 30522);
    CHECK(bert.encode("Hello, my dog is cute") == I{7592, 1010, 2026, 3899, 2003, 10140});
    CHECK(bert.encode_pair("Hello, my dog is cute").ids == I{101, 7592, 1010, 2026, 3899, 2003, 10140, 102});
    CHECK(bert.encode("unaffable") == I{14477, 20961, 3468});
    CHECK(bert.encode("Olá, mundo! Constituição") == I{19330, 2050, 1010, 25989, 999, 9530, 16643, 8525, 5555, 2080});
    CHECK(bert.encode("The quick brown fox jumps over the lazy dog.") == I{1996, 4248, 2829, 4419, 14523, 2058, 1996, 13971, 3899, 1012});
    CHECK(*bert.token_to_id("[MASK]") == 103);
}
