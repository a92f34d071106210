#pragma once

#include "quant/bit_config.h"
#include "study/study_store.h"

#include <optional>
#include <string>
#include <vector>

namespace quantscope {

/// Layers whose bits a runtime cannot execute natively: integer runtimes execute int8 and (ONNX
/// opset 21 and later) int4; Quantscope's ONNX export (opset 13, Debian's ONNX 1.12) carries every
/// width's exact values in int8 containers; other widths, and DSConv's block scales, are simulated
/// only. One line per problem, naming the layer.
std::vector<std::string> onnxRuntimeWarnings(const std::vector<LayerInfo>& layers, const BitConfig& bits,
                                             const std::string& quantizer);

/// The per-layer bit-width document (docs/export.md): layer names to bits, with the study, the
/// quantizer, and measured or predicted accuracy and memory when known.
std::string bitsJson(const StoredStudy& study, const BitConfig& bits, const std::optional<double>& accuracy,
                     bool accuracyObserved);

/// Every trial of a study as CSV: id, config, task, task name, status, accuracy, memory, BOPs,
/// seconds, error, reason, timestamps.
std::string trialsCsv(const StoredStudy& study, const std::vector<TrialRow>& trials);

} // namespace quantscope
