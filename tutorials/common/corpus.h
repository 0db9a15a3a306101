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
// committed data lives beside them in data/ (data/lecture/, data/eliza/).
//
//   auto train = load_corpus("general", "train");          // throws CorpusMissing
//   auto text  = load_corpus_or("general", "train", "lecture/frases.txt");  // falls back
//   if (!text.real) t.say(narration::using_fallback, text.note);
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
    std::string name;             // "general", or the fallback file's name
    std::string split;            // "train" | "val" | "test"
    std::filesystem::path path;   // the file read
    std::string text;             // its contents, valid UTF-8
    bool real = true;             // false: the committed fallback was used
    std::string note;             // why the fallback was used (the CorpusMissing message)
};

// The names load_corpus accepts.
const std::vector<std::string>& corpus_names();

// The project's data/ folder: $APRENDER_DATA if set, else the first data/ found walking up
// from the current directory, else the one beside the executable (build/tutorials/../../data).
std::filesystem::path data_dir();

std::filesystem::path corpus_path(std::string_view name, std::string_view split);

// Read one split of a real corpus. Unknown names/splits are std::invalid_argument;
// a file that is not there is CorpusMissing ("run make data ..."); bad UTF-8 is
// std::runtime_error naming the file and byte offset.
CorpusText load_corpus(std::string_view name, std::string_view split);

// load_corpus, or when the corpus is missing, the committed file data/<fallback> (with
// real = false and note = the reason). The fallback itself missing is an error.
CorpusText load_corpus_or(std::string_view name, std::string_view split, std::string_view fallback);

// Read a committed data file, data/<relative>; std::runtime_error when it is missing.
std::string read_data_file(std::string_view relative);
std::filesystem::path data_file(std::string_view relative);

// Read any UTF-8 text file (checked), with an error naming the path.
std::string read_text_file(const std::filesystem::path& path);

// The lines of a text that are not empty (a corpus holds one paragraph per line).
std::vector<std::string> nonempty_lines(const std::string& text);

}  // namespace aprender::tutorial
