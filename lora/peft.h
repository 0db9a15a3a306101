// peft.h — adapters as files, in Hugging Face PEFT's layout, so that an adapter is a
// few hundred kilobytes you can mail around instead of a whole model.
//
//   adapters/tecnico/
//     adapter_config.json          {"peft_type": "LORA", "r": 4, "lora_alpha": 8,
//                                   "lora_dropout": 0.0, "target_modules": ["q_proj", "v_proj"],
//                                   "bias": "none", "use_rslora": false,
//                                   "init_lora_weights": "gaussian",
//                                   "base_model_name_or_path": "base.safetensors", ...}
//     adapter_model.safetensors    base_model.model.<module path>.lora_A.weight  [r, in]
//                                  base_model.model.<module path>.lora_B.weight  [out, r]
//                                  (+ base_model.model.<name>.bias when bias != none)
//                                  __metadata__: {"format": "pt",
//                                                 "aprender_base_sha256": "9f86d0…",
//                                                 "aprender_seed": "1234", ...}
//
// The key prefix "base_model.model." and the field names are PEFT's (LoraModel inside
// PeftModel); init_lora_weights is true for Kaiming-uniform (PEFT's default) and
// "gaussian" for Gaussian. A single "re:<regex>" target is written as PEFT's regex
// string; "layers_to_transform" holds Config::layers.
//
// The base fingerprint ("aprender_base_sha256", our own field, so it goes in the weights
// file's metadata, which PEFT does not read; in adapter_config.json PEFT would warn about
// it and advise an upgrade. Adapters saved before 2026-11-27 have it and "aprender_seed"
// in the config, where they are still read): SHA-256 over the base model's state, every tensor in name order
// as  name "\n" dtype shape "\n" raw little-endian bytes,  with the names of the plain
// model (".base_layer" removed, adapter factors left out). When the adapter trains
// biases (bias != none) the biases are left out of the fingerprint, since the adapter
// file carries its own. A merged model cannot be fingerprinted (its W0 is not the base).
#pragma once

#include "lora/lora.h"
#include "nn/safetensors.h"

#include <string>
#include <vector>

namespace aprender::lora {

// The largest |lora_alpha| an adapter may carry (s = alpha / r scales ΔW): larger comes from a
// corrupt file, and training with more would save an adapter that could not be read back.
constexpr double kMaxAlpha = 1e6;

struct AdapterFileError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

std::string base_state_sha256(const nn::Module& model, BiasMode bias = BiasMode::none);

// Write adapter `adapter` (empty: the active one) of `model` into directory `dir`
// (created if needed; both files written atomically). `metadata` goes into the weights
// file's header beside PEFT's {"format": "pt"} (a tutorial records there what made it).
void save_adapter(const nn::Module& model, const std::string& dir, const std::string& base_model_name_or_path = "",
                  const std::string& adapter = "", const nn::Metadata& metadata = {});

// The two files of an adapter directory: adapter_config.json, adapter_model.safetensors.
const std::vector<std::string>& adapter_file_names();

// An adapter directory, read and validated on its own (no model needed).
struct AdapterFiles {
    Config config;
    std::string base_model_name_or_path, base_sha256;
    nn::Checkpoint weights;  // keys as in the file
    // module path → (A, B), in file order
    std::vector<std::pair<std::string, std::pair<Tensor, Tensor>>> layers;
    nn::NamedTensors biases;  // plain parameter names (prefix removed)
};
AdapterFiles read_adapter(const std::string& dir);

// Read `dir` and add it to `model` as adapter `name`, made active. Checks, before
// changing anything: the base fingerprint (check_base), that every module path exists
// and is a Linear, and that A is [r, in] and B [out, r] for that layer.
Config load_adapter(nn::Module& model, const std::string& dir, const std::string& name = "default", bool check_base = true);

}  // namespace aprender::lora
