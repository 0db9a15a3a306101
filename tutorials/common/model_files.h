// model_files.h — where a tutorial saves a trained model without losing an earlier one.
//
// 06, 07 and 08 save models that cost minutes (07 --full: ten) and that later tutorials read
// (07's base.safetensors is the base of 08 and 10). Each such file records in its metadata
// the settings that made it: "made_by" (the command, "07_gpt --full"), "steps" and "seed". A
// run with the same settings makes the same model — a rerun, as `make tour` does — and
// replaces it without a question. A run with other settings does not: the file there stays
// (the tutorials after it go on reading it), and this run saves its own in a folder named
// after its settings beside it (out/07_gpt/quick-400steps-seed42/), which it says before its
// first step and again where it saves. --force replaces the file instead.
//
//   tut::ModelSettings s{"07_gpt --full", 2000, t.options().seed};
//   auto dest = tut::model_destination(t, {"base.safetensors"}, s);   // before the first step
//   ...
//   save(dest.folder / "base.safetensors", ..., s.metadata());
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "nn/safetensors.h"
#include "tutorials/common/runner.h"

namespace aprender::tutorial {

struct ModelSettings {
    std::string made_by;  // the command that makes the same model: "07_gpt --full", "06_bert"
    int64_t steps = 0;
    uint64_t seed = 0;

    nn::Metadata metadata() const;  // {"made_by", "steps", "seed"}
    std::string text(Lang lang) const;  // "07_gpt --full, 2000 steps, seed 42"
    std::string folder() const;     // "full-2000steps-seed42" ("default-..." without a mode flag)
};

// --force, for the TutorialInfo of a tutorial that calls model_destination.
Flag force_flag();

struct ModelDestination {
    std::filesystem::path folder;  // where to save: --out, or --out/<settings.folder()>
    bool aside = false;            // a file made otherwise stays in --out
    std::filesystem::path kept;    // that file
    std::string kept_by;           // what made it, in words: "07_gpt --full, 2000 steps, seed 42"
};

// Where this run saves `files` (names inside --out, all saved together): --out when none of
// them is there, when each one there was made with the same settings, or with --force; else
// beside them, in --out/<settings.folder()>, said now (a line before the first step).
ModelDestination model_destination(Tutorial& t, const std::vector<std::string>& files, const ModelSettings& settings);

}  // namespace aprender::tutorial
