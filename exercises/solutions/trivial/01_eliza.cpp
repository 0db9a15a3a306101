// A plausible wrong answer to exercise 1 (instructors only; the main suite checks that it fails): the lecture's rule, which drops the cause.
#include "exercises/01_eliza/deixa_rule.h"
namespace aprender::exercises { std::string deixa_rule() { return "key: deixa 9\n decomp: 0 me deixa /sentimento 0\n  reasmb: Por que você está (4)?\n"; } }
