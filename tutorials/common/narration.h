// narration.h — every sentence a tutorial says exists in English and Portuguese.
//
// A tutorial keeps all its words in one table (its own narration.h): each step has a
// title and a body, each message a Text with both languages side by side. Code,
// identifiers and comments stay English; what the student reads follows --lang.
// Texts may hold fmt placeholders ("{}"), filled by Tutorial::say / tr.
#pragma once

#include <cstdint>
#include <string>
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

// A count grouped in threes: 1234567 → "1,234,567" in English, "1 234 567" in Portuguese.
// A comma is the decimal mark in Portuguese, so "366,048" would read as 366 point 048; a
// no-break space (U+00A0) groups there, as SI writes. Decimals keep the point in both
// languages, as the lecture writes them (and as --temperature 0.8 must be typed).
inline std::string thousands(int64_t n, Lang lang) {
    const std::string_view separator = lang == Lang::pt ? "\u00A0" : ",";
    const std::string digits = std::to_string(n);
    const std::size_t first = n < 0 ? 1 : 0;  // the sign is not a digit
    std::string out = digits.substr(0, first);
    for (std::size_t i = first; i < digits.size(); ++i) {
        if (i > first && (digits.size() - i) % 3 == 0) out += separator;
        out += digits[i];
    }
    return out;
}

// Words that many tutorials print in tables, plot labels and checks.
namespace words {
inline constexpr Text step{"step", "passo"};
inline constexpr Text step_n{"step {}", "passo {}"};
inline constexpr Text loss_value{"loss {:.3f}", "perda {:.3f}"};
inline constexpr Text loss{"loss", "perda"};
inline constexpr Text cross_entropy{"cross-entropy", "entropia cruzada"};
inline constexpr Text cross_entropy_nats{"cross-entropy (nats)", "entropia cruzada (nats)"};
inline constexpr Text cross_entropy_nats_char{"cross-entropy (nats/char)", "entropia cruzada (nats/caractere)"};
inline constexpr Text perplexity{"perplexity", "perplexidade"};
inline constexpr Text bits_per_char{"bits/char", "bits/caractere"};
inline constexpr Text parameters_n{"{} parameters", "{} parâmetros"};
inline constexpr Text max_difference{"max |difference| = {:.1e} {}", "máx |diferença| = {:.1e} {}"};
inline constexpr Text wrong{"✗ wrong", "✗ errado"};
inline constexpr Text exact{"✓ exact", "✓ exato"};
inline constexpr Text rank_of{"rank of \"{}\"", "posição de \"{}\""};
inline constexpr Text held_out_rank_of{"held-out rank of \"{}\"", "posição de \"{}\" em frases novas"};
inline constexpr Text expected{"expected", "esperada"};
inline constexpr Text rank{"rank", "posição"};
inline constexpr Text scalar_engine{"scalar engine", "motor escalar"};
inline constexpr Text head_n{"head {}", "cabeça {}"};
inline constexpr Text seed_loss_seconds{"seed {}  loss {:.3f} → {:.3f}  {:.1f} s", "semente {}  perda {:.3f} → {:.3f}  {:.1f} s"};
}  // namespace words

}  // namespace aprender::tutorial
