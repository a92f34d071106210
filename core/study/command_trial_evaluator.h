#pragma once

#include "model/network.h"
#include "quant/quantizer.h"
#include "study/trial_evaluator.h"

#include <memory>

namespace quantscope {

/// Evaluations that happen elsewhere (a target device, another machine, a cluster job): runs the
/// study's command for each trial, writes the request as JSON on its standard input and reads the
/// result JSON from its standard output (protocol: docs/evaluator-protocol.md). A time-out, a
/// non-zero exit or unreadable output fails the trial with the reason. Memory and BOPs come from
/// the study's model inventory unless the command reports them.
class CommandTrialEvaluator final : public TrialEvaluator {
public:
    explicit CommandTrialEvaluator(const StudySpec& spec);
    std::vector<LayerInfo> layers() const override { return network_->layers(); }
    TrialResult evaluate(const TrialRequest& request, const WorkControl& control) override;

    /// The request document the command receives.
    static std::string requestJson(const TrialRequest& request);

private:
    std::vector<std::string> command_;
    double timeout_;
    std::unique_ptr<Network> network_;
    std::unique_ptr<Quantizer> quantizer_;
    bool quantizeImageInput_;
};

} // namespace quantscope
