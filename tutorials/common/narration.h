// narration.h — every sentence a tutorial says exists in English and Portuguese.
//
// A tutorial keeps all its words in one table (its own narration.h): each step has a
// title and a body, each message a Text with both languages side by side. Code,
// identifiers and comments stay English; what the student reads follows --lang.
// Texts may hold fmt placeholders ("{}"), filled by Tutorial::say / tr.
#pragma once

#include <string_view>

namespace aprender::tutorial {

enum class Lang { en, pt };

// One sentence (or paragraph) in both languages.
struct Text {
    std::string_view en;
    std::string_view pt;
    constexpr std::string_view in(Lang lang) const { return lang == Lang::pt ? pt : en; }
};

// One step of a tutorial: what the student is about to see, and why it matters.
struct Step {
    Text title;
    Text body;
};

}  // namespace aprender::tutorial
