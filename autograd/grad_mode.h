// grad_mode.h — switching graph recording off.
//
//     {
//         NoGradGuard no_grad;       // inside this scope ops record nothing:
//         Tensor y = model(x);       // inference, optimizer updates, evaluation
//     }                              // recording is back on here
//
// The flag is thread-local, so one thread evaluating does not disturb another training.
#pragma once

namespace aprender {

bool grad_enabled();
void set_grad_enabled(bool on);

class NoGradGuard {
public:
    NoGradGuard() : previous_(grad_enabled()) { set_grad_enabled(false); }
    ~NoGradGuard() { set_grad_enabled(previous_); }
    NoGradGuard(const NoGradGuard&) = delete;
    NoGradGuard& operator=(const NoGradGuard&) = delete;

private:
    bool previous_;
};

}  // namespace aprender
