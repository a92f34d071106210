#pragma once

#include "study/study_assets.h"
#include "study/trial_evaluator.h"

#include <memory>

namespace quantscope {

/// The built-in evaluator: quantize a copy of the study's FP32 model, fine-tune it for the task's
/// steps with NUQ's settings, and score top-1 on the search-validation split.
class TorchTrialEvaluator final : public TrialEvaluator {
public:
    /// Evaluates on `assets` (shared with export and sensitivity), with `spec`'s compute threads.
    TorchTrialEvaluator(const StudySpec& spec, std::shared_ptr<const StudyAssets> assets);
    /// Loads the study's assets itself.
    explicit TorchTrialEvaluator(const StudySpec& spec);
    std::vector<LayerInfo> layers() const override { return assets_->network.layers(); }
    TrialResult evaluate(const TrialRequest& request, const WorkControl& control) override;

private:
    std::shared_ptr<const StudyAssets> assets_;
};

} // namespace quantscope
