// aprender tokenize — train a tokenizer, encode text to ids, decode ids, or show the cut.
//
//   aprender tokenize train  --type bpe --vocab-size 8000 --input corpus.txt --out tok/
//   aprender tokenize train  --type wordpiece --lowercase --keep-accents --input corpus.txt --out wp/
//   aprender tokenize encode --tokenizer tok/ --input corpus.txt --output train.bin
//   echo "A constituição" | aprender tokenize encode --tokenizer tok/ --show
//   echo "15496 995" | aprender tokenize decode --bpe-vocab encoder.json --bpe-merges vocab.bpe
//
// Text comes from --input or stdin. Ids are one line of space-separated numbers, or a token
// file when the path ends in .bin (the format `aprender train` reads, tokenizer/token_file.h).
#include "tools/cli.h"
#include "tools/model_store.h"
#include "tools/outputs.h"

#include "tokenizer/bpe.h"
#include "tokenizer/char.h"
#include "tokenizer/json_file.h"
#include "tokenizer/token_file.h"
#include "tokenizer/unicode.h"
#include "tokenizer/word.h"
#include "tokenizer/wordpiece.h"

#include <fmt/format.h>

#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <iterator>
#include <sstream>

#include <unistd.h>

using namespace aprender;
namespace tk = aprender::tokenizer;
namespace fs = std::filesystem;

namespace {

bool ends_with(const std::string& s, const std::string& suffix) {
    return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

bool from_stdin(const std::string& path) { return path.empty() || path == "-"; }
std::string input_name(const std::string& path) { return from_stdin(path) ? "the standard input" : path; }

std::string read_input(const std::string& path) {
    if (!from_stdin(path)) return tk::read_text_file(path);
    return std::string((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
}

// Text to train on or encode. Byte-level BPE could cut any bytes, but a text that is not
// UTF-8 is almost always the wrong file (Latin-1, a binary): said, with where it breaks.
std::string read_text_input(const std::string& path) {
    std::string text = read_input(path);
    cli::require_utf8(text, input_name(path));
    return text;
}

std::unique_ptr<tk::Tokenizer> open_tokenizer(const cli::Parser& p) {
    const std::string dir = p.str("--tokenizer"), vocab = p.str("--bpe-vocab"), merges = p.str("--bpe-merges");
    if (!vocab.empty() || !merges.empty()) {
        if (vocab.empty() || merges.empty()) throw cli::UsageError("aprender tokenize: --bpe-vocab and --bpe-merges go together");
        return std::make_unique<tk::BpeTokenizer>(tk::BpeTokenizer::load_gpt2(vocab, merges));
    }
    if (dir.empty()) throw cli::UsageError("aprender tokenize: give --tokenizer DIR (or --bpe-vocab and --bpe-merges)");
    return tk::load(dir);
}

// How a token looks on the terminal: its text if it is valid UTF-8, with invisible
// characters spelled out; partial UTF-8 bytes (BPE may cut "ç" in two) as <0xC3>.
std::string printable(const std::string& token) {
    std::string out;
    for (size_t pos = 0; pos < token.size();) {
        char32_t cp = 0;
        size_t n = tk::next_code_point(token, pos, &cp);
        if (n == 0) {
            out += fmt::format("<0x{:02X}>", static_cast<unsigned char>(token[pos++]));
            continue;
        }
        if (cp == U'\n') out += "\\n";
        else if (cp == U'\t') out += "\\t";
        else if (cp == U' ') out += "\u2423";  // ␣, so leading spaces of BPE tokens are seen
        else if (cp < 0x20 || cp == 0x7F) out += fmt::format("<0x{:02X}>", static_cast<unsigned>(cp));
        // bidirectional controls would reorder the rest of the line on the terminal
        else if ((cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069) || cp == 0x200E || cp == 0x200F)
            out += fmt::format("<U+{:04X}>", static_cast<unsigned>(cp));
        else out.append(token, pos, n);
        pos += n;
    }
    return out;
}

// Each token on a coloured band (alternating backgrounds), then the ids. Colours only on a
// terminal, and not when NO_COLOR is set (no-color.org): in a file or a pipe the escape
// codes would be noise, so the tokens are split by '│' instead.
void show(const tk::Tokenizer& tok, const std::vector<int32_t>& ids) {
    static const char* kBands[] = {"\x1b[30;48;5;153m", "\x1b[30;48;5;223m", "\x1b[30;48;5;157m", "\x1b[30;48;5;217m"};
    const char* no_color = std::getenv("NO_COLOR");
    const bool color = isatty(STDOUT_FILENO) == 1 && !(no_color && *no_color);
    std::string line;
    for (size_t i = 0; i < ids.size(); ++i) {
        if (color) line += fmt::format("{}{}\x1b[0m", kBands[i % 4], printable(tok.id_to_token(ids[i])));
        else line += (i ? "│" : "") + printable(tok.id_to_token(ids[i]));
    }
    fmt::print("{}\n", line);
    std::string id_line;
    for (size_t i = 0; i < ids.size(); ++i) id_line += fmt::format("{}{}", i ? " " : "", ids[i]);
    fmt::print("{} tokens: {}\n", ids.size(), id_line);
}

int train(const cli::Parser& p) {
    const std::string type = p.str("--type"), out = p.str("--out");
    if (out.empty()) throw cli::UsageError("aprender tokenize train: --out DIR is required");
    bool word_level = type == "word" || type == "wordpiece";
    p.applies_only(type != "char", {"--vocab-size"}, "to --type word, bpe or wordpiece (char's vocabulary is the text's characters)");
    p.applies_only(word_level, {"--min-count", "--lowercase"}, "to --type word or wordpiece");
    p.applies_only(type == "wordpiece", {"--keep-accents"}, "to --type wordpiece");
    // Checked before training: the folder may be a checkpoint's tokenizer (model.tokenizer/),
    // which a different vocabulary would silently break.
    cli::Outputs outs("aprender tokenize train", p.on("--force"));
    outs.reads("--input", p.str("--input"));
    outs.folder("--out", out, tk::folder_files());
    outs.check();
    const int64_t vocab_size = p.integer("--vocab-size");
    if (p.integer("--min-count") < 1)
        throw cli::UsageError("aprender tokenize train: --min-count must be ≥ 1 (1 keeps every word)");
    std::string corpus = read_text_input(p.str("--input"));
    std::unique_ptr<tk::Tokenizer> tok;
    if (type == "char") {
        tok = std::make_unique<tk::CharTokenizer>(tk::CharTokenizer::train(corpus));
    } else if (type == "word") {
        tok = std::make_unique<tk::WordTokenizer>(tk::WordTokenizer::train(
            corpus, {.lowercase = p.on("--lowercase"), .min_count = p.integer("--min-count"), .max_vocab = vocab_size}));
    } else if (type == "bpe") {
        tok = std::make_unique<tk::BpeTokenizer>(tk::BpeTokenizer::train(corpus, vocab_size, {.verbose = true}));
    } else if (type == "wordpiece") {
        tok = std::make_unique<tk::WordPieceTokenizer>(tk::WordPieceTokenizer::train(
            corpus, vocab_size,
            {.lowercase = p.on("--lowercase"),
             .strip_accents = p.on("--keep-accents") ? std::optional<bool>(false) : std::nullopt,  // unset: as lowercase
             .min_frequency = p.integer("--min-count")}));
    } else {
        throw cli::UsageError(fmt::format("aprender tokenize train: unknown --type '{}' (char, word, bpe or wordpiece)", type));
    }
    if (tok->vocab_size() <= static_cast<int64_t>(tok->special_tokens().size()))
        throw cli::UsageError(fmt::format("aprender tokenize train: no word is seen {} times or more: the vocabulary "
                                          "would hold only its special tokens (lower --min-count)",
                                          p.integer("--min-count")));
    // --force over another kind's folder: its files go first, or a stale merges.txt would
    // sit beside a char vocabulary. Only the files tokenizers write are removed.
    for (const auto& file : tk::folder_files()) fs::remove(fs::path(out) / file);
    tok->save(out);
    fmt::print("trained a {} tokenizer with {} tokens on {} bytes; saved in {}\n", type, tok->vocab_size(), corpus.size(), out);
    return 0;
}

int encode(const cli::Parser& p) {
    auto tok = open_tokenizer(p);
    const std::string output = p.str("--output");
    p.applies_only(tok->type() == "bpe", {"--allow-special"}, "to a BPE tokenizer");
    p.applies_only(!p.on("--show"), {"--output"}, "without --show (which prints the tokens)");
    cli::Outputs outs("aprender tokenize encode", p.on("--force"));  // checked before the work
    outs.reads("--input", p.str("--input"));
    outs.file("--output", output);
    outs.check();
    std::string text = read_text_input(p.str("--input"));
    std::vector<int32_t> ids;
    if (auto* bpe = dynamic_cast<tk::BpeTokenizer*>(tok.get())) ids = bpe->encode(text, p.on("--allow-special"));
    else ids = cli::encode_strict(*tok, text, input_name(p.str("--input")));
    if (p.on("--show")) {
        show(*tok, ids);
        return 0;
    }
    if (ends_with(output, ".bin")) {
        tk::write_token_file(output, ids, tok->vocab_size());
        fmt::print(stderr, "wrote {} tokens to {}\n", ids.size(), output);
        return 0;
    }
    std::string line;
    for (size_t i = 0; i < ids.size(); ++i) line += fmt::format("{}{}", i ? " " : "", ids[i]);
    line += "\n";
    if (output.empty()) fmt::print("{}", line);
    else tk::write_text_file(output, line);
    return 0;
}

int decode(const cli::Parser& p) {
    auto tok = open_tokenizer(p);
    const std::string input = p.str("--input");
    std::vector<int32_t> ids;
    if (ends_with(input, ".bin")) {
        ids = tk::read_token_file(input);
    } else {
        std::istringstream in(read_input(input));
        std::string word;
        for (size_t n = 1; in >> word; ++n) {
            size_t used = 0;
            long long v = 0;
            try {
                v = std::stoll(word, &used);
            } catch (const std::exception&) {
                used = 0;
            }
            if (used != word.size() || v < INT32_MIN || v > INT32_MAX)
                throw tk::TokenizerError(fmt::format("id number {} ('{}') is not an integer", n, word));
            ids.push_back(static_cast<int32_t>(v));
        }
    }
    if (p.on("--show")) show(*tok, ids);
    else fmt::print("{}", tok->decode(ids));
    return 0;
}

int run(int argc, char** argv) {
    cli::Parser p("aprender tokenize", "train a tokenizer, encode text to ids, decode ids back, or --show the tokens");
    p.positional("action", "train | encode | decode");
    p.option("--type", "KIND", "train: char, word, bpe or wordpiece", "bpe");
    p.option("--vocab-size", "N", "train: vocabulary size (word: maximum; 0 = no limit; char: not used, "
                                        "its vocabulary is the text's characters)", "8000");
    p.option("--min-count", "N", "train word/wordpiece: ignore words seen fewer times", "1");
    p.flag("--lowercase", "train word/wordpiece: lower-case the text (wordpiece also strips accents, as BERT-uncased)");
    p.flag("--keep-accents", "train wordpiece: keep accents even with --lowercase (\"é\" stays apart from \"e\"; for Portuguese)");
    p.option("--out", "DIR", "train: folder to save the tokenizer in", "");
    p.option("--tokenizer", "DIR", "encode/decode: a folder written by `tokenize train`", "");
    p.option("--bpe-vocab", "FILE", "encode/decode: GPT-2 encoder.json / HF vocab.json instead of --tokenizer", "");
    p.option("--bpe-merges", "FILE", "encode/decode: GPT-2 vocab.bpe / HF merges.txt (with --bpe-vocab)", "");
    p.option("--input", "FILE", "text (train/encode) or ids (decode: text, or a .bin token file); default stdin", "");
    p.option("--output", "FILE", "encode: write ids here; a .bin name writes a token file", "");
    p.flag("--show", "encode/decode: print each token on a coloured band (on a terminal; else split by │), then the ids");
    p.flag("--force", "train/encode: replace an existing --out folder or --output file");
    p.flag("--allow-special", "encode with BPE: turn special tokens such as <|endoftext|> in the text into their ids");
    if (!p.parse(argc, argv)) return 0;
    const std::string action = p.str("action");
    p.applies_only(action == "train", {"--type", "--vocab-size", "--min-count", "--lowercase", "--keep-accents", "--out"},
                   "to tokenize train");
    p.applies_only(action != "train", {"--tokenizer", "--bpe-vocab", "--bpe-merges", "--show"}, "to tokenize encode and decode");
    p.applies_only(action == "encode", {"--output", "--allow-special"}, "to tokenize encode (decode prints the text)");
    p.applies_only(action != "decode", {"--force"}, "to tokenize train and encode, which write files");
    if (action == "train") return train(p);
    if (action == "encode") return encode(p);
    if (action == "decode") return decode(p);
    throw cli::UsageError(fmt::format("aprender tokenize: unknown action '{}' (train, encode or decode)", action));
}

}  // namespace

static aprender::cli::Command cmd{"tokenize", "train a tokenizer, encode/decode text, show how words are cut", run};
