// narration.h — every word 10_lora says, in English and Portuguese, in one place.
#pragma once

#include "tutorials/common/narration.h"

namespace aprender::tutorial::lora_narration {

inline constexpr Text title{"LoRA — fine-tuning by low-rank adapters, measured against the alternatives",
                            "LoRA — fine-tuning por adaptadores de posto baixo, comparado às alternativas"};
inline constexpr Text summary{
    "The 07 base GPT adapted to two domains (técnico: man pages; financeiro: the KMyMoney "
    "handbook) by full fine-tuning, BitFit and LoRA (r = 1, 2, 4, 8 on q,v; r = 2 on q,k,v,o): "
    "trainable parameters, file sizes, domain and general perplexity, time per step, memory. Then "
    "the lecture's promises checked live: small adapter files in PEFT's format, swapping adapters "
    "on one base, merging without extra latency, combining two adapters, and the paper's rank "
    "analysis (spectrum of ΔW, subspace similarity φ).",
    "O GPT base do 07 adaptado a dois domínios (técnico: páginas de manual; financeiro: o manual "
    "do KMyMoney) por fine-tuning completo, BitFit e LoRA (r = 1, 2, 4, 8 em q,v; r = 2 em "
    "q,k,v,o): parâmetros treináveis, tamanho dos arquivos, perplexidade no domínio e geral, tempo "
    "por passo, memória. Depois as promessas da aula conferidas ao vivo: arquivos de adaptador "
    "pequenos no formato do PEFT, troca de adaptadores sobre um só modelo base, merge sem latência extra, "
    "combinação de dois adaptadores e a análise de posto do artigo (espectro de ΔW, similaridade "
    "de subespaços φ)."};
inline constexpr Text flag_steps{"training steps per method (default 80; --quick 25)",
                                 "passos de treino por método (padrão 80; --quick 25)"};
inline constexpr Text flag_seeds{"repeat each run with N seeds and report mean ± std (default 1)",
                                 "repete cada treino com N sementes e mostra média ± desvio (padrão 1)"};

inline constexpr Step setup{
    {"The base model and the two domains", "O modelo base e os dois domínios"},
    {"LoRA starts from a pre-trained model and never changes it. Ours is 07's character GPT, "
     "trained on the general corpus (Guia Foca). The domains are text it has hardly seen. "
     "Perplexity = exp(mean loss per character) on each validation text: lower is better.",
     "O LoRA parte de um modelo pré-treinado e nunca o altera. O nosso é o GPT de caracteres do "
     "07, treinado no corpus geral (Guia Foca). Os domínios são textos que ele quase não viu. "
     "Perplexidade = exp(perda média por caractere) em cada texto de validação: menor é melhor."}};
inline constexpr Text col_domain{"domain", "domínio"};
inline constexpr Text col_train_chars{"train chars", "caracteres treino"};
inline constexpr Text col_val_chars{"val chars", "caracteres val."};
inline constexpr Text col_unk{"unknown chars", "caracteres desconhecidos"};
inline constexpr Text col_base_ppl{"base perplexity", "perplexidade do modelo base"};

inline constexpr Step methods{
    {"Full fine-tuning vs BitFit vs LoRA", "Fine-tuning completo vs BitFit vs LoRA"},
    {"Every method starts from the same base weights and trains {} steps (batches of {} × {} "
     "characters, AdamW, warm-up + cosine; learning rate {} for full FT, {} for BitFit and LoRA, "
     "whose few parameters need larger steps). LoRA: α = 2r (scale s = 2), A Gaussian, B = 0. "
     "Memory = what training holds: weights + gradients + AdamW state + activations (accounted by "
     "lora::memory_report, not a measurement). ms/step is measured now, on this machine: other "
     "work on it makes it noisy. {}",
     "Todos os métodos partem dos mesmos pesos do modelo base e treinam {} passos (lotes de {} × {} "
     "caracteres, AdamW, aquecimento + cosseno; taxa de aprendizado {} no FT completo, {} no "
     "BitFit e no LoRA, cujos poucos parâmetros precisam de passos maiores). LoRA: α = 2r (escala "
     "s = 2), A gaussiana, B = 0. Memória = o que o treino mantém: pesos + gradientes + estado do "
     "AdamW + ativações (contabilizado por lora::memory_report, não medido). ms/passo é medido "
     "agora, nesta máquina: outros processos o tornam ruidoso. {}"}};
inline constexpr Text single_runs{"Single runs (seed {}): differences in the last digit are noise.",
                                  "Execuções únicas (semente {}): diferenças no último dígito são ruído."};
inline constexpr Text multi_runs{"Mean ± standard deviation over {} seeds.",
                                 "Média ± desvio padrão sobre {} sementes."};
inline constexpr Text domain_header{"Domain: {}", "Domínio: {}"};
inline constexpr Text col_method{"method", "método"};
inline constexpr Text col_trainable{"trainable", "treináveis"};
inline constexpr Text col_share{"% of model", "% do modelo"};
inline constexpr Text col_file{"file", "arquivo"};
inline constexpr Text col_ppl_domain{"ppl domain", "ppl domínio"};
inline constexpr Text col_ppl_general{"ppl general", "ppl geral"};
inline constexpr Text col_ms{"ms/step", "ms/passo"};
inline constexpr Text col_memory{"memory", "memória"};
inline constexpr Text base_row{"base (no training)", "base (sem treino)"};
inline constexpr Text method_full{"full fine-tuning", "fine-tuning completo"};
inline constexpr Text method_bitfit{"BitFit (biases)", "BitFit (vieses)"};
inline constexpr Text methods_verdict{
    "In the {} domain: LoRA r = {} trains {} parameters ({:.2f}% of the model, {}× fewer than full FT) and "
    "its file is {}× smaller. Full FT reaches perplexity {:.2f} on the domain vs {:.2f} for "
    "LoRA, but costs the general text {:+.2f} (forgetting) vs {:+.2f} for LoRA.",
    "No domínio {}: LoRA r = {} treina {} parâmetros ({:.2f}% do modelo, {}× menos que o FT completo) e "
    "seu arquivo é {}× menor. O FT completo chega a perplexidade {:.2f} no domínio vs {:.2f} do "
    "LoRA, mas custa ao texto geral {:+.2f} (esquecimento) vs {:+.2f} do LoRA."};
// The same numbers when the run does not show "FT fits the domain better but forgets more".
inline constexpr Text methods_verdict_plain{
    "In the {} domain: LoRA r = {} trains {} parameters ({:.2f}% of the model, {}× fewer than full FT) and "
    "its file is {}× smaller. Full FT reaches perplexity {:.2f} on the domain vs {:.2f} for "
    "LoRA; the general text's perplexity moves {:+.2f} with full FT vs {:+.2f} with LoRA.",
    "No domínio {}: LoRA r = {} treina {} parâmetros ({:.2f}% do modelo, {}× menos que o FT completo) e "
    "seu arquivo é {}× menor. O FT completo chega a perplexidade {:.2f} no domínio vs {:.2f} do "
    "LoRA; a perplexidade no texto geral muda {:+.2f} com o FT completo vs {:+.2f} com o LoRA."};
inline constexpr Text lecture_table_note{
    "The lecture's RoBERTa/GPT-2 tables have the same columns: # trainable parameters, then "
    "quality. Here quality is perplexity (lower is better) instead of GLUE accuracy; step 7 "
    "measures accuracy, on a classification task.",
    "As tabelas da aula (RoBERTa/GPT-2) têm as mesmas colunas: # parâmetros treináveis, depois "
    "qualidade. Aqui qualidade é perplexidade (menor é melhor) em vez de acurácia no GLUE; o passo 7 "
    "mede acurácia, numa tarefa de classificação."};

inline constexpr Step files{
    {"One base + small adapter files (PEFT format)", "Um modelo base + arquivos de adaptador pequenos (formato PEFT)"},
    {"Each LoRA adapter was saved as a Hugging Face PEFT directory: adapter_config.json + "
     "adapter_model.safetensors, keys base_model.model.<module>.lora_A.weight [r, in] and "
     ".lora_B.weight [out, r] — the layout PEFT's PeftModel.from_pretrained reads (on a PyTorch "
     "model with the same module names). The lecture's \"Domínio jurídico → 1 modelo completo\" "
     "in numbers:",
     "Cada adaptador LoRA foi salvo como um diretório PEFT do Hugging Face: adapter_config.json + "
     "adapter_model.safetensors, chaves base_model.model.<módulo>.lora_A.weight [r, in] e "
     ".lora_B.weight [out, r] — o formato que PeftModel.from_pretrained do PEFT lê (num modelo "
     "PyTorch com os mesmos nomes de módulos). O \"Domínio jurídico → 1 modelo completo\" da aula "
     "em números:"}};
inline constexpr Text col_what{"what is stored", "o que é guardado"};
inline constexpr Text col_bytes{"bytes on disk", "bytes em disco"};
inline constexpr Text full_copy{"full fine-tuned model ({})", "modelo completo ajustado ({})"};
inline constexpr Text adapter_dir{"LoRA adapter ({}, r = {})", "adaptador LoRA ({}, r = {})"};
inline constexpr Text n_domains{"{} domain(s): full FT vs base + adapters", "{} domínio(s): FT completo vs base + adaptadores"};
inline constexpr Text peft_keys{"The adapter file holds {} tensors, e.g. {} {}; its config says r = {}, lora_alpha = {}, target_modules = {}.",
                                "O arquivo do adaptador tem {} tensores, p.ex. {} {}; sua configuração diz r = {}, lora_alpha = {}, target_modules = {}."};

inline constexpr Step swap{
    {"Swapping adapters on one base, in one process", "Trocando adaptadores sobre um só modelo base, num só processo"},
    {"One copy of the base in memory; the two adapter directories are loaded onto it "
     "(load_adapter checks the base's SHA-256 fingerprint first: an adapter refuses a base it was "
     "not trained on). Switching domain is set_adapter — no weights copied. Each domain's "
     "perplexity follows the active adapter:",
     "Uma cópia do modelo base na memória; os dois diretórios de adaptador são carregados sobre ela "
     "(load_adapter confere antes a impressão digital SHA-256 do modelo base: um adaptador recusa um modelo base em que "
     "não foi treinado). Trocar de domínio é set_adapter — nenhum peso copiado. A perplexidade de "
     "cada domínio acompanha o adaptador ativo:"}};
inline constexpr Text col_active{"active adapter", "adaptador ativo"};
inline constexpr Text disabled_row{"disabled (= base)", "desligado (= base)"};
inline constexpr Text again_row{"{} (again)", "{} (de novo)"};
inline constexpr Text mix_cat{"0.5·técnico + 0.5·financeiro (cat, rank {})", "0.5·técnico + 0.5·financeiro (cat, posto {})"};
inline constexpr Text mix_linear{"0.5/0.5 linear (PEFT's formula, rank {})", "0.5/0.5 linear (fórmula do PEFT, posto {})"};
inline constexpr Text swap_check{"Disabled reproduces the base exactly: max |Δlogits| = {:g} {}",
                                 "Desligado reproduz o modelo base exatamente: máx |Δlogits| = {:g} {}"};
inline constexpr Text swap_note{
    "The weighted combination: 'cat' stacks the factors, so B·A = 0.5·ΔW_técnico + 0.5·ΔW_financeiro "
    "exactly, at rank r₁ + r₂; 'linear' mixes A's and B's separately, which adds cross terms "
    "B_i·A_j between adapters that never met. Here 'cat' has a lower perplexity than 'linear' on "
    "{} of the 3 texts.",
    "A combinação ponderada: 'cat' empilha os fatores, então B·A = 0.5·ΔW_técnico + 0.5·ΔW_financeiro "
    "exatamente, com posto r₁ + r₂; 'linear' mistura os A e os B separadamente, o que soma termos "
    "cruzados B_i·A_j entre adaptadores que nunca se viram. Aqui o 'cat' tem perplexidade menor que o "
    "'linear' em {} dos 3 textos."};

inline constexpr Step merge{
    {"Merge: any extra latency at inference?", "Merge: alguma latência extra na inferência?"},
    {"W ← W0 + s·B·A folds the adapter into the weights (merge_and_unload puts plain Linear layers "
     "back). Same outputs, and a forward pass should cost what the base costs — measured here: {} "
     "forward passes of a batch of {} × {} characters each, median time:",
     "W ← W0 + s·B·A incorpora o adaptador aos pesos (merge_and_unload devolve camadas Linear "
     "comuns). Mesmas saídas, e uma passada para a frente deveria custar o que o modelo base custa — "
     "medido aqui: {} passadas de um lote de {} × {} caracteres cada, tempo mediano:"}};
inline constexpr Text col_model{"model", "modelo"};
inline constexpr Text col_forward{"ms/forward", "ms/passada"};
inline constexpr Text col_diff{"max |Δlogits| vs unmerged", "máx |Δlogits| vs sem merge"};
inline constexpr Text row_base{"base", "base"};
inline constexpr Text row_unmerged{"base + adapter (unmerged: two extra thin matmuls)",
                                   "base + adaptador (sem merge: dois produtos finos a mais)"};
inline constexpr Text row_merged{"merged (W0 + s·B·A)", "com merge (W0 + s·B·A)"};
inline constexpr Text merge_spread{
    "Each row is the median of {} interleaved runs; the middle half of them (25th to 75th "
    "percentile) spans {:.3f}–{:.3f} ms for the base, {:.3f}–{:.3f} unmerged and {:.3f}–{:.3f} "
    "merged: that width is the noise of this machine.",
    "Cada linha é a mediana de {} execuções intercaladas; a metade do meio delas (do 25º ao 75º "
    "percentil) vai de {:.3f} a {:.3f} ms na base, de {:.3f} a {:.3f} sem merge e de {:.3f} a {:.3f} "
    "com merge: essa largura é o ruído desta máquina."};
inline constexpr Text merge_check{"Merged vs unmerged: max |Δ| = {:.2e}, i.e. {:.2e} of the largest |logit| {}",
                                  "Com vs sem merge: máx |Δ| = {:.2e}, ou seja {:.2e} do maior |logit| {}"};

inline constexpr Step analysis{
    {"The paper's analysis in miniature: rank of the learned ΔW", "A análise do artigo em miniatura: posto do ΔW aprendido"},
    {"Layer {} of the técnico adapters. Singular values of ΔW = s·B·A (computed thin, without "
     "forming the d × k product). If the update really is low rank, the first values dominate:",
     "Camada {} dos adaptadores do domínio técnico. Valores singulares de ΔW = s·B·A (calculados sem formar "
     "o produto d × k). Se a atualização é mesmo de posto baixo, os primeiros valores dominam:"}};
inline constexpr Text energy{"r = 8: the top direction holds {:.1f}% of ‖ΔW‖², the top two {:.1f}%.",
                             "r = 8: a direção principal guarda {:.1f}% de ‖ΔW‖², as duas primeiras {:.1f}%."};
inline constexpr Text phi_intro{
    "Subspace similarity (§7 of the paper): φ(i, j) = ‖U_iᵀ·U'_j‖²_F / min(i, j) between the top-i "
    "directions of the r = 8 adapter and the top-j of the r = 2 adapter, trained independently "
    "on the same data. 1 = the same directions, 0 = orthogonal. Random matrices of the same "
    "shapes give φ(1, 1) ≈ {:.3f} and φ(8, 1) ≈ {:.3f} (mean of 20 draws).",
    "Similaridade de subespaços (§7 do artigo): φ(i, j) = ‖U_iᵀ·U'_j‖²_F / min(i, j) entre as i "
    "direções principais do adaptador r = 8 e as j do adaptador r = 2, treinados separadamente "
    "nos mesmos dados. 1 = as mesmas direções, 0 = ortogonais. Matrizes aleatórias com as mesmas "
    "formas dão φ(1, 1) ≈ {:.3f} e φ(8, 1) ≈ {:.3f} (média de 20 sorteios)."};
inline constexpr Text phi_of_A{"φ on A (right singular vectors, the paper's choice):",
                               "φ sobre A (vetores singulares à direita, a escolha do artigo):"};
inline constexpr Text phi_of_B{"φ on B (the output directions of ΔW, learned from B = 0):",
                               "φ sobre B (as direções de saída de ΔW, aprendidas a partir de B = 0):"};
inline constexpr Text phi_shared{
    "On B: φ(1, 1) = {:.3f} (random {:.3f}) and φ(8, 1) = {:.3f} (random {:.3f}): the top direction "
    "the r = 2 adapter learned lies mostly inside the subspace the r = 8 adapter learned — the "
    "paper's finding that a small r already captures the directions that matter.",
    "Em B: φ(1, 1) = {:.3f} (aleatório {:.3f}) e φ(8, 1) = {:.3f} (aleatório {:.3f}): a direção "
    "principal que o adaptador r = 2 aprendeu está em sua maior parte dentro do subespaço que o adaptador "
    "r = 8 aprendeu — o achado do artigo de que um r pequeno já captura as direções que importam."};
inline constexpr Text phi_partly{
    "On B: φ(1, 1) = {:.3f} (random {:.3f}) and φ(8, 1) = {:.3f} (random {:.3f}): the top direction "
    "of the r = 2 adapter lies partly inside the r = 8 adapter's subspace — clearly more than "
    "chance, far from the paper's values near 1 after long training. Train longer (--steps) to "
    "watch it grow.",
    "Em B: φ(1, 1) = {:.3f} (aleatório {:.3f}) e φ(8, 1) = {:.3f} (aleatório {:.3f}): a direção "
    "principal do adaptador r = 2 está em parte dentro do subespaço do adaptador r = 8 — "
    "claramente mais que o acaso, longe dos valores perto de 1 do artigo após treinos longos. "
    "Treine mais (--steps) para vê-lo crescer."};
inline constexpr Text phi_not_shared{
    "On B: φ(1, 1) = {:.3f} (random {:.3f}) and φ(8, 1) = {:.3f} (random {:.3f}): these two short "
    "runs did not find a shared direction yet — no better than chance. Train longer (--steps) to "
    "see the paper's effect.",
    "Em B: φ(1, 1) = {:.3f} (aleatório {:.3f}) e φ(8, 1) = {:.3f} (aleatório {:.3f}): estes dois "
    "treinos curtos ainda não acharam uma direção comum — nada melhor que o acaso. Treine mais "
    "(--steps) para ver o efeito do artigo."};
inline constexpr Text phi_on_A{
    "On A, φ(1, 1) = {:.3f} and φ(8, 1) = {:.3f}: {} Each A started from its own random draw and "
    "moved ‖A − A₀‖/‖A₀‖ = {:.1f}% in {} steps; the learned directions show up first in B, which "
    "started at 0.",
    "Em A, φ(1, 1) = {:.3f} e φ(8, 1) = {:.3f}: {} Cada A começou do seu próprio sorteio e se moveu "
    "‖A − A₀‖/‖A₀‖ = {:.1f}% em {} passos; as direções aprendidas aparecem primeiro em B, que "
    "começou em 0."};
inline constexpr Text phi_A_random{"about what random matrices share ({:.3f}).",
                                   "mais ou menos o que matrizes aleatórias compartilham ({:.3f})."};
inline constexpr Text phi_A_more{"more than random matrices share ({:.3f}): A moved toward common directions too.",
                                 "mais do que matrizes aleatórias compartilham ({:.3f}): A também se moveu para "
                                 "direções comuns."};

inline constexpr Step cls_intro{
    {"The lecture's comparison table in miniature: classification", "A tabela de comparação da aula em miniatura: classificação"},
    {"The lecture's table (\"Comparação com outros algoritmos\") fine-tunes RoBERTa on GLUE and "
     "reports # trainable parameters and accuracy for FT, BitFit and LoRA. The same experiment, small "
     "and in Portuguese: paragraphs of the LibreOffice help (make data: libreoffice-help-pt-br), each "
     "labelled by the module whose help it comes from — {}. {} classes, balanced: {} training "
     "paragraphs per class ({} in all) and {} test paragraphs per class ({}), so guessing scores "
     "{:.0f}%. A training example:",
     "A tabela da aula (\"Comparação com outros algoritmos\") ajusta o RoBERTa no GLUE e mostra "
     "# parâmetros treináveis e acurácia para FT, BitFit e LoRA. O mesmo experimento, pequeno e em "
     "português: parágrafos da ajuda do LibreOffice (make data: libreoffice-help-pt-br), cada um "
     "rotulado pelo módulo de cuja ajuda ele vem — {}. {} classes, balanceadas: {} parágrafos de "
     "treino por classe ({} ao todo) e {} de teste por classe ({}), então chutar acerta {:.0f}%. Um "
     "exemplo de treino:"}};
inline constexpr Step cls_missing{
    {"The lecture's comparison table: skipped (no labelled data)", "A tabela de comparação da aula: pulada (sem dados rotulados)"},
    {"This step classifies LibreOffice help paragraphs by module, but {} does not exist. Run `make "
     "data` (it fetches libreoffice-help-pt-br with apt-get download; nothing is installed) and run "
     "this tutorial again. The generative comparison above has the same columns.",
     "Este passo classifica parágrafos da ajuda do LibreOffice por módulo, mas {} não existe. Rode "
     "`make data` (ele baixa o libreoffice-help-pt-br com apt-get download; nada é instalado) e rode "
     "este tutorial de novo. A comparação generativa acima tem as mesmas colunas."}};
inline constexpr Text cls_no_encoder{
    "No pre-trained Encoder at {} — run build/tutorials/06_bert first to use 06's. Pre-training a quick "
    "one now on the text of {} training paragraphs (labels unused): WordPiece vocabulary of {}, {} MLM "
    "steps, {} layers × width {}.",
    "Nenhum Encoder pré-treinado em {} — rode build/tutorials/06_bert antes para usar o do 06. "
    "Pré-treinando agora um rápido no texto de {} parágrafos de treino (sem os rótulos): vocabulário "
    "WordPiece de {}, {} passos de MLM, {} camadas × largura {}."};
inline constexpr Text cls_quick_done{"Quick Encoder pre-trained in {:.1f} s (MLM loss {:.2f}); saved as {}.",
                                     "Encoder rápido pré-treinado em {:.1f} s (perda MLM {:.2f}); salvo como {}."};
inline constexpr Text cls_made_by{"made by {}, {} steps, seed {}", "feito por {}, {} passos, semente {}"};
inline constexpr Text cls_not_recorded{"(not recorded)", "(não registrado)"};
inline constexpr Text cls_made_unknown{"its metadata does not say what made it",
                                       "seus metadados não dizem o que o fez"};
inline constexpr Text cls_base{
    "Base: {} ({}; the table calls it {}): {} layers × width {}, {} positions, WordPiece vocabulary of {}; {} parameters "
    "without heads. On top, a fresh classification head (dense + tanh + linear, as BERT's and "
    "RoBERTa's) on the mean of the token vectors — the [CLS] vector of an Encoder pre-trained for "
    "seconds says little about the whole paragraph: {} parameters. Every method below trains that head too (PEFT's "
    "modules_to_save), and its count is included in each row.",
    "Base: {} ({}; a tabela o chama de {}): {} camadas × largura {}, {} posições, vocabulário WordPiece de {}; {} "
    "parâmetros sem cabeças. Em cima, uma cabeça de classificação nova (densa + tanh + linear, como "
    "a do BERT e do RoBERTa) na média dos vetores dos tokens — o vetor do [CLS] de um Encoder "
    "pré-treinado por segundos diz pouco sobre o parágrafo inteiro: {} parâmetros. Todo método abaixo treina essa cabeça "
    "também (o modules_to_save do PEFT), e ela está incluída na contagem de cada linha."};
inline constexpr Text cls_truncated{"{:.0f}% of the training paragraphs are longer than {} tokens and are cut.",
                                    "{:.0f}% dos parágrafos de treino passam de {} tokens e são cortados."};
inline constexpr Text cls_training{
    "Each run: {} steps of {} paragraphs (≈ {:.1f} epochs), AdamW, warm-up + cosine, learning rate {} "
    "for FT and {} for the rest; LoRA on W_q and W_v (as in the paper's GLUE runs) with α = 2r. Each "
    "run's loss: first batch → a moving average at the end; its accuracy: on the test paragraphs. {}",
    "Cada treino: {} passos de {} parágrafos (≈ {:.1f} épocas), AdamW, aquecimento + cosseno, taxa de "
    "aprendizado {} no FT e {} nos demais; LoRA em W_q e W_v (como nos testes GLUE do artigo) com "
    "α = 2r. A perda de cada treino: primeiro lote → uma média móvel no fim; a acurácia: nos parágrafos "
    "de teste. {}"};
inline constexpr Text cls_col_acc{"Accuracy (test, %)", "Acurácia (teste, %)"};
inline constexpr Text cls_chance_row{"chance (balanced classes)", "acaso (classes balanceadas)"};
inline constexpr Text cls_single_note{
    "Single runs (seed {}), not the lecture's mean ± std: with a test set this small a difference of "
    "a few points can be noise. `--seeds 3` repeats every row with seeds {}…{} and prints mean ± std.",
    "Execuções únicas (semente {}), não a média ± desvio da aula: com um teste tão pequeno uma "
    "diferença de poucos pontos pode ser ruído. `--seeds 3` repete cada linha com as sementes {}…{} "
    "e mostra média ± desvio."};
inline constexpr Text cls_multi_note{
    "Mean ± standard deviation over {} seeds ({}…{}): the seed changes the head's initialisation, "
    "LoRA's A and the order of the batches — like the lecture's ± columns.",
    "Média ± desvio padrão sobre {} sementes ({}…{}): a semente muda a inicialização da cabeça, o A "
    "do LoRA e a ordem dos lotes — como as colunas ± da aula."};
inline constexpr Text cls_verdict{
    "Read it like the lecture's table. The head alone is {} parameters; LoRA r = 4 adds {} to it, "
    "FT trains {}. FT reached {:.1f}% and LoRA r = 4 {:.1f}% (the frozen Encoder with only the head: "
    "{:.1f}%) with {:.0f}× fewer trainable parameters.",
    "Leia como a tabela da aula. A cabeça sozinha tem {} parâmetros; o LoRA r = 4 soma {} a ela, o FT "
    "treina {}. O FT chegou a {:.1f}% e o LoRA r = 4 a {:.1f}% (o Encoder congelado só com a cabeça: "
    "{:.1f}%) com {:.0f}× menos parâmetros treináveis."};
inline constexpr Text cls_gap{
    "Unlike the paper, FT wins here, by {:.1f} points. LoRA and BitFit can only reweight what the base "
    "already computes; RoBERTa was pre-trained on 160 GB of text, this Encoder for seconds on a few "
    "thousand sentences about GNU/Linux and capitals (or, without 06, on these paragraphs for a few "
    "hundred steps). FT can relearn the word embeddings for the "
    "new domain, LoRA on W_q, W_v cannot. The lecture's \"LoRA ≈ FT\" needs a strong base — a "
    "limitation measured, not a failure of the method.",
    "Ao contrário do artigo, aqui o FT vence, por {:.1f} pontos. LoRA e BitFit só conseguem reponderar o "
    "que a base já calcula; o RoBERTa foi pré-treinado com 160 GB de texto, este Encoder por segundos "
    "em alguns milhares de frases sobre GNU/Linux e capitais (ou, sem o 06, nestes parágrafos por "
    "algumas centenas de passos). O FT pode reaprender os embeddings das "
    "palavras do novo domínio, o LoRA em W_q, W_v não. O \"LoRA ≈ FT\" da aula precisa de uma base "
    "forte — uma limitação medida, não uma falha do método."};
inline constexpr Text cls_parity{
    "As in the paper, LoRA comes close to FT (a gap of {:.1f} points) while training a small fraction "
    "of the parameters.",
    "Como no artigo, o LoRA chega perto do FT (diferença de {:.1f} pontos) treinando uma pequena "
    "fração dos parâmetros."};
inline constexpr Text cls_near_chance{
    "FT ({:.1f}%) is not yet clearly above chance ({:.1f}%): too few steps to compare the methods "
    "(--quick trains briefly); run without --quick, or with more --seeds.",
    "O FT ({:.1f}%) ainda não está claramente acima do acaso ({:.1f}%): passos de menos para comparar "
    "os métodos (--quick treina pouco); rode sem --quick, ou com mais --seeds."};
inline constexpr Text cls_single_run{"Single runs (seed {}).", "Execuções únicas (semente {})."};
inline constexpr Text cls_head_only{"head only, frozen Encoder", "só a cabeça, Encoder congelado"};
inline constexpr Text cls_col_model{"Model & Method", "Modelo & Método"};
inline constexpr Text cls_col_params{"# Trainable Parameters", "# Parâmetros Treináveis"};
// A run's line: under 72 columns (88 less the label's 16) with a seed of 20 digits, the
// largest --seed takes; "acerto" (the share of right answers) is the short Portuguese word.
inline constexpr Text cls_run{"seed {}  loss {:.3f} → {:.3f}  accuracy {:.1f}%  {:.1f} s",
                              "semente {}  perda {:.3f} → {:.3f}  acerto {:.1f}%  {:.1f} s"};
inline constexpr Text cls_head_short{"head only", "só a cabeça"};  // the run lines' label
inline constexpr Text flag_only_cls{"run only the classification table (step 7 of the full run)",
                                    "roda só a tabela de classificação (passo 7 da execução completa)"};

inline constexpr Step takeaway{
    {"What the lecture promised, and what we measured", "O que a aula prometeu, e o que medimos"},
    {"Training efficiency: {} vs {} trainable parameters. Storage: {} per domain vs {}. Base "
     "reuse: one base, adapters swapped in one process. {} Generalisation: the general-text "
     "perplexity moved {:+.2f} with LoRA vs {:+.2f} with full FT. {}",
     "Eficiência de treinamento: {} vs {} parâmetros treináveis. Economia de armazenamento: {} por "
     "domínio vs {}. Reutilização do modelo base: um só modelo base, com adaptadores trocados num só "
     "processo. {} Generalização: a perplexidade no texto geral mudou {:+.2f} com LoRA vs {:+.2f} com "
     "FT completo. {}"}};
// Unmerged vs base, the same way: what merging takes away.
inline constexpr Text unmerged_costs{
    "Unmerged, the adapter's two thin products per layer cost {:.3f} ms more than the base "
    "({:+.0f}%, beyond the spread of {:.3f} ms): that is what merging removes.",
    "Sem merge, os dois produtos finos do adaptador por camada custam {:.3f} ms a mais que a base "
    "({:+.0f}%, acima da variação de {:.3f} ms): é isso que o merge elimina."};
inline constexpr Text unmerged_same{
    "Unmerged, the adapter's two thin products per layer are too small to show here: {:.3f} ms "
    "apart from the base, within the spread of {:.3f} ms.",
    "Sem merge, os dois produtos finos do adaptador por camada são pequenos demais para aparecer "
    "aqui: {:.3f} ms de diferença da base, dentro da variação de {:.3f} ms."};
// Merged vs base, from the medians and the spread of the runs (main.cpp, step 5).
inline constexpr Text latency_same{
    "Merged vs base: {:.3f} vs {:.3f} ms per forward (medians), {:.3f} ms apart — within the runs' "
    "own spread of {:.3f} ms (the wider of the two middle halves): the same within noise, no "
    "inference latency after merge.",
    "Com merge vs base: {:.3f} vs {:.3f} ms por passada (medianas), {:.3f} ms de diferença — dentro "
    "da variação das próprias execuções, {:.3f} ms (a mais larga das duas metades do meio): o mesmo "
    "dentro do ruído, nenhuma latência de inferência depois do merge."};
inline constexpr Text latency_differs{
    "Merged vs base: {:.3f} vs {:.3f} ms per forward (medians), {:.3f} ms {} — more than the runs' "
    "own spread of {:.3f} ms (the wider of the two middle halves), so a difference in this run. The merged layers are plain Linear layers of "
    "the base's shapes, doing the base's arithmetic: look for the cause in the machine, not the "
    "merge, and rerun to see whether it stays.",
    "Com merge vs base: {:.3f} vs {:.3f} ms por passada (medianas), {:.3f} ms {} — mais que a "
    "variação das próprias execuções, {:.3f} ms (a mais larga das duas metades do meio), então uma "
    "diferença nesta execução. As camadas com merge são "
    "camadas Linear comuns com as formas da base, fazendo as contas da base: procure a causa na "
    "máquina, não no merge, e rode de novo para ver se ela fica."};
inline constexpr Text slower{"slower", "mais lento"};
inline constexpr Text faster{"faster", "mais rápido"};
inline constexpr Text ft_fits_better{"Limitation, also measured: with few steps full FT fits the domain better "
                                     "({:.2f} vs {:.2f}).",
                                     "Limitação, também medida: com poucos passos o FT completo se ajusta melhor "
                                     "ao domínio ({:.2f} vs {:.2f})."};
inline constexpr Text lora_fits_as_well{"Here LoRA fits the domain as well as full FT ({:.2f} vs {:.2f}).",
                                        "Aqui o LoRA se ajusta ao domínio tão bem quanto o FT completo ({:.2f} vs "
                                        "{:.2f})."};

inline constexpr Text spectrum_title{"σ_i of ΔW = s·B·A ({})", "σ_i de ΔW = s·B·A ({})"};

}  // namespace aprender::tutorial::lora_narration
