#pragma once

#include "data/dataset.h"
#include "model/network.h"
#include "study/trial_evaluator.h"
#include "train/quantized_evaluation.h"

#include <memory>

namespace quantscope {

/// The built-in evaluator: quantize a copy of the study's FP32 model, fine-tune it for the task's
/// steps with NUQ's settings, and score top-1 on the search-validation split.
class TorchTrialEvaluator final : public TrialEvaluator {
public:
    explicit TorchTrialEvaluator(const StudySpec& spec);
    std::vector<LayerInfo> layers() const override { return network_->layers(); }
    TrialResult evaluate(const TrialRequest& request, const WorkControl& control) override;

    const Network& network() const { return *network_; }
    const DataSplits& splits() const { return splits_; }
    const Augmentation& augmentation() const { return dataset_.augmentation; }
    const QuantSettings& quantSettings() const { return quant_; }

private:
    std::unique_ptr<Network> network_;
    Dataset dataset_;
    DataSplits splits_;
    QuantSettings quant_;
};

} // namespace quantscope
