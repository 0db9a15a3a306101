// safetensors.h — checkpoints in Hugging Face's safetensors format.
//
// A safetensors file is three parts, nothing else (https://github.com/huggingface/safetensors):
//
//     [ 8 bytes ]  N, the header length, unsigned 64-bit little-endian
//     [ N bytes ]  a JSON object (UTF-8), padded at the end with spaces so that the
//                  data starts at an offset that is a multiple of 8:
//                    { "__metadata__": {"model": "gpt", "n_layer": "4", ...},  // string → string
//                      "wte.weight": {"dtype": "F32", "shape": [65, 128],
//                                     "data_offsets": [0, 33280]}, ... }
//     [ rest   ]  the raw numbers, little-endian, row-major; tensor t occupies bytes
//                  [begin, end) of this part, counted from its start.
//
// Why this format: it is trivial (20 lines of numpy read it), it cannot execute code on
// load (unlike pickle-based .pt files), and PyTorch reads it with
// safetensors.torch.load_file, so a PyTorch model with the same module names can
// load_state_dict our checkpoints (and we can load theirs).
//
// Loading validates everything before believing any number, and the first problem is
// reported in plain words naming the file and the tensor (SafetensorsError).
// Saving writes `path.tmp`, flushes it to disk, and then renames it over `path`: rename
// is atomic on POSIX, so a crash or an error mid-save leaves the old checkpoint intact.
#pragma once

#include "nn/module.h"

#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace aprender::nn {

using Metadata = std::map<std::string, std::string>;

struct SafetensorsError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

struct Checkpoint {
    NamedTensors tensors;  // in the order of the file's data section
    Metadata metadata;     // the header's "__metadata__" (empty when absent)
    // How many numbers the file holds, all tensors together: the most parameters a config
    // in its metadata can honestly describe (a corrupt header must not make us allocate
    // terabytes before the tensors are even compared).
    int64_t numel() const;
};

// The name of the first floating-point tensor holding a NaN or an infinity, if any: model
// weights never should (training stops when its loss does), so a file with one is corrupt.
std::optional<std::string> non_finite_tensor(const NamedTensors& tensors);

// A config read back from metadata strings, strictly: the key must be there, the whole
// value must be the number ("0.1xyz" and "" are refused) and a bool is "true" or "false".
// Errors name the key and the value.
int64_t metadata_int(const Metadata& meta, const std::string& key);
double metadata_double(const Metadata& meta, const std::string& key);
bool metadata_bool(const Metadata& meta, const std::string& key);

// Write `tensors` (any device, any layout; f32 → "F32", f64 → "F64", i32 → "I32") in
// the order given. Tied weights — one tensor under two names — are written under each
// name (safetensors has no aliasing). Names must be unique and not "__metadata__".
void save_safetensors(const std::string& path, const NamedTensors& tensors, const Metadata& metadata = {});

// Read and validate a file. Tensors come back on the CPU. "F32", "F64", "I32" load as
// they are; "F16" and "BF16" are widened to f32 exactly; "I64" is narrowed to i32 (an
// error if a value does not fit).
Checkpoint load_safetensors(const std::string& path);

// The same, from the bytes of a file already in memory; `source` names it in errors.
Checkpoint parse_safetensors(const std::string& bytes, const std::string& source);

// What a file's header says about it, without its numbers.
struct TensorInfo {
    std::string name;
    std::string dtype;        // as in the file: "F32", "BF16", ...
    Shape shape;
    uint64_t begin = 0, end = 0;  // its "data_offsets": bytes [begin, end) of the data section
};
struct SafetensorsHeader {
    Metadata metadata;                // "__metadata__" (empty when absent)
    std::vector<TensorInfo> tensors;  // in the order of the file's data section
};

// Only the header: reads the 8-byte length and the JSON after it, never the data section
// (a 07 --full base is megabytes; its settings are a few bytes). Every check of
// load_safetensors that needs no numbers is made, with the same errors: a truncated file, a
// header that is not JSON, offsets that do not tile the data section. For a program that
// wants a checkpoint's metadata or its tensors' shapes, not the tensors.
SafetensorsHeader read_safetensors_header(const std::string& path);

// load_safetensors + module.load_state_dict (names, shapes, dtypes checked there;
// strict by default). Returns the file's metadata (e.g. the model config).
Metadata load_into(Module& module, const std::string& path, bool strict = true);

}  // namespace aprender::nn
