#include "study/trial_evaluator.h"

#include "common/error.h"
#include "study/command_trial_evaluator.h"
#include "study/synthetic_trial_evaluator.h"
#include "study/torch_trial_evaluator.h"

namespace quantscope {

std::unique_ptr<TrialEvaluator> makeTrialEvaluator(const StudySpec& spec)
{
    if (spec.evaluator == "synthetic")
        return std::make_unique<SyntheticTrialEvaluator>(spec);
    if (spec.evaluator == "command")
        return std::make_unique<CommandTrialEvaluator>(spec);
    if (spec.evaluator == "torch")
        return std::make_unique<TorchTrialEvaluator>(spec);
    throw ConfigError("unknown evaluator '" + spec.evaluator + "': expected torch, synthetic or command");
}

} // namespace quantscope
