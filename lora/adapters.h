// adapters.h — many adapters on one base model: switch, switch off, delete, combine,
// and bake one into a plain model.
//
// The point of LoRA for deployment (lecture: "Reutilização do Modelo Base"): one frozen
// base in memory, one small (A, B) pair per domain per layer. Switching domains is
// set_adapter(model, "juridico") — a pointer swap, no weights copied. Adding, loading
// and activating live in lora.h / peft.h; this file has the rest:
//
//     lora::add_adapter(model, "juridico", cfg);   ... train ...
//     lora::add_adapter(model, "financeiro", cfg); ... train ...
//     lora::set_adapter(model, "juridico");        // answers as the legal model
//     lora::disable_adapters(model);               // the base model, exactly (refused while merged)
//     lora::add_weighted_adapter(model, {"juridico", "financeiro"}, {0.5, 0.5}, "mix", lora::Combination::cat);
//     lora::merge_and_unload(model);               // W0 + s·B·A in plain nn::Linear layers
#pragma once

#include "lora/lora.h"

namespace aprender::lora {

// disable_adapters: every wrapped layer computes its base only (refused while an adapter is
// merged: it is inside the base weight then; unmerge first). enable_adapters: base + active
// adapter again.
void disable_adapters(nn::Module& model);
void enable_adapters(nn::Module& model);

// Remove `name` from every layer (an error when no layer has it).
void delete_adapter(nn::Module& model, const std::string& name);

// How add_weighted_adapter combines adapters with weights w_i (s_i = each one's scale):
//  linear: A = Σ √w_i·s_i·A_i,  B = Σ √w_i·B_i   (PEFT's "linear"; ranks must be equal).
//          B·A = Σ_i Σ_j √(w_i·w_j)·s_j·B_i·A_j: this has cross terms B_i·A_j, so it is
//          NOT Σ w_i·ΔW_i — the factors of different adapters live in unrelated bases.
//  cat:    A = [w_1·s_1·A_1; w_2·s_2·A_2; ...] (rows stacked), B = [B_1 B_2 ...] (columns)
//          B·A = Σ w_i·s_i·B_i·A_i = Σ w_i·ΔW_i exactly, at rank Σ r_i.
// The new adapter has scale 1 (lora_alpha = r, as PEFT) and becomes the active one.
enum class Combination { linear, cat };
void add_weighted_adapter(nn::Module& model, const std::vector<std::string>& names, const std::vector<double>& weights,
                          const std::string& new_name, Combination how);

// Merge the active adapter into every wrapped layer's W0 and put the plain nn::Linear
// back in its place: the model's state_dict is then an ordinary checkpoint (same names
// and shapes as the base), every parameter trainable again, and inference costs exactly
// what the base costs. Layers disabled or without the active adapter keep W0 as is.
void merge_and_unload(nn::Module& model);

}  // namespace aprender::lora
