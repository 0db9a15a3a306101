// Exercise 1 — ELIZA: a rule that keeps the cause. Statement: README.md in this folder.
#pragma once

#include <string>

namespace aprender::exercises {

// A fragment of ELIZA script (the format documented at the top of data/eliza/pt.eliza):
// one `key:` with its `decomp:` and `reasmb:` lines. The checks append it to
// data/eliza/pt.eliza and talk to the result.
std::string deixa_rule();

}  // namespace aprender::exercises
