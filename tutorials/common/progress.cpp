#include "tutorials/common/progress.h"

#include <algorithm>
#include <ostream>

#include <fmt/format.h>

namespace aprender::tutorial {

ProgressBar::ProgressBar(std::ostream& out, std::string label, std::size_t total, bool interactive,
                         std::size_t width)
    : out_(out), label_(std::move(label)), total_(std::max<std::size_t>(total, 1)), width_(width),
      interactive_(interactive) {}

void ProgressBar::draw(std::size_t done, const std::string& note) {
    std::size_t filled = done * width_ / total_;
    std::string bar;
    for (std::size_t i = 0; i < width_; ++i) bar += i < filled ? "█" : "░";
    out_ << fmt::format("  {} {} {:3}% {}", label_, bar, done * 100 / total_, note);
}

void ProgressBar::update(std::size_t done, const std::string& note) {
    done = std::min(done, total_);
    last_done_ = done;
    if (interactive_) {
        out_ << "\r\x1b[2K";
        draw(done, note);
        out_ << std::flush;
        return;
    }
    int quarter = static_cast<int>(done * 4 / total_);
    if (quarter == last_quarter_) return;
    last_quarter_ = quarter;
    draw(done, note);
    out_ << "\n";
}

void ProgressBar::finish(const std::string& note) {
    if (finished_) return;
    finished_ = true;
    if (interactive_) {
        out_ << "\r\x1b[2K";
        draw(total_, note);
        out_ << "\n";
    } else if (last_quarter_ != 4 || !note.empty()) {
        draw(total_, note);
        out_ << "\n";
    }
}

}  // namespace aprender::tutorial
