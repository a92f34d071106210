#include "study/torch_trial_evaluator.h"

#include "common/error.h"
#include "train/device.h"

namespace quantscope {

TorchTrialEvaluator::TorchTrialEvaluator(const StudySpec& spec, std::shared_ptr<const StudyAssets> assets) :
    assets_(std::move(assets))
{
    setComputeThreads(spec.evaluationThreads());
}

TorchTrialEvaluator::TorchTrialEvaluator(const StudySpec& spec) : TorchTrialEvaluator(spec, StudyAssets::load(spec))
{
}

TrialResult TorchTrialEvaluator::evaluate(const TrialRequest& request, const WorkControl& control)
{
    EvaluationRequest evaluation;
    evaluation.bits = request.bits;
    evaluation.quant = assets_->quant;
    evaluation.fineTune = TrainOptions::nuqFineTune(request.steps, request.seed);
    EvaluationResult result;
    try {
        result = evaluateConfiguration(assets_->network, EvaluationData::of(assets_->splits, assets_->splits.search),
                                       evaluation, control);
    } catch (const Cancelled&) {
        throw;
    } catch (const std::exception& e) {
        const std::string what = e.what();
        throw EvaluationFailed(what.substr(0, what.find('\n')));
    }
    return TrialResult{result.accuracy, result.cost.memoryMB, result.cost.bops, result.seconds};
}

} // namespace quantscope
