// narration.h — every word 02_ngrams says, in English and Portuguese, in one place.
#pragma once

#include "tutorials/common/narration.h"

namespace aprender::tutorial::ngram_narration {

inline constexpr Text title{"n-grams — statistics (1990)", "n-gramas — estatística (1990)"};
inline constexpr Text summary{
    "Word n-gram language models (n = 1…4) on a Portuguese corpus: MLE, add-k, interpolation "
    "and Kneser-Ney, their perplexity, an ARPA export, the lecture's \"Eu gosto de aprender ___\", "
    "and the failure modes measured.",
    "Modelos de linguagem de n-gramas de palavras (n = 1…4) num corpus em português: MLE, add-k, "
    "interpolação e Kneser-Ney, sua perplexidade, exportação ARPA, o \"Eu gosto de aprender ___\" "
    "da aula e as falhas medidas."};
inline constexpr Text flag_corpus{"general | tecnico | financeiro | lecture (default general)",
                                  "general | tecnico | financeiro | lecture (padrão general)"};

inline constexpr Step data{
    {"The data", "Os dados"},
    {"Corpus '{}' ({}): {} training sentences, {} words; validation {} sentences; test {} "
     "sentences. Words seen fewer than twice become <unk>: vocabulary {} words.",
     "Corpus '{}' ({}): {} frases de treino, {} palavras; validação {} frases; teste {} frases. "
     "Palavras vistas menos de duas vezes viram <unk>: vocabulário de {} palavras."}};
inline constexpr Text fallback{
    "Real corpus missing ({}). Using the small committed sentence set instead.",
    "Corpus real ausente ({}). Usando o pequeno conjunto de frases do repositório."};

inline constexpr Step counting{
    {"Counting", "Contando"},
    {"A language model of this era is a table of counts: how often each sequence of n words "
     "occurred. Distinct n-grams in the training split:",
     "Um modelo de linguagem desta era é uma tabela de contagens: quantas vezes cada sequência de "
     "n palavras apareceu. n-gramas distintos no treino:"}};

inline constexpr Step lecture{
    {"The lecture's example: \"Eu gosto de aprender ___\"", "O exemplo da aula: \"Eu gosto de aprender ___\""},
    {"Trained on the committed sentence set (data/lecture/frases.txt, synthetic) plus the "
     "corpus. P(next word | \"gosto de aprender\"), 4-gram. The slide's numbers (0.8, 0.7, 0.68) "
     "cannot all be probabilities of one distribution: these sum to 1.",
     "Treinado no conjunto de frases do repositório (data/lecture/frases.txt, sintético) mais o "
     "corpus. P(próxima palavra | \"gosto de aprender\"), 4-grama. Os números do slide (0.8, 0.7, "
     "0.68) não podem ser de uma mesma distribuição: estas somam 1."}};
inline constexpr Text mle_bars{"MLE (counts only):", "MLE (só contagens):"};
inline constexpr Text kn_bars{"Kneser-Ney (also gives mass to unseen words):",
                              "Kneser-Ney (dá massa também a palavras não vistas):"};
inline constexpr Text unseen_mass{
    "The {} vocabulary words never seen after \"gosto de aprender\": MLE gives each of them 0; "
    "Kneser-Ney gives them {:.3f} together.",
    "As {} palavras do vocabulário nunca vistas depois de \"gosto de aprender\": a MLE dá 0 a cada "
    "uma; o Kneser-Ney dá {:.3f} a elas juntas."};

inline constexpr Step sums{
    {"Every distribution sums to 1", "Toda distribuição soma 1"},
    {"Σ_w P(w | h) over the whole vocabulary, for the history \"{}\":",
     "Σ_w P(w | h) sobre o vocabulário inteiro, para o histórico \"{}\":"}};

inline constexpr Step perplexity{
    {"Perplexity on the test split", "Perplexidade no conjunto de teste"},
    {"Perplexity = exp(−mean log P) over every test token (each word and each sentence's </s>): "
     "lower is better. add-1 is Laplace; add-k's k and the λ of interpolation were fit on the "
     "validation split, never on test.",
     "Perplexidade = exp(−média de log P) sobre cada token do teste (cada palavra e o </s> de cada "
     "frase): menor é melhor. add-1 é Laplace; o k do add-k e os λ da interpolação foram "
     "ajustados na validação, nunca no teste."}};
inline constexpr Text infinite{
    "MLE is ∞ for n ≥ {}: {} of the test tokens have probability 0 under the MLE {}-gram — "
    "one unseen n-gram makes the whole text impossible.",
    "A MLE é ∞ para n ≥ {}: {} dos tokens de teste têm probabilidade 0 na MLE de {}-gramas — "
    "um único n-grama não visto torna o texto inteiro impossível."};
inline constexpr Text lambdas{"λ (uniform, 1-gram … {}-gram) fit by EM: {}",
                              "λ (uniforme, 1-grama … {}-grama) ajustados por EM: {}"};
inline constexpr Text best_k{"add-k: k chosen on validation for each n (1-gram … {}-gram): {}",
                             "add-k: k escolhido na validação para cada n (1-grama … {}-grama): {}"};

inline constexpr Step zero{
    {"Limitation: unseen means impossible", "Limitação: não visto é impossível"},
    {"The lecture: \"Se algo não está no treino, a sua probabilidade é zero\". The lecture's "
     "sentence, word by word, under the MLE bigram and the Kneser-Ney bigram:",
     "A aula: \"Se algo não está no treino, a sua probabilidade é zero\". A frase da aula, "
     "palavra por palavra, na MLE de bigramas e no Kneser-Ney de bigramas:"}};

inline constexpr Text zero_verdict{
    "MLE: probability 0 for {} of the {} predictions, so the whole sentence has probability 0. "
    "Kneser-Ney: {:.2e} — small, but possible.",
    "MLE: probabilidade 0 em {} das {} previsões, então a frase inteira tem probabilidade 0. "
    "Kneser-Ney: {:.2e} — pequena, mas possível."};
inline constexpr Text zero_none{
    "Every bigram of this sentence occurred in training: MLE gives it {:.2e}, Kneser-Ney {:.2e}.",
    "Todo bigrama desta frase apareceu no treino: a MLE lhe dá {:.2e}, o Kneser-Ney {:.2e}."};

inline constexpr Step generation{
    {"Limitation: generated text", "Limitação: texto gerado"},
    {"Sampling from each MLE model (seed {}). Short histories lose the subject and wander "
     "(the lecture's \"Encerramos o ciclo 2 de ciclo 2\"); long ones copy the training text.",
     "Amostrando de cada modelo MLE (semente {}). Históricos curtos perdem o sujeito e divagam "
     "(o \"Encerramos o ciclo 2 de ciclo 2\" da aula); longos copiam o texto de treino."}};

inline constexpr Step copying{
    {"Limitation: copying, measured", "Limitação: cópia, medida"},
    {"For {} samples per n: the longest run of words found verbatim in one training sentence, "
     "and how many samples are a whole training sentence.",
     "Para {} amostras por n: a maior sequência de palavras encontrada literalmente numa frase "
     "de treino, e quantas amostras são uma frase de treino inteira."}};

inline constexpr Step arpa{
    {"ARPA export", "Exportação ARPA"},
    {"The Kneser-Ney trigram in the ARPA format that SRILM and KenLM read (log10 "
     "probabilities and back-off weights):",
     "O trigrama Kneser-Ney no formato ARPA que o SRILM e o KenLM leem (probabilidades em log10 "
     "e pesos de back-off):"}};

// The smoothing methods as the table, the plot and the sums name them (ngram.cpp's name() is
// the English identifier, for the tests).
inline constexpr Text method_mle{"MLE", "MLE"};
inline constexpr Text method_add_one{"add-1", "add-1"};
inline constexpr Text method_add_k{"add-k", "add-k"};
inline constexpr Text method_interpolated{"interpolated", "interpolado"};
inline constexpr Text method_kneser_ney{"Kneser-Ney", "Kneser-Ney"};
inline constexpr Text method_of_order{"{} {}-gram", "{} de {}-gramas"};
// The absolute discounts of the exported trigram, one per order.
inline constexpr Text discounts{"D = {:.3f} (unigram), {:.3f} (bigram), {:.3f} (trigram)",
                                "D = {:.3f} (unigramas), {:.3f} (bigramas), {:.3f} (trigramas)"};

inline constexpr Text plot_title{"Perplexity on the test split", "Perplexidade no teste"};
inline constexpr Text plot_x{"n (words of context + 1)", "n (palavras de contexto + 1)"};
inline constexpr Text col_model{"model", "modelo"};
inline constexpr Text col_mean_span{"mean longest copy", "maior cópia (média)"};
inline constexpr Text col_max_span{"max", "máx."};
inline constexpr Text col_whole{"whole sentences copied", "frases inteiras copiadas"};
inline constexpr Text col_samples{"samples", "amostras"};  // the CSV's column after col_whole: "1/5" there is 1 and 5
inline constexpr Text col_word{"word", "palavra"};
inline constexpr Text col_distinct{"distinct n-grams", "n-gramas distintos"};

}  // namespace aprender::tutorial::ngram_narration
