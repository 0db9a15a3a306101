// random.h — Philox 4x32-10, the counter-based generator (Salmon et al., SC'11).
//
// Instead of a state that must be advanced one number after another, Philox is a
// bijection: 10 rounds of multiply/xor turn (counter, key) into 4 random 32-bit words.
// Number i of a draw is computed from counter i alone, so any thread (or GPU thread)
// can compute any element directly, and the numbers never depend on how the work was
// split. key = the seed, counter = the element's position in the stream.
#pragma once

#include "autograd/host_device.h"

#include <cmath>
#include <cstdint>

namespace aprender::philox {

struct Words {
    uint32_t v[4];
};

APRENDER_HD Words philox4x32_10(uint64_t counter, uint64_t seed) {
    uint32_t c0 = (uint32_t)counter, c1 = (uint32_t)(counter >> 32), c2 = 0, c3 = 0;
    uint32_t k0 = (uint32_t)seed, k1 = (uint32_t)(seed >> 32);
    for (int round = 0; round < 10; ++round) {
        uint64_t p0 = (uint64_t)0xD2511F53u * c0;  // the two Philox multipliers
        uint64_t p1 = (uint64_t)0xCD9E8D57u * c2;
        uint32_t n0 = (uint32_t)(p1 >> 32) ^ c1 ^ k0;
        uint32_t n2 = (uint32_t)(p0 >> 32) ^ c3 ^ k1;
        c1 = (uint32_t)p1;
        c3 = (uint32_t)p0;
        c0 = n0;
        c2 = n2;
        k0 += 0x9E3779B9u;  // Weyl sequence bumps of the key (golden ratio, sqrt(3)-1)
        k1 += 0xBB67AE85u;
    }
    return {{c0, c1, c2, c3}};
}

// A uniform number in (0, 1): never exactly 0 (log(0) in Box-Muller) nor 1.
APRENDER_HD double to_unit(uint32_t x) { return ((double)x + 0.5) * (1.0 / 4294967296.0); }

// Element e of the stream: lane e % 4 of block e / 4.
APRENDER_HD double uniform(uint64_t e, uint64_t seed) {
    return to_unit(philox4x32_10(e / 4, seed).v[e % 4]);
}

// Standard normal by Box-Muller on lanes (0,1) and (2,3) of the same block.
APRENDER_HD double normal(uint64_t e, uint64_t seed) {
    Words w = philox4x32_10(e / 4, seed);
    unsigned pair = (unsigned)(e % 4) / 2, second = (unsigned)(e % 2);
    double u1 = to_unit(w.v[2 * pair]), u2 = to_unit(w.v[2 * pair + 1]);
    double r = std::sqrt(-2.0 * std::log(u1)), theta = 6.283185307179586 * u2;
    return second ? r * std::sin(theta) : r * std::cos(theta);
}

// The affine maps lo + (hi - lo)·u and mean + std·z, written as one fused multiply-add on
// both devices. Left as a*b + c, g++ fuses it or not depending on -march (with
// -march=native it does) while nvcc always does, and the last bit of the numbers would
// then depend on the device and on the build flags.
APRENDER_HD double scale_shift(double a, double x, double b) { return std::fma(a, x, b); }

}  // namespace aprender::philox
