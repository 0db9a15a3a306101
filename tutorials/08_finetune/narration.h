// narration.h — every word 08_finetune says, in English and Portuguese, in one place.
#pragma once

#include "tutorials/common/narration.h"

namespace aprender::tutorial::finetune_narration {

inline constexpr Text title{"Traditional fine-tuning — every parameter, every domain, what it forgets",
                            "Fine-tuning tradicional — todos os parâmetros, cada domínio, o que esquece"};
inline constexpr Text summary{
    "The 07 base GPT fine-tuned in full on two domains (técnico: man pages; financeiro: the "
    "KMyMoney handbook): how many parameters change, how many bytes each domain costs (1, 3, 10 "
    "domains), domain perplexity before and after, catastrophic forgetting measured on the "
    "general corpus, and overfitting on a small domain set (train vs validation curves, SVG).",
    "O GPT base do 07 ajustado por completo em dois domínios (técnico: páginas de manual; "
    "financeiro: o manual do KMyMoney): quantos parâmetros mudam, quantos bytes cada domínio "
    "custa (1, 3, 10 domínios), perplexidade no domínio antes e depois, esquecimento catastrófico "
    "medido no corpus geral, e sobreajuste num conjunto pequeno do domínio (curvas de treino vs "
    "validação, SVG)."};
inline constexpr Text flag_steps{"fine-tuning steps per domain (default 80; --quick 20); the overfitting run takes 3× (at least 60)",
                                 "passos de fine-tuning por domínio (padrão 80; --quick 20); o treino de sobreajuste usa 3× (no mínimo 60)"};
inline constexpr Text flag_small{"characters of the small set of the overfitting step (default 6000)",
                                 "caracteres do conjunto pequeno do passo de sobreajuste (padrão 6000)"};

inline constexpr Step setup{
    {"The base model and the domains", "O modelo base e os domínios"},
    {"Fine-tuning starts from a pre-trained model. Ours is 07's character GPT, trained on the "
     "general corpus (Guia Foca). The lecture wants it specialised (\"jurídico, médico, "
     "financeiro, técnico\"): here técnico = Portuguese man pages and financeiro = the KMyMoney "
     "handbook. Perplexity = exp(mean loss per character) on each validation text; lower is better.",
     "O fine-tuning parte de um modelo pré-treinado. O nosso é o GPT de caracteres do 07, treinado "
     "no corpus geral (Guia Foca). A aula quer especializá-lo (\"jurídico, médico, financeiro, "
     "técnico\"): aqui técnico = páginas de manual em português e financeiro = o manual do "
     "KMyMoney. Perplexidade = exp(perda média por caractere) em cada texto de validação; menor é "
     "melhor."}};
inline constexpr Text col_domain{"domain", "domínio"};
inline constexpr Text col_train_chars{"train chars", "caracteres treino"};
inline constexpr Text col_val_chars{"val chars", "caracteres val."};
inline constexpr Text col_ppl{"base perplexity", "perplexidade do modelo base"};

inline constexpr Step training{
    {"Fine-tuning every parameter", "Ajustando todos os parâmetros"},
    {"For each domain, a fresh copy of the base trains {} steps on the domain text (batches of "
     "{} × {} characters, AdamW, learning rate {}). Nothing is frozen: the gradient reaches all "
     "{} parameters, and AdamW keeps two more numbers for each. The bar shows each batch's loss "
     "(noisy); train and validation loss on fixed windows are measured every {} steps and drawn in "
     "one SVG per domain:",
     "Para cada domínio, uma cópia nova do modelo base treina {} passos no texto do domínio (lotes de "
     "{} × {} caracteres, AdamW, taxa de aprendizado {}). Nada é congelado: o gradiente chega a "
     "todos os {} parâmetros, e o AdamW guarda mais dois números para cada um. A barra mostra a "
     "perda de cada lote (ruidosa); as perdas de treino e de validação em janelas fixas são medidas "
     "a cada {} passos e desenhadas num SVG por domínio:"}};
inline constexpr Text trained{
    "{}: train loss {:.3f} → {:.3f}, validation {:.3f} → {:.3f} (same windows at every evaluation), "
    "in {:.1f} s ({:.0f} ms per step).",
    "{}: perda de treino {:.3f} → {:.3f}, validação {:.3f} → {:.3f} (as mesmas janelas em cada "
    "avaliação), em {:.1f} s ({:.0f} ms por passo)."};
inline constexpr Text plot_title{"Full fine-tuning on {}: loss", "Fine-tuning completo em {}: perda"};
inline constexpr Text small_set{"{} characters of financeiro", "{} caracteres de financeiro"};
inline constexpr Text axis_step{"step", "passo"};
inline constexpr Text series_train{"train", "treino"};
inline constexpr Text series_val{"validation", "validação"};

inline constexpr Step updated{
    {"\"Requires re-training all parameters\"", "\"Requer re-treinar todos os parâmetros\""},
    {"The lecture: fine-tuning \"requer re-treinar todos os parâmetros do modelo\". Counted by "
     "comparing every number of each fine-tuned model with the base:",
     "A aula: o fine-tuning \"requer re-treinar todos os parâmetros do modelo\". Contado "
     "comparando cada número de cada modelo ajustado com o modelo base:"}};
inline constexpr Text col_model{"model", "modelo"};
inline constexpr Text unchanged{
    "{}: {} numbers did not change, {} of them in the character embeddings (wte, {} numbers per "
    "character): rows of characters that never occurred in the domain batches get a gradient of "
    "exactly 0.",
    "{}: {} números não mudaram, {} deles nos embeddings de caracteres (wte, {} números por "
    "caractere): linhas de caracteres que nunca apareceram nos lotes do domínio recebem gradiente "
    "exatamente 0."};
inline constexpr Text all_moved{"Everything the data touched moved.", "Tudo o que os dados tocaram se moveu."};
inline constexpr Text col_changed{"numbers changed", "números alterados"};
inline constexpr Text col_tensors{"tensors changed", "tensores alterados"};
inline constexpr Text col_mean_change{"mean |Δw|", "média |Δw|"};

inline constexpr Step storage{
    {"\"One complete model per domain\"", "\"Um modelo completo por domínio\""},
    {"The lecture: \"Domínio jurídico → 1 modelo completo. Domínio médico → outro modelo "
     "completo...\" — and you cannot share only the adjustment. Each fine-tuned model was saved "
     "(safetensors); its size is measured on disk ({} per domain here). For n domains:",
     "A aula: \"Domínio jurídico → 1 modelo completo. Domínio médico → outro modelo completo...\" "
     "— e não dá para compartilhar só o ajuste. Cada modelo ajustado foi salvo (safetensors); o "
     "tamanho é medido em disco ({} por domínio aqui). Para n domínios:"}};
inline constexpr Text col_domains{"domains", "domínios"};
inline constexpr Text col_ours{"this GPT (measured × n)", "este GPT (medido × n)"};
inline constexpr Text col_7b{"a 7B model in fp16 (14 GB × n)", "modelo 7B em fp16 (14 GB × n)"};
inline constexpr Text col_params{"parameters to store", "parâmetros a guardar"};

inline constexpr Step forgetting{
    {"Catastrophic forgetting", "Esquecimento catastrófico"},
    {"The lecture: \"como todos os pesos mudam, o modelo pode perder parte do conhecimento geral "
     "aprendido no pré-treinamento\". Each model on each validation text:",
     "A aula: \"como todos os pesos mudam, o modelo pode perder parte do conhecimento geral "
     "aprendido no pré-treinamento\". Cada modelo em cada texto de validação:"}};
inline constexpr Text base_row{"base (07)", "base (07)"};
inline constexpr Text ft_row{"fine-tuned on {}", "ajustado em {}"};
inline constexpr Text forgot{
    "{}: domain perplexity {:.2f} → {:.2f} ({:+.1f}%), general {:.2f} → {:.2f} ({:+.1f}%) {}",
    "{}: perplexidade no domínio {:.2f} → {:.2f} ({:+.1f}%), geral {:.2f} → {:.2f} ({:+.1f}%) {}"};
inline constexpr Text forgot_yes{"— it got better at its domain and worse at general text.",
                                 "— melhorou no seu domínio e piorou no texto geral."};
inline constexpr Text forgot_no{"— no forgetting measured in this run.", "— nenhum esquecimento medido nesta execução."};
inline constexpr Text forgot_only{"— worse at general text without getting better at its domain in this run.",
                                  "— piorou no texto geral sem melhorar no seu domínio nesta execução."};
inline constexpr Text samples_same{
    "The three continuations are the same: these few steps moved the probabilities (the "
    "perplexities above) but not yet the likeliest character at each step.",
    "As três continuações são iguais: estes poucos passos mudaram as probabilidades (as "
    "perplexidades acima), mas ainda não o caractere mais provável em cada passo."};
inline constexpr Text samples_intro{"The same prompt, greedy continuation (temperature 0):",
                                    "O mesmo começo, continuação gulosa (temperatura 0):"};

inline constexpr Step overfit{
    {"Overfitting on a small domain set", "Sobreajuste num conjunto pequeno do domínio"},
    {"The lecture's \"risco de overfitting\": with all {} parameters free and only {} characters "
     "of financeiro to learn from, {} steps. Train loss (on those characters) and validation loss "
     "(on unseen financeiro text):",
     "O \"risco de overfitting\" da aula: com todos os {} parâmetros livres e só {} caracteres de "
     "financeiro para aprender, {} passos. Perda de treino (nesses caracteres) e de validação "
     "(em texto financeiro não visto):"}};
inline constexpr Text overfit_result{
    "Validation loss was lowest ({:.3f}) at step {}, and {:.3f} at the end, while train loss fell "
    "to {:.3f}: the gap validation − train went from {:.3f} to {:.3f}. {}",
    "A perda de validação foi mínima ({:.3f}) no passo {}, e {:.3f} no fim, enquanto a de treino "
    "caiu para {:.3f}: a diferença validação − treino foi de {:.3f} para {:.3f}. {}"};
inline constexpr Text overfit_yes{"The model memorises the small set instead of learning the domain; early "
                                  "stopping would keep the model of step {}.",
                                  "O modelo decora o conjunto pequeno em vez de aprender o domínio; parar "
                                  "cedo (early stopping) guardaria o modelo do passo {}."};
inline constexpr Text overfit_no{"Validation was still improving at the end: more steps (--steps, the run "
                                 "takes 3×, at least 60) or a smaller set (--small) show the turn.",
                                 "A validação ainda melhorava no fim: mais passos (--steps, o treino usa "
                                 "3×, no mínimo 60) ou um conjunto menor (--small) mostram a virada."};

inline constexpr Text takeaway_worked{"Full fine-tuning worked: domain perplexity fell.",
                                      "O fine-tuning completo funcionou: a perplexidade no domínio caiu."};
inline constexpr Text takeaway_not_all{"Full fine-tuning did not lower the perplexity of every domain in this run.",
                                       "O fine-tuning completo não baixou a perplexidade de todos os domínios nesta "
                                       "execução."};
inline constexpr Text takeaway_forgot{"and forgot: general perplexity rose by {:.1f}% on average.",
                                      "e esqueceu: a perplexidade geral subiu {:.1f}% em média."};
inline constexpr Text takeaway_kept{"and this time did not forget (general perplexity {:+.1f}% on average).",
                                    "e desta vez não esqueceu (perplexidade geral {:+.1f}% em média)."};
inline constexpr Step takeaway{
    {"The limitations, measured — and what comes next", "As limitações, medidas — e o que vem depois"},
    {"{} But it trained all {} parameters, stores "
     "{} per domain, {} LoRA (10_lora) "
     "freezes the base and trains a low-rank ΔW = B·A instead (09_lora_rank shows the "
     "mathematics).",
     "{} Mas treinou todos os {} "
     "parâmetros, guarda {} por domínio, {} "
     "O LoRA (10_lora) congela o modelo base e treina um ΔW = B·A de posto baixo (o 09_lora_rank mostra "
     "a matemática)."}};

inline constexpr Text small_label{"small", "pequeno"};

}  // namespace aprender::tutorial::finetune_narration
