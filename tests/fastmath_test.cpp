// autograd/fastmath.h against the C library, over the whole float range and at its edges.
// The kernels call these on anything a model produces, including the NaN and infinities of
// a diverged run or a corrupt checkpoint (found by `make fuzz`: exp(NaN) converted a NaN to
// int, which C++ leaves undefined).
#include <doctest/doctest.h>

#include "autograd/fastmath.h"

#include <cfloat>
#include <cmath>
#include <limits>

using namespace aprender;

TEST_CASE("fastmath::exp: within 2e-7 of exp wherever the result is a normal float") {
    double worst = 0;
    int checked = 0;
    // ~1.5 million points, denser than float spacing near the edges, where it matters
    for (float x = -87.4f; x < 88.8f; x = std::max(std::nextafter(x, 100.0f), x + 1e-4f), ++checked) {
        double want = std::exp(double(x));
        float got = fastmath::exp(x);
        if (want < FLT_MIN) {
            REQUIRE_MESSAGE(got == 0.0f, "x = " << x);  // below the normal range: 0
        } else if (want > FLT_MAX) {
            REQUIRE_MESSAGE(std::isinf(got), "x = " << x);
        } else {
            worst = std::max(worst, std::fabs(got - want) / want);
        }
    }
    CHECK(checked > 1'000'000);
    CHECK(worst < 2e-7);
    // the two ends of the range, exactly at the float on each side
    CHECK(std::isfinite(fastmath::exp(88.72283f)));
    CHECK(std::isinf(fastmath::exp(std::nextafter(88.72283f, 100.0f))));
    CHECK(fastmath::exp(-87.33654f) >= FLT_MIN);
}

TEST_CASE("fastmath::exp and tanh: NaN gives NaN, infinities give the limits") {
    const float nan = std::numeric_limits<float>::quiet_NaN(), inf = std::numeric_limits<float>::infinity();
    CHECK(std::isnan(fastmath::exp(nan)));
    CHECK(fastmath::exp(inf) == inf);
    CHECK(fastmath::exp(-inf) == 0.0f);
    CHECK(fastmath::exp(1000.0f) == inf);
    CHECK(fastmath::exp(-1000.0f) == 0.0f);
    CHECK(std::isnan(fastmath::tanh(nan)));
    CHECK(fastmath::tanh(inf) == 1.0f);
    CHECK(fastmath::tanh(-inf) == -1.0f);
    CHECK(fastmath::tanh(50.0f) == 1.0f);
    double worst = 0;
    for (float x = -10; x < 10; x += 1e-3f)
        worst = std::max(worst, std::fabs(fastmath::tanh(x) - std::tanh(double(x))));
    CHECK(worst < 3e-7);
}
