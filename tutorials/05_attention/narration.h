// narration.h — every word 05_attention says, in English and Portuguese, in one place.
#pragma once

#include "tutorials/common/narration.h"

namespace aprender::tutorial::attention_narration {

inline constexpr Text title{"Attention (2014-2017) — where to look", "Atenção (2014-2017) — para onde olhar"};
inline constexpr Text summary{
    "The four classic attention scores (additive, dot, general, scaled dot) on small vectors; why "
    "the 1/√d scaling (softmax entropy measured as d grows); a tiny transformer trained on the "
    "lecture's \"Tiramos nota máxima em TP558. Isso é incrível!\" and its learned attention, with "
    "the causal mask and every head shown.",
    "Os quatro escores clássicos de atenção (aditivo, produto escalar, \"general\", produto escalar "
    "escalado) em vetores pequenos; por que a escala 1/√d (entropia do softmax medida conforme d "
    "cresce); um transformer minúsculo treinado no \"Tiramos nota máxima em TP558. Isso é "
    "incrível!\" da aula e sua atenção aprendida, com a máscara causal e cada cabeça."};
inline constexpr Text flag_steps{"training steps of the tiny transformer (default 400; --quick 150)",
                                 "passos de treino do transformer minúsculo (padrão 400; --quick 150)"};

inline constexpr Step scores{
    {"Four ways to score a key against a query", "Quatro maneiras de pontuar uma chave diante de uma consulta"},
    {"A query q (\"é\", asking \"what happened?\") and four keys, 4-dimensional toy vectors. Bahdanau "
     "(2014) scores with a small network, vᵀ·tanh(W₁q + W₂k); Luong (2015) with a dot product q·k or "
     "a learned bilinear form qᵀWk (\"general\"); the Transformer (2017) with q·k/√d. W₁, W₂, W and v "
     "are random here (seed {}): what matters is the shape of the computation. Softmax turns each "
     "column of scores into weights that sum to 1.",
     "Uma consulta q (\"é\", perguntando \"o que aconteceu?\") e quatro chaves, vetores de brinquedo "
     "de 4 dimensões. Bahdanau (2014) pontua com uma pequena rede, vᵀ·tanh(W₁q + W₂k); Luong (2015) "
     "com o produto escalar q·k ou uma forma bilinear aprendida qᵀWk (\"general\"); o Transformer "
     "(2017) com q·k/√d. W₁, W₂, W e v são aleatórios aqui (semente {}): o que importa é a forma da "
     "conta. O softmax transforma cada coluna de escores em pesos que somam 1."}};
inline constexpr Text col_key{"key", "chave"};
// The four scores (Luong's "general" is a name, kept in Portuguese), then their softmax weights.
inline constexpr Text col_additive{"additive", "aditivo"};
inline constexpr Text col_dot{"dot", "produto"};
inline constexpr Text col_general{"general", "general"};
inline constexpr Text col_scaled{"scaled dot", "escalado"};
inline constexpr Text col_softmax_additive{"→ softmax: add.", "→ softmax: adit."};
inline constexpr Text col_softmax_dot{"dot", "prod."};
inline constexpr Text col_softmax_general{"gen.", "gen."};
inline constexpr Text col_softmax_scaled{"scaled", "escal."};

inline constexpr Step scaling{
    {"Why divide by √d?", "Por que dividir por √d?"},
    {"With random unit-variance q and k, q·k is a sum of d products: its spread grows like √d. "
     "Measured over {} random queries against {} keys each: the standard deviation of the scores and "
     "the entropy of the softmax (in bits; log2({}) = {:.0f} is a uniform spread, 0 is all weight on "
     "one key). Without the scaling the softmax saturates as d grows — one key takes everything and "
     "the gradient through the others vanishes; with it the entropy stays put.",
     "Com q e k aleatórios de variância 1, q·k é uma soma de d produtos: seu espalhamento cresce como "
     "√d. Medido em {} consultas aleatórias contra {} chaves cada: o desvio-padrão dos escores e a "
     "entropia do softmax (em bits; log2({}) = {:.0f} é espalhamento uniforme, 0 é todo o peso numa "
     "chave). Sem a escala o softmax satura conforme d cresce — uma chave leva tudo e o gradiente "
     "pelas outras some; com ela a entropia fica estável."}};
inline constexpr Text col_std_raw{"std q·k", "desvio q·k"};
inline constexpr Text col_std_scaled{"std q·k/√d", "desvio q·k/√d"};
inline constexpr Text col_h_raw{"entropy q·k", "entropia q·k"};
inline constexpr Text col_h_scaled{"entropy q·k/√d", "entropia q·k/√d"};
inline constexpr Text col_max_raw{"max weight q·k", "peso máx q·k"};
inline constexpr Text plot_title{"Softmax entropy vs dimension", "Entropia do softmax vs dimensão"};
inline constexpr Text plot_y{"entropy (bits)", "entropia (bits)"};
inline constexpr Text series_raw{"q·k", "q·k"};
inline constexpr Text series_scaled{"q·k/√d", "q·k/√d"};

inline constexpr Step task{
    {"A task that needs looking back", "Uma tarefa que exige olhar para trás"},
    {"Synthetic sentences (generated here from templates): someone got a grade somewhere, then "
     "\"isso é\" and a word that depends only on the grade: \"nota máxima / dez / alta\" → "
     "\"incrível\", \"nota baixa / zero / ruim\" → \"triste\". Subjects and places vary in length, so "
     "the grade is not at a fixed distance. {} training sentences, vocabulary {} words; the "
     "lecture's sentence (subject \"tiramos\" with \"em tp558\") and every sentence with that "
     "combination are held out: {} test sentences.",
     "Frases sintéticas (geradas aqui a partir de moldes): alguém tirou uma nota em algum lugar, "
     "depois \"isso é\" e uma palavra que depende só da nota: \"nota máxima / dez / alta\" → "
     "\"incrível\", \"nota baixa / zero / ruim\" → \"triste\". Sujeitos e lugares variam de tamanho, "
     "então a nota não fica a uma distância fixa. {} frases de treino, vocabulário de {} palavras; a "
     "frase da aula (sujeito \"tiramos\" com \"em tp558\") e toda frase com essa combinação ficam de "
     "fora: {} frases de teste."}};

inline constexpr Step train{
    {"Training a one-layer transformer", "Treinando um transformer de uma camada"},
    {"One causal self-attention layer with {} heads, width {}, {} parameters; only the word after "
     "\"é\" is scored. {} steps of AdamW.",
     "Uma camada de autoatenção causal com {} cabeças, largura {}, {} parâmetros; só a palavra "
     "depois de \"é\" é avaliada. {} passos de AdamW."}};
inline constexpr Text trained{"Loss {:.3f} → {:.4f}. Held-out accuracy: {}/{} ({:.0f}%).",
                              "Perda {:.3f} → {:.4f}. Acurácia nas frases de teste: {}/{} ({:.0f}%)."};

inline constexpr Step lecture{
    {"\"Tiramos nota máxima em TP558. Isso é ___\"", "\"Tiramos nota máxima em TP558. Isso é ___\""},
    {"The lecture's sentence, never seen in training. The model's next-word probabilities:",
     "A frase da aula, nunca vista no treino. As probabilidades da próxima palavra:"}};

inline constexpr Step where{
    {"Where does \"é\" look?", "Para onde \"é\" olha?"},
    {"The attention weights of the position \"é\" (averaged over heads): how much of each earlier "
     "word it mixes into its answer. Uniform attention would give each of the {0} words {1:.3f}.",
     "Os pesos de atenção da posição \"é\" (média das cabeças): quanto de cada palavra anterior ela "
     "mistura na sua resposta. Atenção uniforme daria {1:.3f} a cada uma das {0} palavras."}};
inline constexpr Text grade_weight{
    "Weight on \"nota máxima\": {:.3f} ({:.1f}× uniform). Changing \"máxima\" to \"baixa\" changes the "
    "prediction to \"{}\" (p = {:.3f}).",
    "Peso em \"nota máxima\": {:.3f} ({:.1f}× o uniforme). Trocar \"máxima\" por \"baixa\" muda a "
    "previsão para \"{}\" (p = {:.3f})."};

inline constexpr Text grade_weight_same{
    "Weight on \"nota máxima\": {:.3f} ({:.1f}× uniform). Changing \"máxima\" to \"baixa\" leaves the "
    "prediction at \"{}\" (p = {:.3f}): this small model has not learnt the difference.",
    "Peso em \"nota máxima\": {:.3f} ({:.1f}× o uniforme). Trocar \"máxima\" por \"baixa\" deixa a "
    "previsão em \"{}\" (p = {:.3f}): este modelo pequeno não aprendeu a diferença."};

inline constexpr Text attention_on_grade{"attention(é → nota máxima) = {:.3f}", "atenção(é → nota máxima) = {:.3f}"};

inline constexpr Step maps{
    {"The whole map, the causal mask, every head", "O mapa inteiro, a máscara causal, cada cabeça"},
    {"The mean of the heads: row = the position that asks, column = the word it looks at. "
     "Everything above the diagonal is zero: the causal mask forbids looking at the future (that is "
     "what lets a GPT generate). Each head has its own weights and may learn its own pattern: "
     "compare their rows of \"é\" below.",
     "A média das cabeças: linha = a posição que pergunta, coluna = a palavra para a qual olha. Tudo "
     "acima da diagonal é zero: a máscara causal proíbe olhar o futuro (é isso que permite a um GPT "
     "gerar). Cada cabeça tem seus próprios pesos e pode aprender seu próprio padrão: compare as "
     "linhas de \"é\" de cada uma abaixo."}};
inline constexpr Text head_label{"head {} (the row of \"é\"):", "cabeça {} (a linha de \"é\"):"};
inline constexpr Text checks{
    "Checks: every row sums to 1 (largest |Σ − 1| = {:.1e}) {}; weights above the diagonal: largest "
    "{:.1e} {}.",
    "Conferências: cada linha soma 1 (maior |Σ − 1| = {:.1e}) {}; pesos acima da diagonal: maior "
    "{:.1e} {}."};

inline constexpr Text heads_mean_title{"attention (mean of heads)", "atenção (média das cabeças)"};

}  // namespace aprender::tutorial::attention_narration
