// safetensors.cpp — writing and (carefully) reading safetensors files; see safetensors.h.
//
// Reading is the part that needs care: a checkpoint may come from anywhere, may be cut
// short by a full disk, or may not be a checkpoint at all. So nothing in the file is
// trusted until it is checked, in this order (the first failure is reported):
//   1. at least 8 bytes;  2. header length N fits in the file;  3. the header is JSON,
//   an object;  4. __metadata__ is string → string;  5. per tensor, in header order:
//   dtype known, shape non-negative integers, data_offsets two integers begin <= end
//   inside the data section, end - begin == numel · sizeof(dtype);  6. sorted by
//   offset, the tensors tile the data section exactly: no overlap, no hole, no tail
//   (the official library insists on this too — it rules out files with hidden bytes).
// read_safetensors_header runs the same checks, 1 and 2 against the file's size, without
// reading the data section at all.
#include "nn/safetensors.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <string_view>
#include <unistd.h>

namespace aprender::nn {

// The data section is raw little-endian numbers, copied straight into tensors.
static_assert(std::endian::native == std::endian::little, "aprender's safetensors I/O assumes a little-endian host");

using ordered_json = nlohmann::ordered_json;

namespace {

// The header may not be larger than this (the official reader's limit too): a
// corrupt length field must not make us allocate gigabytes.
constexpr uint64_t kMaxHeader = 100'000'000;

// Every dtype name the safetensors spec defines, and the ones aprender can load.
const std::set<std::string> kSpecDtypes = {"BOOL", "U8", "I8", "F8_E5M2", "F8_E4M3", "I16", "U16", "F16", "BF16",
                                           "I32", "U32", "F32", "F64", "I64", "U64"};

size_t file_dtype_size(const std::string& d) {
    if (d == "F64" || d == "I64") return 8;
    if (d == "F32" || d == "I32") return 4;
    if (d == "F16" || d == "BF16") return 2;
    return 0;  // not loadable
}

const char* file_dtype_of(DType dt) {
    switch (dt) {
        case DType::f32: return "F32";
        case DType::f64: return "F64";
        case DType::i32: return "I32";
    }
    return "?";
}

// IEEE half → float, exactly (every half is a float). Bits: 1 sign, 5 exponent, 10 mantissa.
float half_to_float(uint16_t h) {
    uint32_t sign = (uint32_t)(h >> 15) << 31, exp = (h >> 10) & 0x1f, man = h & 0x3ff, bits;
    if (exp == 0x1f) {
        bits = sign | 0x7f800000u | (man << 13);  // inf or nan
    } else if (exp != 0) {
        bits = sign | ((exp + 127 - 15) << 23) | (man << 13);  // normal: rebias the exponent
    } else if (man == 0) {
        bits = sign;  // ±0
    } else {
        // subnormal half = man · 2^-24: shift the mantissa up until its leading 1 is implicit
        int e = -1;
        do {
            man <<= 1;
            ++e;
        } while (!(man & 0x400));
        bits = sign | ((uint32_t)(127 - 15 - e) << 23) | ((man & 0x3ff) << 13);
    }
    return std::bit_cast<float>(bits);
}

// bfloat16 is the top half of a float32, so widening is a shift.
float bf16_to_float(uint16_t b) { return std::bit_cast<float>((uint32_t)b << 16); }

std::string json_type(const ordered_json& j) { return j.type_name(); }

}  // namespace

// ---- reading ----------------------------------------------------------------------------

namespace {

// Errors name the file (or what `source` calls the bytes).
auto failing_for(const std::string& source) {
    return [source](const std::string& what) {
        return SafetensorsError(fmt::format("safetensors file '{}': {}", source, what));
    };
}

// Where the three parts of a file of `file_size` bytes begin, from its first 8 bytes (or
// fewer, when that is all the file has): steps 1 and 2, and the size limit.
struct Layout {
    uint64_t header_size = 0, data_size = 0;
};

Layout read_layout(const char* first, uint64_t available, uint64_t file_size, const std::string& source) {
    auto fail = failing_for(source);
    if (available < 8)
        throw fail(fmt::format("the file is too short ({} bytes): it must begin with an 8-byte header length",
                               file_size));
    uint64_t n = 0;
    std::memcpy(&n, first, 8);  // little-endian u64
    const uint64_t after = file_size - 8;
    if (n > after)
        throw fail(fmt::format("the header length says {} bytes but only {} bytes follow it: the file is "
                               "truncated or is not a safetensors file",
                               n, after));
    if (n > kMaxHeader) throw fail(fmt::format("the header length {} is larger than the 100 MB limit", n));
    return {n, after - n};
}

// Steps 3 to 6: the JSON header of a file whose data section has `data_size` bytes. The
// tensors come back sorted by offset, the order of the data section.
SafetensorsHeader parse_header(std::string_view json, uint64_t data_size, const std::string& source) {
    auto fail = failing_for(source);
    // JSON, rejecting a name that appears twice (a JSON parser would silently keep one).
    ordered_json header;
    std::string duplicate;
    try {
        std::set<std::string> seen;
        header = ordered_json::parse(json.begin(), json.end(),
                                     [&](int depth, ordered_json::parse_event_t ev, ordered_json& parsed) {
                                         if (ev == ordered_json::parse_event_t::key && depth == 1 &&
                                             !seen.insert(parsed.get<std::string>()).second && duplicate.empty())
                                             duplicate = parsed.get<std::string>();
                                         return true;
                                     });
    } catch (const nlohmann::json::exception& e) {  // parse_error, and out_of_range for a number past double's range
        std::string what = e.what();
        if (auto p = what.find("] "); what.rfind("[json.exception", 0) == 0 && p != std::string::npos)
            what = what.substr(p + 2);
        throw fail("the header is not valid JSON: " + what);
    }
    if (!header.is_object()) throw fail("the header must be a JSON object, not " + json_type(header));
    if (!duplicate.empty()) throw fail(fmt::format("the name '{}' appears twice in the header", duplicate));

    SafetensorsHeader out;
    for (auto& [name, v] : header.items()) {
        if (name == "__metadata__") {
            if (!v.is_object()) throw fail("__metadata__ must be a JSON object, not " + json_type(v));
            for (auto& [k, s] : v.items()) {
                if (!s.is_string())
                    throw fail(fmt::format("__metadata__ must map strings to strings, but '{}' is a {}", k,
                                           json_type(s)));
                out.metadata[k] = s.get<std::string>();
            }
            continue;
        }
        // (&name = name: clang before 16 cannot capture a structured binding by itself)
        auto bad = [&, &name = name](const std::string& what) {
            return fail(fmt::format("tensor '{}': {}", name, what));
        };
        if (!v.is_object()) throw bad("its entry must be a JSON object, not " + json_type(v));
        for (const char* key : {"dtype", "shape", "data_offsets"})
            if (!v.contains(key)) throw bad(fmt::format("its entry has no \"{}\"", key));
        TensorInfo e;
        e.name = name;
        if (!v["dtype"].is_string()) throw bad("\"dtype\" must be a string, not " + json_type(v["dtype"]));
        e.dtype = v["dtype"].get<std::string>();
        if (!kSpecDtypes.count(e.dtype)) throw bad(fmt::format("unknown dtype '{}'", e.dtype));
        if (!file_dtype_size(e.dtype))
            throw bad(fmt::format("dtype '{}' cannot be loaded by aprender (it reads F32, F64, I32, and F16, "
                                  "BF16, I64 by conversion)",
                                  e.dtype));
        const ordered_json& shape = v["shape"];
        if (!shape.is_array()) throw bad("\"shape\" must be an array, not " + json_type(shape));
        uint64_t numel = 1;
        for (const auto& d : shape) {
            if (!d.is_number_integer() || d.get<int64_t>() < 0)
                throw bad("\"shape\" must hold non-negative integers, got " + shape.dump());
            uint64_t dim = d.get<uint64_t>();
            // keep numel · 8 from overflowing 64 bits (the byte count check below does the rest)
            if (dim != 0 && numel > (UINT64_MAX / 8) / dim)
                throw bad(fmt::format("shape {} is absurdly large", shape.dump()));
            numel *= dim;
            e.shape.push_back((int64_t)dim);
        }
        const ordered_json& off = v["data_offsets"];
        if (!off.is_array() || off.size() != 2 || !off[0].is_number_unsigned() || !off[1].is_number_unsigned())
            throw bad("\"data_offsets\" must be two non-negative integers [begin, end], got " + off.dump());
        e.begin = off[0].get<uint64_t>();
        e.end = off[1].get<uint64_t>();
        if (e.begin > e.end) throw bad(fmt::format("data_offsets [{}, {}] end before they begin", e.begin, e.end));
        if (e.end > data_size)
            throw bad(fmt::format("data_offsets [{}, {}] are out of range: the data section has only {} bytes "
                                  "(is the file truncated?)",
                                  e.begin, e.end, data_size));
        uint64_t need = numel * file_dtype_size(e.dtype);
        if (e.end - e.begin != need)
            throw bad(fmt::format("shape {} of dtype {} needs {} bytes, but data_offsets [{}, {}] hold {}",
                                  shape.dump(), e.dtype, need, e.begin, e.end, e.end - e.begin));
        out.tensors.push_back(std::move(e));
    }

    // The tensors must tile the data section: sorted by offset, each begins where the last ended.
    std::stable_sort(out.tensors.begin(), out.tensors.end(), [](const TensorInfo& a, const TensorInfo& b) {
        return a.begin != b.begin ? a.begin < b.begin : a.end < b.end;
    });
    uint64_t pos = 0;
    const TensorInfo* prev = nullptr;
    for (const TensorInfo& e : out.tensors) {
        if (e.begin < pos)
            throw fail(fmt::format("tensors '{}' (bytes [{}, {})) and '{}' (bytes [{}, {})) overlap", prev->name,
                                   prev->begin, prev->end, e.name, e.begin, e.end));
        if (e.begin > pos)
            throw fail(fmt::format("bytes [{}, {}) of the data section belong to no tensor (before tensor '{}')",
                                   pos, e.begin, e.name));
        pos = e.end;
        prev = &e;
    }
    if (pos != data_size)
        throw fail(fmt::format("the data section has {} bytes but the tensors use only {}: {} trailing bytes "
                               "belong to no tensor",
                               data_size, pos, data_size - pos));
    return out;
}

// The file at `path`, opened for reading, or an error saying why not.
std::ifstream open_for_reading(const std::string& path) {
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec))
        throw SafetensorsError(fmt::format("cannot read safetensors file '{}': it is a directory", path));
    std::ifstream in(path, std::ios::binary);
    if (!in) throw SafetensorsError(fmt::format("cannot open safetensors file '{}': {}", path, std::strerror(errno)));
    return in;
}

}  // namespace

SafetensorsHeader read_safetensors_header(const std::string& path) {
    std::ifstream in = open_for_reading(path);
    auto bad_read = [&] { return SafetensorsError(fmt::format("error reading safetensors file '{}'", path)); };
    // The file's size without reading it: steps 1 and 2 compare the header length with it.
    in.seekg(0, std::ios::end);
    const std::streamoff size = in.tellg();
    in.seekg(0, std::ios::beg);
    if (size < 0 || !in) throw bad_read();
    char first[8] = {};
    in.read(first, std::min<std::streamoff>(size, 8));
    if (in.bad()) throw bad_read();
    Layout layout = read_layout(first, (uint64_t)in.gcount(), (uint64_t)size, path);
    // Only the header's bytes, never more than the limit just checked.
    std::string json(layout.header_size, '\0');
    in.read(json.data(), (std::streamsize)json.size());
    if ((uint64_t)in.gcount() != layout.header_size) throw bad_read();  // the file shrank under us
    return parse_header(json, layout.data_size, path);
}

Checkpoint parse_safetensors(const std::string& bytes, const std::string& source) {
    Layout layout = read_layout(bytes.data(), bytes.size(), bytes.size(), source);
    SafetensorsHeader header =
        parse_header(std::string_view(bytes).substr(8, layout.header_size), layout.data_size, source);
    const char* data = bytes.data() + 8 + layout.header_size;
    Checkpoint out;
    out.metadata = std::move(header.metadata);

    // Only now copy numbers out (memcpy: the file gives no alignment guarantee).
    for (const TensorInfo& e : header.tensors) {
        const char* src = data + e.begin;
        int64_t numel = shape_numel(e.shape);
        Tensor t;
        if (e.dtype == "F32" || e.dtype == "F64" || e.dtype == "I32") {
            DType dt = e.dtype == "F32" ? DType::f32 : e.dtype == "F64" ? DType::f64 : DType::i32;
            t = Tensor::empty(e.shape, dt);
            if (numel) std::memcpy(t.raw_data(), src, e.end - e.begin);
        } else if (e.dtype == "F16" || e.dtype == "BF16") {
            t = Tensor::empty(e.shape, DType::f32);
            float* p = t.data<float>();
            for (int64_t i = 0; i < numel; ++i) {
                uint16_t h;
                std::memcpy(&h, src + 2 * i, 2);
                p[i] = e.dtype == "F16" ? half_to_float(h) : bf16_to_float(h);
            }
        } else {  // I64 → i32 (PyTorch keeps token ids as int64)
            t = Tensor::empty(e.shape, DType::i32);
            int32_t* p = t.data<int32_t>();
            for (int64_t i = 0; i < numel; ++i) {
                int64_t x;
                std::memcpy(&x, src + 8 * i, 8);
                if (x < INT32_MIN || x > INT32_MAX)
                    throw failing_for(source)(fmt::format("tensor '{}': I64 value {} at element {} does not fit in int32",
                                           e.name, x, i));
                p[i] = (int32_t)x;
            }
        }
        out.tensors.emplace_back(e.name, t);
    }
    return out;
}

Checkpoint load_safetensors(const std::string& path) {
    std::ifstream in = open_for_reading(path);
    std::string bytes;
    try {  // a read error surfaces as an exception from the stream buffer
        bytes.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    } catch (const std::exception& e) {
        throw SafetensorsError(fmt::format("error reading safetensors file '{}': {}", path, e.what()));
    }
    if (in.bad()) throw SafetensorsError(fmt::format("error reading safetensors file '{}'", path));
    return parse_safetensors(bytes, path);
}

std::optional<std::string> non_finite_tensor(const NamedTensors& tensors) {
    for (const auto& [name, t] : tensors) {
        if (t.dtype() == DType::i32) continue;
        Tensor host = t.detach().to(Device::cpu()).contiguous().to(DType::f64);
        const double* p = static_cast<const double*>(host.raw_data());
        for (int64_t i = 0; i < host.numel(); ++i)
            if (!std::isfinite(p[i])) return name;
    }
    return std::nullopt;
}

int64_t Checkpoint::numel() const {
    int64_t n = 0;
    for (const auto& [name, t] : tensors) n += t.numel();  // each was checked against the file's size
    return n;
}

static const std::string& metadata_value(const Metadata& meta, const std::string& key) {
    auto it = meta.find(key);
    if (it == meta.end()) throw SafetensorsError(fmt::format("checkpoint metadata lacks '{}'", key));
    return it->second;
}

int64_t metadata_int(const Metadata& meta, const std::string& key) {
    const std::string& s = metadata_value(meta, key);
    size_t used = 0;
    try {
        long long v = std::stoll(s, &used);
        if (used == s.size()) return v;
    } catch (const std::logic_error&) {  // not a number, or out of int64's range
    }
    throw SafetensorsError(fmt::format("checkpoint metadata '{}' is not an integer: '{}'", key, s));
}

double metadata_double(const Metadata& meta, const std::string& key) {
    const std::string& s = metadata_value(meta, key);
    size_t used = 0;
    try {
        double v = std::stod(s, &used);
        if (used == s.size()) return v;
    } catch (const std::logic_error&) {
    }
    throw SafetensorsError(fmt::format("checkpoint metadata '{}' is not a number: '{}'", key, s));
}

bool metadata_bool(const Metadata& meta, const std::string& key) {
    const std::string& s = metadata_value(meta, key);
    if (s == "true") return true;
    if (s == "false") return false;
    throw SafetensorsError(fmt::format("checkpoint metadata '{}' must be true or false, got '{}'", key, s));
}

Metadata load_into(Module& module, const std::string& path, bool strict) {
    Checkpoint ck = load_safetensors(path);
    try {
        module.load_state_dict(ck.tensors, strict);
    } catch (const std::runtime_error& e) {
        throw SafetensorsError(fmt::format("loading '{}' into the model: {}", path, e.what()));
    }
    return ck.metadata;
}

// ---- writing ------------------------------------------------------------------------------

void save_safetensors(const std::string& path, const NamedTensors& tensors, const Metadata& metadata) {
    auto fail = [&](const std::string& what) {
        return SafetensorsError(fmt::format("saving safetensors file '{}': {}", path, what));
    };
    // Everything that can be checked is checked before the file is touched.
    // The new file is renamed over `path`: over a device or a pipe that would replace it.
    if (std::filesystem::exists(path) && !std::filesystem::is_regular_file(path))
        throw fail("it exists and is not a regular file (a device, a pipe?): refusing to replace it");
    std::set<std::string> names;
    for (const auto& [name, t] : tensors) {
        if (name.empty() || name == "__metadata__") throw fail(fmt::format("'{}' cannot be a tensor name", name));
        if (!names.insert(name).second) throw fail(fmt::format("the name '{}' appears twice", name));
        if (!t.defined()) throw fail(fmt::format("tensor '{}' is undefined", name));
    }

    // Header: offsets run consecutively in the order given.
    ordered_json header = ordered_json::object();
    if (!metadata.empty()) header["__metadata__"] = metadata;
    uint64_t pos = 0;
    for (const auto& [name, t] : tensors) {
        uint64_t nbytes = (uint64_t)t.numel() * dtype_size(t.dtype());
        header[name] = {{"dtype", file_dtype_of(t.dtype())}, {"shape", t.shape()}, {"data_offsets", {pos, pos + nbytes}}};
        pos += nbytes;
    }
    std::string text = header.dump();
    text.append((8 - text.size() % 8) % 8, ' ');  // 8 + N is a multiple of 8: aligned data
    uint64_t n = text.size();

    const std::string tmp = path + ".tmp";
    FILE* f = std::fopen(tmp.c_str(), "wb");
    if (!f) throw fail(fmt::format("cannot create '{}': {}", tmp, std::strerror(errno)));
    auto abandon = [&](const std::string& what) {
        std::fclose(f);
        std::remove(tmp.c_str());  // the half-written file goes; `path` was never touched
        return fail(what);
    };
    auto write = [&](const void* p, size_t k) {
        if (k && std::fwrite(p, 1, k, f) != k) throw abandon(fmt::format("writing '{}' failed: {}", tmp, std::strerror(errno)));
    };
    try {
        write(&n, 8);
        write(text.data(), text.size());
        for (const auto& [name, t] : tensors) {
            Tensor host = t.detach().to(Device::cpu()).contiguous();
            write(host.raw_data(), (size_t)host.numel() * dtype_size(host.dtype()));
        }
    } catch (const SafetensorsError&) {
        throw;
    } catch (const std::exception& e) {
        throw abandon(e.what());
    }
    // fflush hands the bytes to the OS, fsync makes the OS put them on disk before the
    // rename makes them "the checkpoint".
    if (std::fflush(f) != 0 || fsync(fileno(f)) != 0)
        throw abandon(fmt::format("writing '{}' failed: {}", tmp, std::strerror(errno)));
    if (std::fclose(f) != 0) {
        std::remove(tmp.c_str());
        throw fail(fmt::format("closing '{}' failed: {}", tmp, std::strerror(errno)));
    }
    if (std::rename(tmp.c_str(), path.c_str()) != 0) {
        int err = errno;
        std::remove(tmp.c_str());
        throw fail(fmt::format("renaming '{}' to '{}' failed: {}", tmp, path, std::strerror(err)));
    }
}

}  // namespace aprender::nn
