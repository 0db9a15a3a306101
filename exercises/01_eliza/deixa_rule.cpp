// Exercise 1 — write the rule here. / Escreva a regra aqui.
#include "exercises/01_eliza/deixa_rule.h"

#include "exercises/exercise.h"

namespace aprender::exercises {

std::string deixa_rule() {
    // TODO(exercise 1): return a key with a decomposition that matches
    // "... me deixa <sentimento> ..." and reassemblies that cite the CAUSE (what comes
    // before "me deixa") and the feeling. A raw string keeps the script readable:
    //
    //     return R"(
    //     key: WORD RANK
    //       decomp: PATTERN
    //         reasmb: TEXT with (n)
    //     )";
    throw APRENDER_TODO(1, "deixa_rule");
}

}  // namespace aprender::exercises
