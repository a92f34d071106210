#pragma once

#include "quant/bit_config.h"
#include "study/study_store.h"

#include <optional>
#include <string>
#include <vector>

namespace quantscope {

// The documents that describe a study's configurations and trials (docs/export.md).

/// The per-layer bit-width document (docs/export.md): layer names to bits, with the study, the
/// quantizer, and measured or predicted accuracy and memory when known.
std::string bitsJson(const StoredStudy& study, const BitConfig& bits, const std::optional<double>& accuracy,
                     bool accuracyObserved);

/// Every trial of a study as CSV: id, config, task, task name, status, accuracy, memory, BOPs,
/// seconds, error, reason, timestamps.
std::string trialsCsv(const StoredStudy& study, const std::vector<TrialRow>& trials);

} // namespace quantscope
