// dtype.h — the element types a tensor can hold, and the devices it can live on.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace aprender {

// float32 is what models train in; float64 exists for gradient checks (finite
// differences need the extra precision); int32 holds token ids and indices.
enum class DType { f32, f64, i32 };

inline size_t dtype_size(DType t) { return t == DType::f64 ? 8 : 4; }
inline const char* dtype_name(DType t) {
    switch (t) {
        case DType::f32: return "float32";
        case DType::f64: return "float64";
        case DType::i32: return "int32";
    }
    return "?";
}
inline bool is_floating(DType t) { return t != DType::i32; }

struct Device {
    enum class Kind { cpu, cuda };
    Kind kind = Kind::cpu;
    int index = 0;

    static Device cpu() { return {}; }
    static Device cuda(int index = 0) { return {Kind::cuda, index}; }
    bool is_cpu() const { return kind == Kind::cpu; }
    bool is_cuda() const { return kind == Kind::cuda; }
    bool operator==(const Device&) const = default;
    std::string str() const { return is_cpu() ? "cpu" : "cuda:" + std::to_string(index); }
    // "cpu", "cuda", "cuda:N" (N: up to 4 digits); throws on anything else.
    static Device parse(const std::string& name);
};

}  // namespace aprender
