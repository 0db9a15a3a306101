// exercise.h — what every exercise skeleton includes.
//
// A stub that a student has not written yet throws NotImplemented; the checks recognise
// it and say "not implemented yet" instead of a wall of failures.
#pragma once

#include <stdexcept>
#include <string>

namespace aprender::exercises {

struct NotImplemented : std::logic_error {
    NotImplemented(int exercise, const std::string& function, const std::string& file)
        : std::logic_error("not implemented yet: " + function + " — TODO(exercise " + std::to_string(exercise) +
                           ") in " + file),
          exercise(exercise) {}
    int exercise;
};

}  // namespace aprender::exercises

// In a stub: throw APRENDER_TODO(5, "scaled_dot_product_attention");
#define APRENDER_TODO(n, function) ::aprender::exercises::NotImplemented((n), (function), __FILE__)
