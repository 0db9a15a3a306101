// progress.h — a progress bar for training loops.
//
// On a terminal it redraws one line in place ("\r"); in a pipe or a log it prints a
// plain line at 0, 25, 50, 75 and 100 % so that logs stay short and readable.
//
//   ProgressBar bar(t.out(), "training", steps, stdout_is_terminal());
//   for (...) bar.update(step + 1, fmt::format("loss {:.3f}", loss));
//   bar.finish();
#pragma once

#include <cstddef>
#include <iosfwd>
#include <string>

namespace aprender::tutorial {

class ProgressBar {
public:
    ProgressBar(std::ostream& out, std::string label, std::size_t total, bool interactive,
                std::size_t width = 30);
    void update(std::size_t done, const std::string& note = "");
    void finish(const std::string& note = "");

private:
    void draw(std::size_t done, const std::string& note);

    std::ostream& out_;
    std::string label_;
    std::size_t total_, width_;
    bool interactive_;
    int last_quarter_ = -1;
    std::size_t drawn_ = 0;  // bytes of the line last drawn in place
    bool finished_ = false;
    std::size_t last_done_ = 0;
};

}  // namespace aprender::tutorial
