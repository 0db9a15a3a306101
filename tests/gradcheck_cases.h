// gradcheck_cases.h — the float64 gradient checks of every op in autograd/ops.h, written
// once and run on every device.
//
// A case is {name, f, inputs}: f builds its output from its inputs alone — ids, indices,
// masks and targets are int32 inputs too, never captured tensors — so the same case runs
// on the CPU (tests/autograd_ops_test.cpp) and on the GPU (tests/cuda_device_test.cpp,
// where gradcheck copies the inputs over with their layout). A new op's check is added to
// tests/gradcheck_cases.cpp, once; its forward values by hand and its error messages stay
// in the op's own tests.
#pragma once

#include "tests/gradcheck.h"

#include <string>
#include <vector>

namespace aprender::testing {

struct GradCase {
    std::string name;  // the op and what is special about the inputs: a failure prints it
    Fn f;
    Inputs inputs;  // CPU tensors; float64 ones are checked, int32 ones passed through
};

// One list per family of autograd/ops.h.
std::vector<GradCase> elementwise_grad_cases();  // arithmetic, broadcasting, unary math, where
std::vector<GradCase> reduction_grad_cases();    // sum, mean, amax, max, var, sum_to
std::vector<GradCase> matmul_grad_cases();       // matmul (2-D, batched, 1-D, views), linear
std::vector<GradCase> shape_grad_cases();        // views, concat, stack, split
std::vector<GradCase> nn_grad_cases();           // embedding ... dropout
std::vector<GradCase> graph_grad_cases();        // reused inputs, a diamond-shaped graph

// CHECK_GRAD of every case on `device`, the case's name attached to a failure.
void check_grad_cases(const std::vector<GradCase>& cases, Device device);

// The gradients at kinks (relu, abs, clamp) and ties (maximum, amax), where no finite
// difference applies: PyTorch's choices, checked value by value on `device`.
void check_kinks_and_ties(Device device);

}  // namespace aprender::testing
