#pragma once

#include "quant/cost_model.h"
#include "study/study_store.h"
#include "study/trial_evaluator.h"

#include <functional>
#include <string>
#include <vector>

namespace quantscope {

// The external-evaluator protocol (docs/evaluator-protocol.md): what Quantscope writes to an
// evaluator command and reads back. Free of LibTorch, so the parsers are fuzzed (tests/fuzz).

/// The request document an evaluator command reads on its standard input.
std::string trialRequestJson(const TrialRequest& request);
/// A request document back into a request for a study of `layerNames`; ConfigError naming what is wrong.
TrialRequest parseTrialRequest(const std::string& json, const std::vector<std::string>& layerNames);
/// The result document an evaluator prints: accuracy, memory_mb, bops.
std::string trialResultJson(const TrialResult& result);
/// The document that reports a failed evaluation instead of a result: {"error": reason}.
std::string trialErrorJson(const std::string& reason);
/// An evaluator's output read as a result (EvaluationFailed with the reason for an error document): JSON with a finite accuracy in 0..100 and non-negative
/// memory_mb and bops (from `fallbackCost`, when given, where the output leaves them out).
/// EvaluationFailed saying what is wrong, with the start of the output when it is not JSON.
TrialResult parseTrialResult(const std::string& output, const std::function<CostReport()>& fallbackCost = {});

} // namespace quantscope
