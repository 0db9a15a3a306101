// narration.h — every word 03_autograd says, in English and Portuguese, in one place.
#pragma once

#include "tutorials/common/narration.h"

namespace aprender::tutorial::autograd_narration {

inline constexpr Text title{"Autograd — how a network learns", "Autograd — como uma rede aprende"};
inline constexpr Text summary{
    "One neuron as an expression graph of plain numbers: forward values, every backward step of "
    "the chain rule, a finite-difference check, why gradients accumulate (x·x), the graph as "
    "Graphviz; then the same with aprender's tensors, and a bag-of-words classifier (feliz/triste) "
    "trained with them.",
    "Um neurônio como grafo de expressões com números simples: valores da ida, cada passo da volta "
    "pela regra da cadeia, uma conferência por diferenças finitas, por que os gradientes se acumulam "
    "(x·x), o grafo em Graphviz; depois o mesmo com os tensores do aprender e um classificador "
    "saco-de-palavras (feliz/triste) treinado com eles."};
inline constexpr Text flag_steps{"training steps of the classifier (default 300; --quick 100)",
                                 "passos de treino do classificador (padrão 300; --quick 100)"};

inline constexpr Step neuron{
    {"One neuron, forward", "Um neurônio, ida"},
    {"o = tanh(n), n = s + b, s = x1·w1 + x2·w2. Each operation becomes a node that remembers its inputs — "
     "that memory is the graph autograd walks back through. Forward values:",
     "o = tanh(n), n = s + b, s = x1·w1 + x2·w2. Cada operação vira um nó que lembra suas entradas — essa memória "
     "é o grafo que o autograd percorre de volta. Valores da ida:"}};
inline constexpr Step backward{
    {"Backward: the chain rule, one node at a time", "Volta: a regra da cadeia, um nó por vez"},
    {"Start with ∂o/∂o = 1 and visit the nodes in reverse topological order. Each node knows only "
     "its local derivative and multiplies it by the gradient that arrives from above "
     "(∂o/∂input = ∂o/∂node · ∂node/∂input):",
     "Comece com ∂o/∂o = 1 e visite os nós em ordem topológica reversa. Cada nó conhece só sua "
     "derivada local e a multiplica pelo gradiente que chega de cima "
     "(∂o/∂entrada = ∂o/∂nó · ∂nó/∂entrada):"}};
inline constexpr Step check{
    {"Checking with finite differences", "Conferindo com diferenças finitas"},
    {"Nudge each input by h = {} in both directions and measure how o moves: (o(v+h) − o(v−h)) / 2h. "
     "No calculus, just two more forward passes per input — too slow for millions of weights, "
     "perfect for checking.",
     "Desloque cada entrada em h = {} nos dois sentidos e meça quanto a saída o muda: (o(v+h) − o(v−h)) / 2h. "
     "Nada de cálculo diferencial, só mais duas idas por entrada — lento demais para milhões de pesos, perfeito "
     "para conferir."}};
inline constexpr Text col_input{"input", "entrada"};
inline constexpr Text col_autograd{"autograd", "autograd"};
inline constexpr Text col_numeric{"finite diff.", "dif. finitas"};
inline constexpr Text col_error{"|difference|", "|diferença|"};

inline constexpr Step accumulate{
    {"Why gradients accumulate: y = x·x", "Por que os gradientes se acumulam: y = x·x"},
    {"When a value is used twice, both uses send gradient back to it and the two must be added: "
     "dy/dx = 2x. An engine that *assigns* the gradient instead of adding it keeps only one of the "
     "two contributions. With x = {}:",
     "Quando um valor é usado duas vezes, os dois usos mandam gradiente de volta e os dois precisam "
     "ser somados: dy/dx = 2x. Um motor que *atribui* o gradiente em vez de somar fica com só uma das "
     "contribuições. Com x = {}:"}};
inline constexpr Text assign_result{"grad with  =  : {}   {}", "grad com  =  : {}   {}"};
inline constexpr Text add_result{"grad with += : {}   {} (2x = {})", "grad com += : {}   {} (2x = {})"};
inline constexpr Text twice{
    "The same rule across calls: aprender's x.grad() after one backward of x·x is {}, after a second "
    "backward without zero_grad() it is {} — which is why every training loop calls zero_grad().",
    "A mesma regra entre chamadas: x.grad() do aprender depois de um backward de x·x é {}, depois de "
    "um segundo backward sem zero_grad() é {} — é por isso que todo laço de treino chama zero_grad()."};

inline constexpr Step graphviz{
    {"The graph, drawn", "O grafo, desenhado"},
    {"The same graph in Graphviz's DOT language (any `dot` renders it; the values and gradients are "
     "in the boxes).",
     "O mesmo grafo na linguagem DOT do Graphviz (qualquer `dot` o desenha; valores e gradientes "
     "estão nas caixas)."}};
inline constexpr Text no_dot{"`dot` is not installed: open the .dot file with any Graphviz viewer (apt install graphviz).",
                             "`dot` não está instalado: abra o .dot em qualquer visualizador Graphviz (apt install graphviz)."};

inline constexpr Step tensors{
    {"The same neuron with aprender's tensors", "O mesmo neurônio com os tensores do aprender"},
    {"aprender records the same kind of graph for whole arrays. The neuron again, through "
     "Tensor ops — same numbers:",
     "O aprender grava o mesmo tipo de grafo para arrays inteiros. O neurônio de novo, com operações "
     "de Tensor — os mesmos números:"}};

inline constexpr Step classifier{
    {"A network that learns: feliz or triste?", "Uma rede que aprende: feliz ou triste?"},
    {"Sentences (synthetic, from templates) with the feelings of tutorial 01's ELIZA. Each becomes a "
     "bag of words: a vector with one count per vocabulary word ({} words). A linear layer + softmax "
     "gives P(feliz), P(triste); {} steps of gradient descent on the cross-entropy, every gradient from "
     "autograd. {} training sentences, {} held out.",
     "Frases (sintéticas, feitas de moldes) com os sentimentos da ELIZA do tutorial 01. Cada uma vira um "
     "saco de palavras: um vetor com uma contagem por palavra do vocabulário ({} palavras). Uma camada "
     "linear + softmax dá P(feliz), P(triste); {} passos de descida do gradiente na entropia cruzada, "
     "todo gradiente vindo do autograd. {} frases de treino, {} separadas para teste."}};
inline constexpr Text trained{"Loss {:.3f} → {:.3f}. Held-out accuracy {}/{}.",
                              "Perda {:.3f} → {:.3f}. Acurácia nas frases separadas {}/{}."};
inline constexpr Text series_train{"train", "treino"};
inline constexpr Text plot_title{"Bag-of-words classifier: training loss", "Classificador saco-de-palavras: perda de treino"};
inline constexpr Text weights{
    "Learned weight w[feliz] − w[triste] per word, drawn by size: the four words that push "
    "hardest toward feliz (> 0) and the four toward triste (< 0) — the words it learned to trust:",
    "Peso aprendido w[feliz] − w[triste] por palavra, desenhado pelo tamanho: as quatro palavras "
    "que mais puxam para feliz (> 0) e as quatro para triste (< 0) — as palavras em que aprendeu "
    "a confiar:"};
inline constexpr Step limitation{
    {"Its limitation: a bag has no order", "Sua limitação: um saco não tem ordem"},
    {"A bag of words cannot tell \"não estou feliz\" from \"estou feliz\" unless \"não\" alone carries "
     "the meaning, and it knows nothing about words it never saw (their count goes nowhere). Meaning "
     "needs representations of words and of context: embeddings (04) and attention (05).",
     "Um saco de palavras não distingue \"não estou feliz\" de \"estou feliz\" a não ser que \"não\" "
     "sozinho carregue o sentido, e nada sabe de palavras que nunca viu (sua contagem não vai a lugar "
     "nenhum). Sentido precisa de representações das palavras e do contexto: embeddings (04) e "
     "atenção (05)."}};

inline constexpr Text word_unseen{
    "\"{}\" is in no training sentence, so it is not in the vocabulary: its count is dropped.",
    "\"{}\" não está em nenhuma frase de treino, então não está no vocabulário: sua contagem é "
    "descartada."};
inline constexpr Text word_seen{
    "\"{}\" is in the vocabulary, with w[feliz] − w[triste] = {:+.2f}: that one number is all the bag "
    "knows about it, wherever it stands.",
    "\"{}\" está no vocabulário, com w[feliz] − w[triste] = {:+.2f}: esse único número é tudo o que o "
    "saco sabe dela, onde quer que ela esteja."};

}  // namespace aprender::tutorial::autograd_narration
