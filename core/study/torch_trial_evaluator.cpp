#include "study/torch_trial_evaluator.h"

#include "common/error.h"
#include "model/default_model.h"
#include "train/device.h"
#include "study/study_network.h"

namespace quantscope {

TorchTrialEvaluator::TorchTrialEvaluator(const StudySpec& spec)
{
    setComputeThreads(spec.evaluationThreads());
    network_ = std::make_unique<Network>(openStudyNetwork(spec));
    dataset_ = loadDataset(parseDatasetKind(spec.dataset), spec.dataDir);
    network_->requireInputShape(dataset_.test.channels, dataset_.test.height, dataset_.test.width, spec.dataset);
    splits_ = splitDataset(dataset_, spec.searchSize, spec.splitSeed);
    if (spec.limit > 0) {
        splits_.train = splits_.train.head(spec.limit);
        splits_.search = splits_.search.head(spec.limit);
        splits_.holdout = splits_.holdout.head(spec.limit);
    }
    quant_.quantizer = parseQuantizerKind(spec.quantizer);
    quant_.policy.quantizeImageInput = spec.quantizeImageInput;
}

TrialResult TorchTrialEvaluator::evaluate(const TrialRequest& request, const WorkControl& control)
{
    EvaluationRequest evaluation;
    evaluation.bits = request.bits;
    evaluation.quant = quant_;
    evaluation.fineTune = TrainOptions::nuqFineTune(request.steps, request.seed);
    EvaluationResult result;
    try {
        result = evaluateConfiguration(*network_, EvaluationData{splits_.train, dataset_.augmentation, splits_.search},
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
