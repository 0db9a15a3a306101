// narration.h — every word 09_lora_rank says, in English and Portuguese, in one place.
#pragma once

#include "tutorials/common/narration.h"

namespace aprender::tutorial::rank_narration {

inline constexpr Text title{"LoRA's mathematics — rank, factors, initialisation",
                            "A matemática do LoRA — posto, fatores, inicialização"};
inline constexpr Text summary{
    "The slides' rank example computed: Gaussian elimination step by step on the lecture's ΔW, "
    "its true rank (2, not the slide's 1), an exact r = 2 factorisation B·A, the best rank-1 "
    "approximation from the SVD and what it loses, parameter counts d·k vs r·(d + k) up to GPT-3, "
    "approximation error vs rank on a decaying spectrum (SVG), and why B = 0 at initialisation "
    "(output unchanged, ∂L/∂A = 0).",
    "O exemplo de posto dos slides calculado: eliminação gaussiana passo a passo no ΔW da aula, "
    "seu posto verdadeiro (2, não o 1 do slide), uma fatoração exata B·A com r = 2, a melhor "
    "aproximação de posto 1 pela SVD e o que ela perde, contagem de parâmetros d·k vs r·(d + k) "
    "até o GPT-3, erro de aproximação vs posto num espectro decrescente (SVG) e por que B = 0 na "
    "inicialização (saída inalterada, ∂L/∂A = 0)."};
inline constexpr Text flag_size{"size d of the synthetic d × d matrix of the spectrum step (default 96; --quick 32)",
                                "tamanho d da matriz sintética d × d do passo do espectro (padrão 96; --quick 32)"};

inline constexpr Step slide_matrix{
    {"The slide's matrix", "A matriz do slide"},
    {"The lecture: \"every matrix has a rank (r): the number of linearly independent columns\". "
     "Its example, with d = 3 and k = 3:",
     "A aula: \"Toda matriz tem um Rank (r), que é a quantidade de colunas linearmente "
     "independentes\". O exemplo dela, com d = 3 e k = 3:"}};

inline constexpr Step elimination{
    {"Gaussian elimination, step by step", "Eliminação gaussiana, passo a passo"},
    {"Row operations do not change which columns depend on which. Reduce ΔW (partial pivoting: "
     "bring the largest entry of the column up, make it 1, clear the column above and below). "
     "Each pivot is an independent column; a column without a pivot is a combination of the pivot "
     "columns to its left.",
     "Operações de linha não mudam quais colunas dependem de quais. Reduzimos ΔW (pivoteamento "
     "parcial: trazer para cima o maior elemento da coluna, torná-lo 1, zerar a coluna acima e "
     "abaixo). Cada pivô é uma coluna independente; uma coluna sem pivô é combinação das colunas "
     "pivô à sua esquerda."}};
inline constexpr Text op_swap{"swap rows {} and {}: the largest |entry| of the column comes up",
                              "troca as linhas {} e {}: o maior |elemento| da coluna sobe"};
inline constexpr Text op_scale{"divide row {} by its pivot {}", "divide a linha {} pelo pivô {}"};
inline constexpr Text op_add{"subtract {} × row {} from row {}", "subtrai {} × linha {} da linha {}"};
inline constexpr Text pivots{"Pivot columns: {} ⇒ rank = {}.", "Colunas pivô: {} ⇒ posto = {}."};
inline constexpr Text column_n{"column {}", "coluna {}"};
inline constexpr Text zero_column{"0 (a zero column)", "0 (uma coluna nula)"};
inline constexpr Text dependency{"Dependent: {} (the slide's \"×2\" — correct).",
                                 "Dependente: {} (o \"×2\" do slide — correto)."};
inline constexpr Text independent{
    "Independent: column {} is not a multiple of column 1. Look at rows 2 and 3: column 1 has "
    "(1, 1), column 3 has (1, 2); no number c gives c·1 = 1 and c·1 = 2.",
    "Independente: a coluna {} não é múltiplo da coluna 1. Veja as linhas 2 e 3: a coluna 1 tem "
    "(1, 1), a coluna 3 tem (1, 2); nenhum número c dá c·1 = 1 e c·1 = 2."};

inline constexpr Step verdict{
    {"The slide says r = 1; the matrix says r = 2", "O slide diz r = 1; a matriz diz r = 2"},
    {"The slides mark column 2 as dependent (right) and then conclude \"Portanto r = 1\". But "
     "removing one dependent column from three leaves two independent ones: the rank is "
     "{} (elimination) — and the SVD agrees below. The consequence for LoRA: a (3×1)(1×3) "
     "product B·A always has rank ≤ 1, so with r = 1 no choice of B and A reproduces this ΔW "
     "exactly.",
     "Os slides marcam a coluna 2 como dependente (correto) e concluem \"Portanto r = 1\". Mas "
     "tirar uma coluna dependente de três deixa duas independentes: o posto é {} (eliminação) — e "
     "a SVD concorda logo abaixo. A consequência para o LoRA: um produto B·A (3×1)(1×3) tem "
     "sempre posto ≤ 1, então com r = 1 nenhuma escolha de B e A reproduz este ΔW exatamente."}};

inline constexpr Text rank_of_dw{"rank(ΔW) = {}", "posto(ΔW) = {}"};

inline constexpr Step exact{
    {"An exact factorisation with r = 2", "Uma fatoração exata com r = 2"},
    {"Read it off the elimination: B = the pivot columns of ΔW (d × r = 3 × 2), A = the non-zero "
     "rows of the reduced matrix (r × k = 2 × 3). Then ΔW = B·A — the shapes of the slide's "
     "formula with r = 2, (3×2)(2×3):",
     "Lido da eliminação: B = as colunas pivô de ΔW (d × r = 3 × 2), A = as linhas não nulas da "
     "matriz reduzida (r × k = 2 × 3). Então ΔW = B·A — as formas da fórmula do slide com r = 2, "
     "(3×2)(2×3):"}};
inline constexpr Text exact_check{"max |B·A − ΔW| = {}  {}", "máx |B·A − ΔW| = {}  {}"};

inline constexpr Step svd_step{
    {"The SVD: singular values and the best rank-1 approximation",
     "A SVD: valores singulares e a melhor aproximação de posto 1"},
    {"ΔW = U·diag(σ)·Vᵀ (one-sided Jacobi, float64). The rank is the number of σ that are not "
     "zero. Keeping only the first term σ1·u1·v1ᵀ is the best rank-1 matrix there is "
     "(Eckart–Young): B = σ1·u1 (3×1), A = v1ᵀ (1×3).",
     "ΔW = U·diag(σ)·Vᵀ (Jacobi unilateral, float64). O posto é o número de σ diferentes de zero. "
     "Manter só o primeiro termo σ1·u1·v1ᵀ dá a melhor matriz de posto 1 que existe "
     "(Eckart–Young): B = σ1·u1 (3×1), A = v1ᵀ (1×3)."}};
inline constexpr Text reference{
    "Reference in float64, independent of the SVD: ΔWᵀ·ΔW has characteristic polynomial "
    "λ³ − {}λ² + {}λ − {} (trace, sum of 2×2 principal minors, determinant); with det = 0 the "
    "σ² are 0 and the roots of λ² − {}λ + {}: σ = √(({} ± √{})/2) = {:.6f}, {:.6f}, 0.  "
    "Largest difference from the SVD: {:.1e} {}",
    "Referência em float64, independente da SVD: ΔWᵀ·ΔW tem polinômio característico "
    "λ³ − {}λ² + {}λ − {} (traço, soma dos menores principais 2×2, determinante); com det = 0 os "
    "σ² são 0 e as raízes de λ² − {}λ + {}: σ = √(({} ± √{})/2) = {:.6f}, {:.6f}, 0.  "
    "Maior diferença da SVD: {:.1e} {}"};
inline constexpr Text svd_rank{"Numerical rank (σ > {:.1e}): {}", "Posto numérico (σ > {:.1e}): {}"};
inline constexpr Text rank1_error{
    "‖ΔW − B·A‖_F = {:.6f} = σ2 (Eckart–Young: the error is exactly the singular values left out). "
    "Rank 1 keeps σ1²/Σσ² = {:.2f}% of ‖ΔW‖² and loses {:.2f}%: close, but not ΔW — the slide's "
    "r = 1 throws away an independent direction.",
    "‖ΔW − B·A‖_F = {:.6f} = σ2 (Eckart–Young: o erro é exatamente os valores singulares "
    "deixados de fora). O posto 1 guarda σ1²/Σσ² = {:.2f}% de ‖ΔW‖² e perde {:.2f}%: perto, mas "
    "não é ΔW — o r = 1 do slide joga fora uma direção independente."};

inline constexpr Step counting{
    {"Counting parameters: d·k vs r·(d + k)", "Contando parâmetros: d·k vs r·(d + k)"},
    {"Full fine-tuning trains every entry of ΔW (d·k numbers); LoRA trains B (d·r) and A (r·k). "
     "On the 3×3 toy the factors are no smaller — the saving is for real sizes:",
     "O fine-tuning completo treina cada entrada de ΔW (d·k números); o LoRA treina B (d·r) e A "
     "(r·k). No exemplo 3×3 os fatores não são menores — a economia é para tamanhos reais:"}};
inline constexpr Text col_matrix{"matrix", "matriz"};
inline constexpr Text col_full{"d·k (full)", "d·k (completo)"};
inline constexpr Text col_lora{"r·(d+k) (LoRA)", "r·(d+k) (LoRA)"};
inline constexpr Text col_share{"LoRA / full", "LoRA / completo"};
inline constexpr Text gpt3_note{
    "GPT-3 175B has 96 layers of width d = 12288. LoRA on W_q and W_v of every layer: "
    "96 × 2 × r × (12288 + 12288) trainable numbers — {} for r = 1 and {} for r = 8 (the paper's "
    "Table 4 lists 4.7M and 37.7M), against 175 billion for full fine-tuning.",
    "O GPT-3 175B tem 96 camadas de largura d = 12288. LoRA em W_q e W_v de todas as camadas: "
    "96 × 2 × r × (12288 + 12288) números treináveis — {} para r = 1 e {} para r = 8 (a Tabela 4 "
    "do artigo lista 4.7M e 37.7M), contra 175 bilhões no fine-tuning completo."};

inline constexpr Step spectrum{
    {"Too low a rank loses information, too high wastes compute",
     "Posto baixo demais perde informação, alto demais desperdiça recursos"},
    {"The lecture's trade-off, measured. Two synthetic {}×{} updates ΔW = U·diag(σ)·Vᵀ with "
     "random orthonormal U, V (seed {}): (a) a smoothly decaying spectrum σ_i = 0.9^i, (b) rank 4 "
     "plus a little noise, which is what LoRA bets a fine-tuning update looks like. The SVD "
     "recovers σ, and the best rank-r approximation has relative error "
     "√(Σ_{{i>r}} σ_i²) / ‖ΔW‖_F:",
     "O compromisso da aula, medido. Duas atualizações sintéticas {}×{} ΔW = U·diag(σ)·Vᵀ com U, "
     "V ortonormais aleatórias (semente {}): (a) um espectro que decai suavemente σ_i = 0.9^i, "
     "(b) posto 4 mais um pouco de ruído — a aposta do LoRA sobre como é uma atualização de "
     "fine-tuning. A SVD recupera σ, e a melhor aproximação de posto r tem erro relativo "
     "√(Σ_{{i>r}} σ_i²) / ‖ΔW‖_F:"}};
inline constexpr Text col_params{"params r·(d+k)", "parâmetros r·(d+k)"};
inline constexpr Text col_err_a{"error (a) decaying", "erro (a) decrescente"};
inline constexpr Text col_err_b{"error (b) rank 4 + noise", "erro (b) posto 4 + ruído"};
inline constexpr Text recovered{"SVD check: largest |σ recovered − σ built| = {:.1e} {}",
                                "Conferência da SVD: maior |σ recuperado − σ construído| = {:.1e} {}"};
inline constexpr Text knee{
    "(a) needs r = {} to keep 99% of ‖ΔW‖² ({:.0f}% of the full parameters); (b) keeps {:.2f}% "
    "already at r = 4 ({:.0f}% of the parameters), and r > 4 buys only noise. Low rank works when "
    "the update *is* low rank — that is LoRA's hypothesis, checked on a real adapter in 10_lora.",
    "(a) precisa de r = {} para guardar 99% de ‖ΔW‖² ({:.0f}% dos parâmetros completos); (b) já "
    "guarda {:.2f}% com r = 4 ({:.0f}% dos parâmetros), e r > 4 só acrescenta ruído. Posto baixo "
    "funciona quando a atualização *é* de posto baixo — a hipótese do LoRA, conferida num "
    "adaptador real no 10_lora."};
inline constexpr Text plot_title{"Best rank-r approximation: error vs r", "Melhor aproximação de posto r: erro vs r"};
inline constexpr Text series_a{"(a) decaying 0.9^i", "(a) decrescente 0.9^i"};
inline constexpr Text series_b{"(b) rank 4 + noise", "(b) posto 4 + ruído"};
inline constexpr Text series_params{"parameters r(d+k)/(dk), capped at 100%", "parâmetros r(d+k)/(dk), limitado a 100%"};

inline constexpr Step init{
    {"Initialisation: A Gaussian, B = 0", "Inicialização: A gaussiana, B = 0"},
    {"The lecture (p. 4 of the paper): \"inicializa-se A a partir de distribuição Gaussiana e "
     "B = 0\". Checked on a small GPT ({} layers, width {}, vocabulary {}; random weights stand in "
     "for the pre-trained W0): LoRA r = {} on q_proj and v_proj, each computing "
     "h = W0·x + s·B·A·x with the scale s = α/r = {}/{} = {:g}. The count, as PEFT's "
     "print_trainable_parameters() prints it:",
     "A aula (p. 4 do artigo): \"inicializa-se A a partir de distribuição Gaussiana e B = 0\". "
     "Conferido num GPT pequeno ({} camadas, largura {}, vocabulário {}; pesos aleatórios fazem o "
     "papel do W0 pré-treinado): LoRA r = {} em q_proj e v_proj, cada um calculando "
     "h = W0·x + s·B·A·x com a escala s = α/r = {}/{} = {:g}. A contagem, no formato de "
     "print_trainable_parameters() do PEFT (traduzida aqui; o PEFT a imprime em inglês):"}};
// {0}: lora::trainable_summary's line, PEFT's exact format (English); {1} trainable and {2} all
// parameters grouped for the language, {3} the percentage.
inline constexpr Text trainable_line{"{0}",
                                     "parâmetros treináveis: {1} || todos os parâmetros: {2} || % treinável: {3:.4f}"};
inline constexpr Text unchanged{
    "B = 0 ⇒ ΔW = B·A = 0 ⇒ the model is the pre-trained one: max |Δlogits| = {} over {} logits {}",
    "B = 0 ⇒ ΔW = B·A = 0 ⇒ o modelo é o pré-treinado: máx |Δlogits| = {} em {} logits {}"};
inline constexpr Text grads_first{
    "After one backward pass: ∂L/∂A = s·Bᵀ·(∂L/∂h)·xᵀ = 0 because B = 0, while ∂L/∂B = s·(∂L/∂h)·(A·x)ᵀ "
    "is not: only B moves on the first step. Gradient norms:",
    "Depois de uma passada para trás: ∂L/∂A = s·Bᵀ·(∂L/∂h)·xᵀ = 0 porque B = 0, enquanto "
    "∂L/∂B = s·(∂L/∂h)·(A·x)ᵀ não é: só B se move no primeiro passo. Normas dos gradientes:"};
inline constexpr Text col_layer{"layer", "camada"};
inline constexpr Text grads_second{
    "One AdamW step later B ≠ 0, and A receives a gradient too (second backward pass):",
    "Um passo de AdamW depois B ≠ 0, e A também recebe gradiente (segunda passada para trás):"};
inline constexpr Text frozen_check{"Frozen W0 received no gradient: {} {}",
                                   "W0 congelado não recebeu gradiente: {} {}"};
inline constexpr Text both_random{
    "Counter-example: with B random as well (both factors Gaussian), the \"fine-tuned\" model "
    "starts somewhere else: max |Δlogits| = {:.4f}. B = 0 is what makes step 0 the pre-trained "
    "model; A must then be random, or ∂L/∂B = s·(∂L/∂h)·(A·x)ᵀ would be 0 too and nothing would "
    "ever learn.",
    "Contraexemplo: com B também aleatória (os dois fatores gaussianos), o modelo \"ajustado\" "
    "começa em outro lugar: máx |Δlogits| = {:.4f}. B = 0 é o que faz o passo 0 ser o modelo "
    "pré-treinado; A então precisa ser aleatória, senão ∂L/∂B = s·(∂L/∂h)·(A·x)ᵀ também seria 0 e "
    "nada aprenderia."};

inline constexpr Step summary_step{
    {"What to take away", "O que levar daqui"},
    {"rank(ΔW) = {} for the slide's matrix; LoRA with r ≥ rank(ΔW) can represent ΔW exactly, a "
     "smaller r gives the best approximation the singular values allow. The parameter saving "
     "grows with the size: r·(d + k) vs d·k. And B = 0 makes training start from the pre-trained "
     "model. Next: 10_lora trains real adapters and measures them.",
     "posto(ΔW) = {} para a matriz do slide; LoRA com r ≥ posto(ΔW) representa ΔW exatamente, um r "
     "menor dá a melhor aproximação que os valores singulares permitem. A economia de parâmetros "
     "cresce com o tamanho: r·(d + k) vs d·k. E B = 0 faz o treino começar do modelo pré-treinado. "
     "A seguir: o 10_lora treina adaptadores reais e os mede."}};

}  // namespace aprender::tutorial::rank_narration
