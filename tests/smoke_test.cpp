#include <doctest/doctest.h>
TEST_CASE("build: the test runner runs") { CHECK(1 + 1 == 2); }
