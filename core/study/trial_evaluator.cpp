#include "study/trial_evaluator.h"

#include "common/error.h"
#include "study/command_trial_evaluator.h"
#include "study/slurm_trial_evaluator.h"
#include "study/synthetic_trial_evaluator.h"
#include "study/torch_trial_evaluator.h"
#include "study/worker_trial_evaluator.h"

namespace quantscope {

std::unique_ptr<TrialEvaluator> makeTrialEvaluator(const StudySpec& spec, std::shared_ptr<const StudyAssets> assets)
{
    if (spec.evaluator == "synthetic")
        return std::make_unique<SyntheticTrialEvaluator>(spec);
    if (spec.evaluator == "command")
        return std::make_unique<CommandTrialEvaluator>(spec);
    if (spec.evaluator == "torch")
        return assets ? std::make_unique<TorchTrialEvaluator>(spec, std::move(assets))
                      : std::make_unique<TorchTrialEvaluator>(spec);
    throw ConfigError("unknown evaluator '" + spec.evaluator + "': expected torch, synthetic or command");
}

std::vector<std::unique_ptr<TrialEvaluator>> makeTrialEvaluators(const StudySpec& spec, const WorkerLaunch& launch,
                                                                 std::shared_ptr<const StudyAssets> assets)
{
    if (spec.executor == "slurm")
        return makeSlurmTrialEvaluators(spec, launch, std::move(assets));
    std::vector<std::unique_ptr<TrialEvaluator>> evaluators;
    if (spec.workers <= 1) {
        evaluators.push_back(makeTrialEvaluator(spec, std::move(assets)));
        return evaluators;
    }
    if (spec.evaluator == "command") {
        for (int i = 0; i < spec.workers; ++i)
            evaluators.push_back(std::make_unique<CommandTrialEvaluator>(spec));
        return evaluators;
    }
    if (launch.program.empty())
        throw ConfigError("study: " + std::to_string(spec.workers) + " workers need the quantscope-cli program");
    // Also checks the model and data now, before any worker starts.
    const std::vector<LayerInfo> layers = makeTrialEvaluator(spec, std::move(assets))->layers();
    const std::vector<std::string> command = {
        launch.program,  "study",  "evaluate", "--serve",   "--db",
        launch.database, "--name", spec.name,  "--threads", std::to_string(spec.evaluationThreads())};
    for (int i = 0; i < spec.workers; ++i)
        evaluators.push_back(std::make_unique<WorkerTrialEvaluator>(command, spec.commandTimeout, layers));
    return evaluators;
}

} // namespace quantscope
