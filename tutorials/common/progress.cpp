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
    std::string line = fmt::format("  {} {} {:3}% {}", label_, bar, done * 100 / total_, note);
    // Redrawn in place with a plain carriage return (no escape code, so a dumb terminal
    // or --no-color gets none): spaces rub out what a longer previous line left behind.
    std::size_t len = line.size();
    if (len < drawn_) line.append(drawn_ - len, ' ');
    drawn_ = len;
    out_ << line;
}

void ProgressBar::update(std::size_t done, const std::string& note) {
    done = std::min(done, total_);
    last_done_ = done;
    if (interactive_) {
        out_ << "\r";
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
        out_ << "\r";
        draw(total_, note);
        out_ << "\n";
    } else if (last_quarter_ != 4 || !note.empty()) {
        draw(total_, note);
        out_ << "\n";
    }
}

}  // namespace aprender::tutorial
