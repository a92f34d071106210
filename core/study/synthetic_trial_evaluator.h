#pragma once

#include "search/synthetic_problem.h"
#include "study/trial_evaluator.h"

namespace quantscope {

/// The synthetic problem as an evaluator (docs/search.md): instant, or sleeping `synthetic_delay`
/// seconds per trial to behave like a slow evaluation in tests and demos. Reports the task's
/// nominal cost as its time.
class SyntheticTrialEvaluator final : public TrialEvaluator {
public:
    explicit SyntheticTrialEvaluator(const StudySpec& spec);
    std::vector<LayerInfo> layers() const override;
    TrialResult evaluate(const TrialRequest& request, const WorkControl& control) override;

private:
    SyntheticProblem problem_;
    double delay_;
};

} // namespace quantscope
