// corpus.h — where the tutorials find their text.
//
// Real corpora (built by `make data`, see scripts/data.sh and data/SOURCES.md):
//
//   data/cache/corpora/general.{train,val,test}.txt     Guia Foca GNU/Linux (focalinux-text)
//   data/cache/corpora/tecnico.{train,val,test}.txt     pt_BR man pages (manpages-pt-br, -dev)
//   data/cache/corpora/financeiro.{train,val,test}.txt  KMyMoney handbook (kmymoney-common)
//
// UTF-8, one paragraph per line, split 90/5/5 deterministically. They are not committed;
// a missing corpus is a CorpusMissing error whose message says what to run. The small
// committed data lives beside them in data/ (data/lecture/, data/eliza/, data/bert/,
// data/word2vec/). Each tutorial says in its own words what it does without a corpus:
//
//   try {
//       auto train = load_corpus("general", "train");
//       ...
//   } catch (const CorpusMissing& e) {
//       // say e.what() (it names the file and `make data`), then use committed text
//       text = read_data_file("lecture/frases.txt");
//   }
#pragma once

#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace aprender::tutorial {

struct CorpusMissing : std::runtime_error {
    using std::runtime_error::runtime_error;
};

struct CorpusText {
    std::string name;             // "general", "tecnico", "financeiro"
    std::string split;            // "train" | "val" | "test"
    std::filesystem::path path;   // the file read
    std::string text;             // its contents, valid UTF-8
};

// The names load_corpus accepts.
const std::vector<std::string>& corpus_names();

// The project's data/ folder: $APRENDER_DATA if set, else the first data/ found walking up
// from the current directory, else from the executable's folder (data_dir.h).
std::filesystem::path data_dir();

std::filesystem::path corpus_path(std::string_view name, std::string_view split);

// Read one split of a real corpus. Unknown names/splits are std::invalid_argument;
// a file that is not there is CorpusMissing ("run make data ..."); bad UTF-8 is
// std::runtime_error naming the file and byte offset.
CorpusText load_corpus(std::string_view name, std::string_view split);

// Read a committed data file, data/<relative>; std::runtime_error when it is missing.
std::string read_data_file(std::string_view relative);
std::filesystem::path data_file(std::string_view relative);

// Read any UTF-8 text file (checked), with an error naming the path.
std::string read_text_file(const std::filesystem::path& path);

// The lines of a text that are not empty (a corpus holds one paragraph per line).
std::vector<std::string> nonempty_lines(const std::string& text);

}  // namespace aprender::tutorial
