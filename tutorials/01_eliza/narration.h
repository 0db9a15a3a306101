// narration.h — every word 01_eliza says, in English and Portuguese, in one place.
// The lecture's example sentences are Portuguese in both languages (they are the data).
#pragma once

#include "tutorials/common/narration.h"

namespace aprender::tutorial::eliza_narration {

inline constexpr Text title{"ELIZA — rules (1966)", "ELIZA — regras (1966)"};
inline constexpr Text summary{
    "Weizenbaum's ELIZA, run on a Portuguese script: keywords with ranks, decomposition "
    "patterns, reassembly rules that cycle, reflections that conjugate, a memory, and the "
    "limitation the lecture shows. The scripts are data files in data/eliza/.",
    "A ELIZA de Weizenbaum, rodando num roteiro em português: palavras-chave com prioridade, "
    "padrões de decomposição, regras de remontagem que se alternam, reflexões que conjugam, "
    "uma memória e a limitação mostrada na aula. Os roteiros são arquivos em data/eliza/."};

inline constexpr Text flag_trace{"show how every reply was made (keyword, rule, parts)",
                                 "mostra como cada resposta foi feita (palavra-chave, regra, partes)"};
inline constexpr Text flag_chat{"talk to ELIZA (an empty line or 'tchau'/'bye' ends)",
                                "conversa com a ELIZA (linha vazia ou 'tchau'/'bye' encerra)"};
inline constexpr Text flag_script{"use this script file instead of data/eliza/<lang>.eliza",
                                  "usa este roteiro em vez de data/eliza/<idioma>.eliza"};
inline constexpr Text flag_say{"answer one sentence and exit", "responde a uma frase e sai"};

inline constexpr Step intro{
    {"Rules: a program that only follows a script", "Regras: um programa que só segue um roteiro"},
    {"In 1966 Joseph Weizenbaum's ELIZA talked like a psychotherapist without understanding a "
     "word. Everything it says comes from a script: keywords, patterns that cut the sentence "
     "into parts, and templates that put the parts back. Our script is {} ({} keywords, {} tag "
     "classes, {} reflections).",
     "Em 1966 a ELIZA de Joseph Weizenbaum conversava como uma psicoterapeuta sem entender uma "
     "palavra. Tudo o que ela diz vem de um roteiro: palavras-chave, padrões que cortam a frase "
     "em partes e moldes que juntam as partes de novo. Nosso roteiro é {} ({} palavras-chave, "
     "{} classes de palavras, {} reflexões)."}};

inline constexpr Step lecture_example{
    {"The lecture's example", "O exemplo da aula"},
    {"The rule list of the slide: the pronoun rule \"Eu → Você\" and a list of feelings. "
     "In Portuguese the verb must follow the pronoun, so the reflection conjugates: "
     "\"eu estou\" → \"você está\".",
     "A lista de regras do slide: a regra de pronomes \"Eu → Você\" e uma lista de sentimentos. "
     "Em português o verbo acompanha o pronome, então a reflexão conjuga: "
     "\"eu estou\" → \"você está\"."}};

inline constexpr Step how_it_fired{
    {"How the rule fired", "Como a regra disparou"},
    {"The trace of that reply: the keystack (keywords found, highest rank on top), the "
     "decomposition pattern that matched, the parts it cut, and the reassembly chosen.",
     "O rastro daquela resposta: a pilha de palavras-chave (a de maior prioridade no topo), o "
     "padrão de decomposição que casou, as partes que ele cortou e a remontagem escolhida."}};

inline constexpr Step feelings{
    {"The list of feelings", "A lista de sentimentos"},
    {"The slide's \"Lista de Sentimentos\" is a tag class: /sentimento in a pattern matches "
     "any of these words.",
     "A \"Lista de Sentimentos\" do slide é uma classe de palavras: /sentimento num padrão casa "
     "com qualquer uma destas palavras."}};

inline constexpr Step cycling{
    {"Reassemblies cycle", "As remontagens se alternam"},
    {"Say the same thing three times: each use of a rule takes its next reassembly, so ELIZA "
     "seems less mechanical than it is.",
     "Diga a mesma coisa três vezes: cada uso de uma regra pega a próxima remontagem, e a ELIZA "
     "parece menos mecânica do que é."}};

inline constexpr Step memory{
    {"Memory", "Memória"},
    {"When \"minha\" is the top keyword, ELIZA also stores a remark for later. When nothing "
     "matches, it brings the memory back instead of a vague \"Continue\".",
     "Quando \"minha\" é a palavra-chave do topo, a ELIZA guarda também um comentário para depois. "
     "Quando nada casa, ela traz a memória de volta em vez de um vago \"Continue\"."}};

inline constexpr Step limitation{
    {"The limitation: no rule, no understanding", "A limitação: sem regra, sem entendimento"},
    {"The lecture: \"Não funcionam se não houver as regras explícitas\". The feeling word "
     "fires a rule; the cause of the feeling is part (1), which no reassembly of the built-in "
     "script cites.",
     "A aula: \"Não funcionam se não houver as regras explícitas\". A palavra de sentimento "
     "dispara uma regra; a causa do sentimento é a parte (1), que nenhuma remontagem do roteiro "
     "embutido cita."}};

inline constexpr Step english{
    {"The same engine, an English script", "O mesmo motor, um roteiro em inglês"},
    {"Nothing in the engine is Portuguese: a DOCTOR-style English script (data/eliza/en.eliza) "
     "gives an English ELIZA.",
     "Nada no motor é português: um roteiro em inglês no estilo do DOCTOR (data/eliza/en.eliza) "
     "faz uma ELIZA em inglês."}};

inline constexpr Step chat{
    {"Chat", "Conversa"},
    {"Type a sentence and press Enter. An empty line or a quit word ({}) ends the chat.",
     "Digite uma frase e tecle Enter. Uma linha vazia ou uma palavra de saída ({}) encerra."}};

inline constexpr Text user{"You", "Você"};
inline constexpr Text cause_ignored{
    "The cause \"{}\" was matched as part (1) and thrown away: ELIZA has no rule about grades.",
    "A causa \"{}\" casou como parte (1) e foi descartada: a ELIZA não tem regra sobre notas."};
inline constexpr Text cause_echoed{
    "This script's reassembly cites part (1), so the cause \"{}\" is echoed back: repeated, still "
    "not understood.",
    "A remontagem deste roteiro cita a parte (1), então a causa \"{}\" volta ecoada: repetida, "
    "ainda sem entendimento."};
inline constexpr Text memory_stored{"memory stored:", "memória guardada:"};  // then the sentence, quoted
inline constexpr Text outro{
    "Try it: build/tutorials/01_eliza --chat --trace",
    "Experimente: build/tutorials/01_eliza --chat --trace"};

// Trace labels.
inline constexpr Text t_words{"words", "palavras"};
inline constexpr Text t_keystack{"keystack", "pilha"};
inline constexpr Text t_keyword{"keyword", "palavra-chave"};
inline constexpr Text t_rank{"rank", "prioridade"};
inline constexpr Text t_links{"links", "ligações"};
inline constexpr Text t_decomp{"decomposition", "decomposição"};
inline constexpr Text t_line{"line", "linha"};
inline constexpr Text t_parts{"parts", "partes"};
inline constexpr Text t_reasmb{"reassembly", "remontagem"};
inline constexpr Text t_memory{"memory", "memória"};
inline constexpr Text t_of{"of", "de"};
inline constexpr Text t_source{"answered by", "respondido por"};
inline constexpr Text t_src_keyword{"a keyword rule", "uma regra de palavra-chave"};
inline constexpr Text t_src_memory{"the MEMORY queue", "a fila de MEMÓRIA"};
inline constexpr Text t_src_none{"NONE (no rule of these keywords matched)",
                                 "NONE (nenhuma regra destas palavras-chave casou)"};
// With no keyword in the input (Weizenbaum 1966: "a content-free remark" or an earlier
// transformation from MEMORY).
inline constexpr Text t_none_is_keyword{"(none is a keyword)", "(nenhuma é palavra-chave)"};
inline constexpr Text t_no_keyword{"no keyword matched", "nenhuma palavra-chave casou"};
inline constexpr Text t_src_none_no_keyword{
    "NONE: with no keyword, ELIZA falls back to a generic reply, as Weizenbaum's did",
    "NONE: sem palavra-chave, a ELIZA recorre a uma resposta genérica, como a de Weizenbaum"};
inline constexpr Text t_src_memory_no_keyword{
    "the MEMORY queue: with no keyword, ELIZA brings back an earlier remark before any generic "
    "reply, as Weizenbaum's did",
    "a fila de MEMÓRIA: sem palavra-chave, a ELIZA traz de volta um comentário anterior antes de "
    "qualquer resposta genérica, como a de Weizenbaum"};

}  // namespace aprender::tutorial::eliza_narration
