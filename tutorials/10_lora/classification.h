// classification.h — step 7 of 10_lora: the lecture's "Comparação com outros algoritmos" table
// (RoBERTa on GLUE: FT, BitFit, LoRA, # trainable parameters, accuracy) in miniature, with 06's
// Encoder as the pre-trained base and LibreOffice help paragraphs labelled by module as the task.
#pragma once

#include "tutorials/common/runner.h"

namespace aprender::tutorial::lora_tutorial {

// The flags it reads (for the TutorialInfo): --encoder PATH|quick.
Flag encoder_flag();

// Runs the step: data (or a message and nothing else when `make data` was not run), the base
// Encoder (06's, or a quick one pre-trained now, said so), every method × seed, the table.
// `seeds`: runs per method (mean ± std when > 1).
void classification_table(Tutorial& t, int64_t seeds);

}  // namespace aprender::tutorial::lora_tutorial
