// narration.h — every word 04_word2vec says, in English and Portuguese, in one place.
#pragma once

#include "tutorials/common/narration.h"

namespace aprender::tutorial::word2vec_narration {

inline constexpr Text title{"word2vec — embeddings (2013)", "word2vec — embeddings (2013)"};
inline constexpr Text summary{
    "Skip-gram with negative sampling as in Mikolov's word2vec.c (dynamic window, subsampling, "
    "unigram^0.75 negatives, linear learning-rate decay), trained with aprender in batches: nearest "
    "neighbours on the real corpus, \"rei − homem + mulher\" on a synthetic corpus (3CosAdd and "
    "3CosMul), a PCA picture, the \"barracuda\" limitation, and a word2vec text export.",
    "Skip-gram com amostragem negativa como no word2vec.c de Mikolov (janela dinâmica, subamostragem, "
    "negativos de unigrama^0.75, taxa de aprendizado com decaimento linear), treinado com o aprender "
    "em lotes: vizinhos mais próximos no corpus real, \"rei − homem + mulher\" num corpus sintético "
    "(3CosAdd e 3CosMul), uma figura PCA, a limitação \"barracuda\" e exportação no formato texto do "
    "word2vec."};
inline constexpr Text flag_epochs{"passes over the real corpus (default 3; --quick 5 over a slice of it)",
                                  "passadas pelo corpus real (padrão 3; --quick 5 sobre um pedaço dele)"};

inline constexpr Step sgns{
    {"Skip-gram with negative sampling", "Skip-gram com amostragem negativa"},
    {"Each word c predicts the words o around it. Instead of a softmax over the whole vocabulary, "
     "word2vec asks a yes/no question: is o really next to c (σ(u_o·v_c) → 1), and are k random "
     "words not (σ(u_k·v_c) → 0)? Loss per pair: L = −log σ(u_o·v_c) − Σ_k log σ(−u_k·v_c). Its "
     "gradient, by hand:\n"
     "    ∂L/∂v_c = (σ(u_o·v_c) − 1)·u_o + Σ_k σ(u_k·v_c)·u_k\n"
     "    ∂L/∂u_o = (σ(u_o·v_c) − 1)·v_c\n    ∂L/∂u_k = σ(u_k·v_c)·v_c\n"
     "aprender's autograd computes it from the loss (sgns_loss in main.cpp); for one random pair "
     "with {} negatives, the two agree to {:.1e} {}.",
     "Cada palavra c prevê as palavras o ao seu redor. Em vez de um softmax sobre todo o vocabulário, "
     "o word2vec faz uma pergunta sim/não: o está mesmo ao lado de c (σ(u_o·v_c) → 1), e k palavras "
     "aleatórias não estão (σ(u_k·v_c) → 0)? Perda por par: L = −log σ(u_o·v_c) − Σ_k log σ(−u_k·v_c). "
     "Seu gradiente, à mão:\n"
     "    ∂L/∂v_c = (σ(u_o·v_c) − 1)·u_o + Σ_k σ(u_k·v_c)·u_k\n"
     "    ∂L/∂u_o = (σ(u_o·v_c) − 1)·v_c\n    ∂L/∂u_k = σ(u_k·v_c)·v_c\n"
     "O autograd do aprender o calcula a partir da perda (sgns_loss em main.cpp); para um par "
     "aleatório com {} negativos, os dois concordam até {:.1e} {}."}};

inline constexpr Step real{
    {"The real corpus: nearest neighbours", "O corpus real: vizinhos mais próximos"},
    {"Corpus '{}': {} occurrences of a vocabulary of {} words (those seen ≥ {} times; rarer ones "
     "are left out). word2vec.c's tricks: frequent "
     "words are dropped at random (the most frequent most often: {} of their occurrences), the "
     "window is drawn from 1..{} "
     "for each word (near words count more), negatives come from the unigram distribution raised "
     "to 3/4, and the learning rate falls linearly from {} to ~0. {} dimensions, {} epoch(s):",
     "Corpus '{}': {} ocorrências de um vocabulário de {} palavras (as vistas ≥ {} vezes; as mais "
     "raras ficam de fora). Os truques do word2vec.c: "
     "palavras frequentes são descartadas ao acaso (as mais frequentes mais vezes: {} das "
     "ocorrências), a janela é "
     "sorteada de 1..{} para cada palavra (palavras próximas contam mais), os negativos vêm da "
     "distribuição de unigramas elevada a 3/4, e a taxa de aprendizado cai linearmente de {} até ~0. "
     "{} dimensões, {} época(s):"}};
inline constexpr Text real_result{"Kept {:.0f}% of the tokens after dropping; {} (word, context) pairs in {:.1f} s.",
                                  "Mantidos {:.0f}% dos tokens após o descarte; {} pares (palavra, contexto) em {:.1f} s."};
inline constexpr Text neighbours_of{"Nearest neighbours (cosine similarity):",
                                    "Vizinhos mais próximos (similaridade de cosseno):"};

inline constexpr Step analogy{
    {"\"Rei − Homem + Mulher ≈ Rainha\", on a synthetic corpus", "\"Rei − Homem + Mulher ≈ Rainha\", num corpus sintético"},
    {"Mikolov's analogies emerged from billions of words; on the {} words of the corpus above, {}. "
     "So here is a SYNTHETIC corpus (data/word2vec/realeza.txt, made by make_realeza.py), in which "
     "gender (o/a, ele/ela, -o/-a) and royalty (trono, coroa, palácio) vary independently: {} "
     "sentences, vocabulary {}. Trained the same way ({} epochs, {:.1f} s).",
     "As analogias de Mikolov surgiram de bilhões de palavras; nas {} palavras do corpus acima, {}. "
     "Então aqui vai um corpus SINTÉTICO (data/word2vec/realeza.txt, feito por make_realeza.py), em "
     "que gênero (o/a, ele/ela, -o/-a) e realeza (trono, coroa, palácio) variam independentemente: {} "
     "frases, vocabulário {}. Treinado do mesmo jeito ({} épocas, {:.1f} s)."}};
// How the analogy fares on the real corpus, measured: the second {} of `analogy` above.
inline constexpr Text real_analogy_missing{"the question cannot even be asked: no vector for {} (fewer than {} occurrences)",
                                           "a pergunta nem pode ser feita: não há vetor para {} (menos de {} ocorrências)"};
inline constexpr Text real_analogy_rank{
    "\"rainha\" is only number {} of the {} words, ranked by closeness to v(rei) − v(homem) + v(mulher)",
    "\"rainha\" é só a {}ª das {} palavras, ordenadas pela proximidade a v(rei) − v(homem) + v(mulher)"};
inline constexpr Text real_analogy_first{
    "\"rainha\" does come first for v(rei) − v(homem) + v(mulher)",
    "\"rainha\" até vem primeiro para v(rei) − v(homem) + v(mulher)"};
inline constexpr Text add_title{
    "3CosAdd: the words closest to v(rei) − v(homem) + v(mulher), the three inputs excluded:",
    "3CosAdd: as palavras mais próximas de v(rei) − v(homem) + v(mulher), excluídas as três entradas:"};
inline constexpr Text mul_title{
    "3CosMul (Levy & Goldberg 2014): cos(x, rei)·cos(x, mulher) / (cos(x, homem) + ε), cosines shifted to [0, 1]:",
    "3CosMul (Levy & Goldberg 2014): cos(x, rei)·cos(x, mulher) / (cos(x, homem) + ε), cossenos deslocados para [0, 1]:"};
inline constexpr Text more_analogies{"More analogies of the same shape (rank of the expected word, 3CosAdd):",
                                     "Mais analogias do mesmo formato (posição da palavra esperada, 3CosAdd):"};
inline constexpr Text direction{
    "One \"gender direction\": cos(v(rainha) − v(rei), v(mulher) − v(homem)) = {:.3f}; between "
    "unrelated pairs, cos(v(rainha) − v(rei), v(fazenda) − v(mercado)) = {:.3f}.",
    "Uma \"direção de gênero\": cos(v(rainha) − v(rei), v(mulher) − v(homem)) = {:.3f}; entre pares "
    "sem relação, cos(v(rainha) − v(rei), v(fazenda) − v(mercado)) = {:.3f}."};

inline constexpr Step pca{
    {"A picture: PCA to two dimensions", "Uma figura: PCA para duas dimensões"},
    {"The vectors of the paired words, projected on their two main directions (the two axes that "
     "keep most of the variance: {:.0f}% and {:.0f}%).",
     "Os vetores das palavras em pares, projetados nas suas duas direções principais (os dois eixos "
     "que guardam mais variância: {:.0f}% e {:.0f}%)."}};

inline constexpr Step barracuda{
    {"The limitation: one vector per word", "A limitação: um vetor por palavra"},
    {"\"barracuda\" is a fish in some sentences of the synthetic corpus and a car (a Plymouth) in "
     "others. word2vec gives it one vector, a blend of both senses. Its nearest neighbours, and "
     "those of an unambiguous fish and car:",
     "\"barracuda\" é um peixe em algumas frases do corpus sintético e um carro (um Plymouth) em "
     "outras. O word2vec dá a ela um vetor, uma mistura dos dois sentidos. Seus vizinhos mais "
     "próximos, e os de um peixe e um carro sem ambiguidade:"}};
inline constexpr Text mixed{
    "Among barracuda's {} nearest neighbours — fish words: {}, car words: {}. Contextual models "
    "(05-07) give a word a different vector in each sentence.",
    "Entre os {} vizinhos mais próximos de barracuda — palavras de peixe: {}, de carro: {}. Modelos "
    "contextuais (05-07) dão a uma palavra um vetor diferente em cada frase."};

inline constexpr Step export_{
    {"Export: word2vec's text format", "Exportação: o formato texto do word2vec"},
    {"First line \"<words> <dimensions>\", then one word and its numbers per line: gensim "
     "(KeyedVectors.load_word2vec_format), fastText and most tools read it. The numbers are the "
     "vectors compared above — the mean vector removed, unit length — so gensim's most_similar "
     "finds the same neighbours.",
     "Primeira linha \"<palavras> <dimensões>\", depois uma palavra e seus números por linha: gensim "
     "(KeyedVectors.load_word2vec_format), fastText e a maioria das ferramentas o leem. Os números são "
     "os vetores comparados acima — sem o vetor médio, de comprimento 1 — então o most_similar do "
     "gensim encontra os mesmos vizinhos."}};

// The four groups of the PCA picture (gender × royalty of the word).
inline constexpr Text group_male_common{"male, commoner", "masculino, comum"};
inline constexpr Text group_female_common{"female, commoner", "feminino, comum"};
inline constexpr Text group_male_royal{"male, royal", "masculino, realeza"};
inline constexpr Text group_female_royal{"female, royal", "feminino, realeza"};
inline constexpr Text pca_title{"word2vec PCA (synthetic corpus)", "PCA do word2vec (corpus sintético)"};

}  // namespace aprender::tutorial::word2vec_narration
