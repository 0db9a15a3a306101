// narration.h — every word 07_gpt says, in English and Portuguese, in one place.
#pragma once

#include "tutorials/common/narration.h"

namespace aprender::tutorial::gpt_narration {

inline constexpr Text title{"GPT — a large language model, in small (today)",
                            "GPT — um grande modelo de linguagem, em miniatura (hoje)"};
inline constexpr Text summary{
    "A decoder-only transformer trained on the Portuguese corpus, character by character: its "
    "loss curve, samples at several temperatures and with top-k/top-p, the course's through-line "
    "measured (bits per character of unigram, bigram, trigram Kneser-Ney and GPT on the same test "
    "text), what it costs, how it hallucinates. Saves the base model that tutorials 08 and 10 adapt.",
    "Um transformer só com decodificador treinado no corpus em português, caractere a caractere: sua "
    "curva de perda, amostras em várias temperaturas e com top-k/top-p, o fio condutor do curso "
    "medido (bits por caractere de unigrama, bigrama, trigrama Kneser-Ney e GPT no mesmo texto de "
    "teste), quanto custa, como alucina. Salva o modelo base que os tutoriais 08 e 10 adaptam."};
inline constexpr Text flag_steps{"training steps (default 1000; --quick 400; --full 2000)",
                                 "passos de treino (padrão 1000; --quick 400; --full 2000)"};
inline constexpr Text flag_full{
    "a bigger model trained for a few minutes: the base model for class use",
    "um modelo maior treinado por alguns minutos: o modelo base para usar em aula"};

inline constexpr Step data{
    {"The data, as characters", "Os dados, como caracteres"},
    {"Corpus '{}' ({}): {} training characters, {} validation, {} test. The tokenizer is the "
     "simplest one: one token per character (code point), {} different ones plus <unk>. Characters, "
     "not words or BPE pieces, so that every model below is scored on exactly the same units.",
     "Corpus '{}' ({}): {} caracteres de treino, {} de validação, {} de teste. O tokenizador é o "
     "mais simples: um token por caractere (ponto de código), {} diferentes mais <unk>. Caracteres, "
     "e não palavras ou pedaços BPE, para que todos os modelos abaixo sejam medidos exatamente nas "
     "mesmas unidades."}};
inline constexpr Text fallback{
    "Real corpus missing ({}). Using the small committed sentence set instead: the model will be "
    "poor.",
    "Corpus real ausente ({}). Usando o pequeno conjunto de frases do repositório: o modelo será "
    "fraco."};

inline constexpr Step model{
    {"The model", "O modelo"},
    {"GPT: {} layers, {} heads, embedding width {}, context {} characters. Each layer lets every "
     "position look at all earlier positions (causal self-attention) and then think alone (MLP). "
     "Parameters: {} (counted on the model: {}).",
     "GPT: {} camadas, {} cabeças, largura do embedding {}, contexto de {} caracteres. Cada camada "
     "deixa cada posição olhar para todas as anteriores (autoatenção causal) e depois pensar "
     "sozinha (MLP). Parâmetros: {} (contados no modelo: {})."}};

inline constexpr Step training{
    {"Training: predict the next character", "Treino: prever o próximo caractere"},
    {"{} steps of AdamW, batches of {} windows × {} characters, learning rate {} with warm-up "
     "and cosine decay. The loss is the cross-entropy of the next character (in nats); before any "
     "training it is about ln({}) = {:.2f}, a uniform guess.",
     "{} passos de AdamW, lotes de {} janelas × {} caracteres, taxa de aprendizado {} com aquecimento "
     "e decaimento cosseno. A perda é a entropia cruzada do próximo caractere (em nats); antes do "
     "treino ela é cerca de ln({}) = {:.2f}, um chute uniforme."}};
inline constexpr Text trained{
    "Trained in {:.1f} s ({:.0f} ms per step, {} characters per second). Training loss {:.3f} "
    "on the first batch → {:.3f} at the end (a moving average of the last ~10 batches), "
    "validation {:.3f}.",
    "Treinado em {:.1f} s ({:.0f} ms por passo, {} caracteres por segundo). Perda de treino "
    "{:.3f} no primeiro lote → {:.3f} no fim (média móvel dos últimos ~10 lotes), validação {:.3f}."};
inline constexpr Text plot_title{"GPT training loss", "Perda de treino do GPT"};
inline constexpr Text plot_x{"step", "passo"};
inline constexpr Text series_train{"train (batch)", "treino (lote)"};
inline constexpr Text series_val{"validation", "validação"};

inline constexpr Step sampling{
    {"Sampling: temperature, top-k, top-p", "Amostragem: temperatura, top-k, top-p"},
    {"The model gives a probability for every next character; generation draws one, appends it and "
     "repeats. Temperature T divides the logits: T < 1 sharpens the distribution (safe, repetitive), "
     "T > 1 flattens it (creative, then garbled). top-k keeps the k likeliest characters, top-p the "
     "smallest set whose probability reaches p. Prompt: \"{}\". The last column measures each "
     "sample: the share of its words that exist in the training text.",
     "O modelo dá uma probabilidade para cada próximo caractere; a geração sorteia um, anexa e "
     "repete. A temperatura T divide os logits: T < 1 aguça a distribuição (seguro, repetitivo), "
     "T > 1 achata (criativo, depois embaralhado). top-k fica com os k caracteres mais prováveis, "
     "top-p com o menor conjunto cuja probabilidade chega a p. Prompt: \"{}\". A última coluna mede "
     "cada amostra: a fração de suas palavras que existem no texto de treino."}};
inline constexpr Text col_setting{"setting", "configuração"};
inline constexpr Text col_sample{"sample", "amostra"};
inline constexpr Text col_real_words{"real words", "palavras reais"};

inline constexpr Step through_line{
    {"The through-line of the course: one test text, four models",
     "O fio condutor do curso: um texto de teste, quatro modelos"},
    {"Every model predicts every character of the same test split ({} characters, {} line ends). "
     "The n-grams of tutorial 02, here over characters, restart at each line (<s>); the GPT sees up "
     "to {} previous characters. Lower is better: bits per character = log2(perplexity); 0 would be "
     "perfect prediction, log2({}) = {:.2f} a uniform guess.",
     "Cada modelo prevê cada caractere do mesmo trecho de teste ({} caracteres, {} fins de linha). "
     "Os n-gramas do tutorial 02, aqui sobre caracteres, recomeçam a cada linha (<s>); o GPT vê até "
     "{} caracteres anteriores. Menor é melhor: bits por caractere = log2(perplexidade); 0 seria "
     "previsão perfeita, log2({}) = {:.2f} um chute uniforme."}};
inline constexpr Text col_model{"model", "modelo"};
inline constexpr Text col_params{"parameters / counts", "parâmetros / contagens"};
inline constexpr Text row_unigram{"unigram (KN)", "unigrama (KN)"};
inline constexpr Text row_bigram{"bigram (KN)", "bigrama (KN)"};
inline constexpr Text row_trigram{"trigram (KN)", "trigrama (KN)"};
inline constexpr Text n_grams{"{} {}-grams", "{} {}-gramas"};
inline constexpr Text col_tokens{"predicted", "previstos"};
inline constexpr Text verdict_better{
    "The GPT needs {:.2f} fewer bits per character than the bigram and {:.2f} fewer than the "
    "trigram: context and learned representations beat counting.",
    "O GPT precisa de {:.2f} bits a menos por caractere que o bigrama e {:.2f} a menos que o "
    "trigrama: contexto e representações aprendidas vencem a contagem."};
inline constexpr Text verdict_between{
    "This short run beats the bigram by {:.2f} bits per character but not yet the trigram ({:.2f} "
    "bits behind it): train longer (--steps, --full).",
    "Este treino curto vence o bigrama por {:.2f} bits por caractere, mas ainda não o trigrama "
    "({:.2f} bits atrás dele): treine mais (--steps, --full)."};
inline constexpr Text verdict_worse{
    "This short run beats neither the bigram ({:.2f} bits per character behind it) nor the trigram "
    "({:.2f} behind): train longer (--steps, --full).",
    "Este treino curto não vence nem o bigrama ({:.2f} bits por caractere atrás dele) nem o trigrama "
    "({:.2f} atrás): treine mais (--steps, --full)."};

inline constexpr Step cost{
    {"Limitation 1: cost", "Limitação 1: custo"},
    {"Even this toy is expensive compared to counting. The n-gram tables were built in {:.2f} s; "
     "the GPT needed {:.1f} s of training. Per token, a forward pass costs about 2·N + 4·L·T·C "
     "FLOPs (floating-point operations; N = {} non-embedding parameters, L = {} layers, T = {} context, C = {} width) = {} "
     "FLOPs. The 4·L·T·C term ({} here) counts attention's two products, QKᵀ and att·V, over the "
     "full context: that is what our attention computes — the whole T × T score matrix, whose half "
     "above the diagonal the causal mask then throws away (a position may not look at later ones), "
     "so about half of that term is computed and then discarded. Kernels that skip the masked half "
     "need about 2·L·T·C. Training (forward + backward) costs about three times the forward: {} "
     "FLOPs per token, {} in total for {} training tokens. GPT-3 (175 billion parameters) needs "
     "about 2·175e9 = 3.5e11 FLOPs per token just to read: {:.1e} times this model.",
     "Mesmo este brinquedo é caro comparado a contar. As tabelas de n-gramas ficaram prontas em "
     "{:.2f} s; o GPT precisou de {:.1f} s de treino. Por token, uma passada para a frente custa cerca "
     "de 2·N + 4·L·T·C FLOPs (operações de ponto flutuante; N = {} parâmetros fora dos embeddings, L = {} camadas, T = {} de "
     "contexto, C = {} de largura) = {} FLOPs. O termo 4·L·T·C ({} aqui) conta os dois produtos da "
     "atenção, QKᵀ e att·V, sobre o contexto inteiro: é o que a nossa atenção calcula — a matriz de "
     "escores T × T inteira, cuja metade acima da diagonal a máscara causal depois joga fora (uma "
     "posição não pode olhar as seguintes), então cerca de metade desse termo é calculada e depois "
     "descartada. Kernels que pulam a metade mascarada precisam de cerca de 2·L·T·C. Treinar (ida + "
     "volta) custa cerca de três vezes a ida: {} FLOPs por token, {} no total para {} tokens de "
     "treino. O GPT-3 (175 bilhões de parâmetros) precisa de cerca de 2·175e9 = 3.5e11 FLOPs por "
     "token só para ler: {:.1e} vezes este modelo."}};

inline constexpr Step hallucination{
    {"Limitation 2: hallucination", "Limitação 2: alucinação"},
    {"Ask about something the training text never mentions: \"{}\" occurs {} times in it. The "
     "model does not say \"I don't know\" — it has no way to: it always produces the next likely "
     "character, so it continues fluently and invents. Greedy (T = 0) and T = 0.8:",
     "Pergunte sobre algo que o texto de treino nunca menciona: \"{}\" aparece {} vezes nele. O "
     "modelo não diz \"não sei\" — não tem como: sempre produz o próximo caractere provável, então "
     "continua com fluência e inventa. Guloso (T = 0) e T = 0.8:"}};
inline constexpr Text confidence{
    "Its confidence tells nothing: the mean probability of the characters it chose (T = 0) is "
    "{:.2f} here, and {:.2f} when continuing a sentence from the test text.",
    "Sua confiança não diz nada: a probabilidade média dos caracteres escolhidos (T = 0) é {:.2f} "
    "aqui, e {:.2f} ao continuar uma frase do texto de teste."};

inline constexpr Text confidence_lower{
    "Its confidence is lower here — the mean probability of the characters it chose (T = 0) is "
    "{:.2f}, against {:.2f} when continuing a sentence from the test text — but it is a score, "
    "not a refusal: the model still writes the invention fluently.",
    "Sua confiança é menor aqui — a probabilidade média dos caracteres escolhidos (T = 0) é {:.2f}, "
    "contra {:.2f} ao continuar uma frase do texto de teste — mas é um número, não uma recusa: o "
    "modelo ainda escreve a invenção com fluência."};

inline constexpr Step save{
    {"The base model for tutorials 08 and 10", "O modelo base dos tutoriais 08 e 10"},
    {"The weights go into a safetensors file (with the configuration as metadata) and the "
     "tokenizer into a folder beside it. Tutorials 08 and 10 fine-tune this model; `07_gpt --full` "
     "trains a better one in a few minutes. Reloaded and checked: the same logits.",
     "Os pesos vão para um arquivo safetensors (com a configuração como metadado) e o tokenizador "
     "para uma pasta ao lado. Os tutoriais 08 e 10 ajustam este modelo; `07_gpt --full` treina um "
     "melhor em alguns minutos. Recarregado e conferido: os mesmos logits."}};
inline constexpr Text gpt_vs_bigram{"GPT vs bigram: {}", "GPT vs bigrama: {}"};
inline constexpr Text gpt_better{"GPT better ✓", "GPT melhor ✓"};
inline constexpr Text bigram_better{"bigram better ✗", "bigrama melhor ✗"};
inline constexpr Text kept_base{"{} stays the base of 08 and 10 (made by {}: settings other than this run's), and "
                                 "this run's model is saved beside it, in {}. --force would replace it.",
                                 "{} continua sendo a base de 08 e 10 (feito por {}: configurações diferentes das desta "
                                 "execução), e o modelo desta execução fica ao lado, em {}. --force o substituiria."};
inline constexpr Text reload_check{"reloaded: max |Δ logit| = {:.2e} {}",
                                   "recarregado: máx |Δ logit| = {:.2e} {}"};

}  // namespace aprender::tutorial::gpt_narration
