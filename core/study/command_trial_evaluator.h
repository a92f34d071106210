#pragma once

#include "quant/cost_model.h"
#include "study/trial_evaluator.h"

#include <functional>
#include <memory>

namespace quantscope {

/// The layers of the study's model, and in `cost` their memory and BOPs under the study's
/// quantizer: what an external command may leave out of its result.
std::vector<LayerInfo> studyCostModel(const StudySpec& spec, std::function<CostReport(const BitConfig&)>& cost);

/// A command's result document for `bits` (parseTrialResult), with memory and BOPs it leaves out
/// from `fallbackCost` where that is given.
TrialResult parseCommandResult(const std::string& output, const BitConfig& bits,
                               const std::function<CostReport(const BitConfig&)>& fallbackCost);

/// Evaluations that happen elsewhere (a target device, another machine, a cluster job): runs a
/// command for each trial, writes the request as JSON on its standard input and reads the result
/// JSON from its standard output (protocol: docs/evaluator-protocol.md). A time-out, a non-zero
/// exit (with the last line the command wrote on standard error) or unreadable output fails the
/// trial with the reason.
class CommandTrialEvaluator final : public TrialEvaluator {
public:
    /// The study's `command`; memory and BOPs the command leaves out come from the study model's
    /// inventory.
    explicit CommandTrialEvaluator(const StudySpec& spec);
    /// Any command reporting memory and BOPs itself (the worker processes of parallel studies).
    CommandTrialEvaluator(std::vector<std::string> command, double timeout, std::vector<LayerInfo> layers);

    std::vector<LayerInfo> layers() const override { return layers_; }
    TrialResult evaluate(const TrialRequest& request, const WorkControl& control) override;

private:
    std::vector<std::string> command_;
    double timeout_;
    std::vector<LayerInfo> layers_;
    std::function<CostReport(const BitConfig&)> fallbackCost_; ///< empty: the command must report costs
};

} // namespace quantscope
