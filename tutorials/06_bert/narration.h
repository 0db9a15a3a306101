// narration.h — every word 06_bert says, in English and Portuguese, in one place.
#pragma once

#include "tutorials/common/narration.h"

namespace aprender::tutorial::bert_narration {

inline constexpr Text title{"BERT — transfer learning with a masked language model (2018)",
                            "BERT — transferência de aprendizado com modelo de linguagem mascarado (2018)"};
inline constexpr Text summary{
    "A small bidirectional Encoder with a Portuguese WordPiece vocabulary, trained with BERT's "
    "masking (rates measured) on the corpus plus synthetic capital sentences; \"Roma é a [MASK] da "
    "Itália.\" filled in; and its limitations shown: it cannot write left to right, and it refuses "
    "inputs longer than its positions.",
    "Um pequeno Encoder bidirecional com vocabulário WordPiece em português, treinado com o "
    "mascaramento do BERT (taxas medidas) no corpus mais frases sintéticas de capitais; \"Roma é a "
    "[MASK] da Itália.\" preenchida; e suas limitações mostradas: não escreve da esquerda para a "
    "direita e recusa entradas maiores que suas posições."};
inline constexpr Text flag_steps{"training steps (default 500; --quick 300)", "passos de treino (padrão 500; --quick 300)"};

inline constexpr Step data{
    {"Data and a WordPiece vocabulary", "Dados e um vocabulário WordPiece"},
    {"{} sentences of the corpus '{}' plus {} synthetic sentences about capitals (data/bert/capitais.txt, "
     "written for this tutorial: a corpus this small says too little about geography). A WordPiece "
     "vocabulary of {} pieces is trained on them; words it cannot hold whole are cut into pieces "
     "with \"##\":",
     "{} frases do corpus '{}' mais {} frases sintéticas sobre capitais (data/bert/capitais.txt, "
     "escritas para este tutorial: um corpus tão pequeno diz pouco sobre geografia). Um vocabulário "
     "WordPiece de {} pedaços é treinado nelas; palavras que ele não guarda inteiras são cortadas em "
     "pedaços com \"##\":"}};
inline constexpr Text accents{
    "The text is lower-cased but keeps its accents: BERT-uncased also strips them, which in "
    "Portuguese turns \"é\" (is) into \"e\" (and) and changes the meaning of this very sentence.",
    "O texto vai para minúsculas, mas mantém os acentos: o BERT-uncased também os remove, o que em "
    "português transforma \"é\" em \"e\" e muda o sentido desta mesma frase."};
inline constexpr Text fallback{"Real corpus missing ({}). Using the committed sentences only.",
                               "Corpus real ausente ({}). Usando só as frases do repositório."};

inline constexpr Step masking{
    {"BERT's masking, measured", "O mascaramento do BERT, medido"},
    {"Each training sentence hides some of its own words and the model must recover them from "
     "both sides. BERT's recipe: select 15% of the tokens; of those, 80% become [MASK], 10% a random "
     "token, 10% stay unchanged ([MASK] never appears when the model is used later, and the random "
     "tokens keep it from trusting that an unmasked word is right). Counted "
     "over every batch of the training run above ({} tokens that could be selected):",
     "Cada frase de treino esconde algumas de suas próprias palavras e o modelo precisa recuperá-las "
     "pelos dois lados. A receita do BERT: selecionar 15% dos tokens; destes, 80% viram [MASK], 10% "
     "um token aleatório, 10% ficam iguais ([MASK] nunca aparece quando o modelo for usado depois, e "
     "os tokens aleatórios impedem que ele confie que uma palavra não mascarada está certa). Contado em todos os lotes do treino acima ({} tokens selecionáveis):"}};
inline constexpr Text example_masked{"One training sentence, before and after masking:",
                                     "Uma frase de treino, antes e depois do mascaramento:"};
inline constexpr Text col_what{"what", "o quê"};
inline constexpr Text col_expected{"recipe", "receita"};
inline constexpr Text col_measured{"measured", "medido"};
inline constexpr Text row_selected{"selected / selectable tokens", "selecionados / tokens selecionáveis"};
inline constexpr Text row_masked{"→ [MASK] / selected", "→ [MASK] / selecionados"};
inline constexpr Text row_random{"→ random / selected", "→ aleatório / selecionados"};
inline constexpr Text row_unchanged{"→ unchanged / selected", "→ inalterado / selecionados"};

inline constexpr Step training{
    {"Training the Encoder", "Treinando o Encoder"},
    {"Encoder: {} layers, {} heads, width {}, {} positions, {} parameters. {} steps of AdamW on "
     "batches of {} sentences; the loss is the cross-entropy on the selected tokens only.",
     "Encoder: {} camadas, {} cabeças, largura {}, {} posições, {} parâmetros. {} passos de AdamW em "
     "lotes de {} frases; a perda é a entropia cruzada só nos tokens selecionados."}};
inline constexpr Text mlm_loss{"MLM loss", "perda MLM"};
inline constexpr Text trained{"MLM loss {:.3f} on the first batch → {:.3f} at the end (a moving average of the last ~20 "
                              "batches) in {:.1f} s.",
                              "Perda MLM {:.3f} no primeiro lote → {:.3f} no fim (média móvel dos últimos ~20 lotes) "
                              "em {:.1f} s."};

inline constexpr Step fill{
    {"\"Roma é a [MASK] da Itália.\"", "\"Roma é a [MASK] da Itália.\""},
    {"The five most probable fillers of the blank, looking both left and right:",
     "Os cinco preenchimentos mais prováveis da lacuna, olhando para a esquerda e para a direita:"}};
inline constexpr Text held_out{
    "A sentence of the same shape whose words never appeared together in training (\"{}\" and "
    "\"{}\" never share a training sentence — checked: {} sentences contain both):",
    "Uma frase do mesmo formato cujas palavras nunca apareceram juntas no treino (\"{}\" e \"{}\" "
    "nunca dividem uma frase de treino — conferido: {} frases contêm as duas):"};

inline constexpr Step no_generation{
    {"Limitation 1: it does not write left to right", "Limitação 1: ele não escreve da esquerda para a direita"},
    {"Its guess depends on the words to the right of the blank, which a writer has not produced yet. "
     "The same blank with and without its right side:",
     "Seu palpite depende das palavras à direita da lacuna, que quem escreve ainda não produziu. A "
     "mesma lacuna com e sem o lado direito:"}};
inline constexpr Text generation_try{
    "Trying anyway — append [MASK], take the likeliest piece, repeat {} times, starting from \"{}\":",
    "Tentando mesmo assim — acrescentar [MASK], pegar o pedaço mais provável, repetir {} vezes, a "
    "partir de \"{}\":"};
inline constexpr Text generation_why{
    "It was only ever trained to fill blanks surrounded by text; it gives no probability to a "
    "whole sentence word after word, which is what a GPT (07) is built for.",
    "Ele só foi treinado para preencher lacunas cercadas de texto; não dá probabilidade a uma frase "
    "inteira palavra após palavra, que é para o que um GPT (07) é feito."};

inline constexpr Step too_long{
    {"Limitation 2: a fixed number of positions", "Limitação 2: um número fixo de posições"},
    {"Each position has its own learned embedding, and there are {} of them (BERT has 512). An input "
     "of {} tokens is refused:",
     "Cada posição tem seu próprio embedding aprendido, e há {} deles (o BERT tem 512). Uma entrada "
     "de {} tokens é recusada:"}};

// {0} is nn::Encoder's error message (English, as the library writes it); {1} tokens, {2} positions.
inline constexpr Text refused{
    "{0}",
    "Encoder: a entrada de {1} tokens é maior que as suas {2} posições (max_len); modelos no estilo do "
    "BERT não conseguem ler além da sua tabela de posições"};
inline constexpr Text accepted{"accepted?!", "aceita?!"};

inline constexpr Step save_base{
    {"The pre-trained base for tutorial 10", "A base pré-treinada do tutorial 10"},
    {"What BERT is for: transfer. The trained Encoder (without any task head) goes into a "
     "safetensors file, its configuration as metadata, and the WordPiece vocabulary into a folder "
     "beside it. Tutorial 10 loads it, adds a classification head and fine-tunes it — fully, "
     "with BitFit and with LoRA — to sort LibreOffice help paragraphs by module: the lecture's "
     "comparison table in miniature. Reloaded and checked: the same outputs.",
     "Para que serve o BERT: transferência. O Encoder treinado (sem cabeça de tarefa) vai para um "
     "arquivo safetensors, com a configuração como metadado, e o vocabulário WordPiece para uma pasta "
     "ao lado. O tutorial 10 o carrega, põe uma cabeça de classificação e o ajusta — por "
     "completo, com BitFit e com LoRA — para separar parágrafos da ajuda do LibreOffice por módulo: a "
     "tabela de comparação da aula em miniatura. Recarregado e conferido: as mesmas saídas."}};
inline constexpr Text reload_check{"Reloaded from disk: max |Δ logit| = {:.2e} {}",
                                   "Recarregado do disco: máx |Δ logit| = {:.2e} {}"};

}  // namespace aprender::tutorial::bert_narration
