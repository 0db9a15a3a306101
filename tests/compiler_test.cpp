// The compiler builds constants right. GCC 12.2 with AVX-512 at -O2 and above does not
// always: a 32- or 64-byte constant made of two or more equal 8-byte words followed by
// zeros is copied as one wide integer whose zero top words are left out, and the code
// generator, seeing only equal words, fills the whole block with the first one
// ({1.0, 1.0, 1.0, 0.0} becomes four 1.0s). This once broke a gradient test here. The
// Makefile gives GCC 12 -mmove-max=128 -mstore-max=128, which avoids that path; these
// checks fail if a build loses the workaround on such a machine (README, "Other compilers").
#include <doctest/doctest.h>

#include <cstdint>
#include <cstring>
#include <iterator>
#include <string>
#include <vector>

namespace {

// Copies the constant into fresh memory, as the failing code did, and prints the copy.
// (A macro, not a function: the constant must be a literal at the copy for the bad path.)
#define COPIED(T, ...)                                    \
    [] {                                                  \
        const T init[] = {__VA_ARGS__};                   \
        T* p = new T[std::size(init)];                    \
        std::memcpy(p, init, sizeof init);                \
        std::string text = joined(p, std::size(init));    \
        delete[] p;                                       \
        return text;                                      \
    }()

template <class T>
__attribute__((noinline)) std::string joined(const T* p, size_t n) {
    std::string text;
    for (size_t i = 0; i < n; ++i) {
        if (i) text += ' ';
        text += std::to_string(p[i]);
    }
    return text;
}

}  // namespace

TEST_CASE("compiler: 32- and 64-byte constants of equal words and zeros are built right") {
    CHECK(COPIED(double, 1, 1, 1, 0) == "1.000000 1.000000 1.000000 0.000000");
    CHECK(COPIED(double, 1, 1, 0, 0) == "1.000000 1.000000 0.000000 0.000000");
    CHECK(COPIED(int64_t, 1, 1, 1, 0) == "1 1 1 0");
    CHECK(COPIED(float, 1, 1, 1, 1, 1, 1, 0, 0) == "1.000000 1.000000 1.000000 1.000000 1.000000 1.000000 0.000000 0.000000");
    CHECK(COPIED(int32_t, 3, 3, 3, 3, 0, 0, 0, 0) == "3 3 3 3 0 0 0 0");
    CHECK(COPIED(double, 2, 2, 2, 2, 2, 0, 0, 0) == "2.000000 2.000000 2.000000 2.000000 2.000000 0.000000 0.000000 0.000000");
    std::vector<double> v{1, 1, 1, 0};  // the literal that broke the gradient test
    CHECK(joined(v.data(), v.size()) == "1.000000 1.000000 1.000000 0.000000");
}
