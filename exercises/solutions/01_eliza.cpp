// Reference solution of exercise 1 (instructors only; not in the student kit).
#include "exercises/01_eliza/deixa_rule.h"

namespace aprender::exercises {

// Parts: (1) the cause, (2) "me", (3) "deixa", (4) the feeling, (5) the rest. Rank 9
// beats the /sentimento key (4), which would answer "Por que você está triste?".
std::string deixa_rule() {
    return R"(
key: deixa 9
  decomp: 0 me deixa /sentimento 0
    reasmb: Por que (1) deixa você (4)?
    reasmb: O que em (1) faz você se sentir (4)?
    reasmb: Você sempre fica (4) por causa de (1)?
  decomp: 0 me deixa 0
    reasmb: Como (1) deixa você (4)?
)";
}

}  // namespace aprender::exercises
