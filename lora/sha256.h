// sha256.h — SHA-256 (FIPS 180-4), to fingerprint the base model an adapter belongs to.
//
// An adapter is only meaningful on the exact weights it was trained on: B·A corrects
// *those* W0. The adapter's config stores a SHA-256 of the base, and loading refuses a
// base with another fingerprint. ~60 lines; checked against the standard test vectors.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace aprender::lora {

class Sha256 {
public:
    Sha256();
    void update(const void* data, size_t n);
    void update(const std::string& s) { update(s.data(), s.size()); }
    std::string hex();  // finishes: 64 lowercase hex digits

private:
    void block(const uint8_t* p);
    uint32_t h_[8];
    uint8_t buf_[64];
    size_t used_ = 0;
    uint64_t total_ = 0;
};

std::string sha256_hex(const std::string& bytes);

}  // namespace aprender::lora
