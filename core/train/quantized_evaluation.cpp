#include "train/quantized_evaluation.h"

#include "model/network_backend.h"

#include <chrono>

namespace quantscope {

void applyQuantization(Network& network, const BitConfig& bits, const QuantSettings& settings,
                       const ImageSet& calibrationSet)
{
    std::shared_ptr<const Quantizer> quantizer = makeQuantizer(settings.quantizer);
    QuantizableLayers& layers = network.backend().quantLayers();
    if (quantizer->needsCalibration())
        calibrateActivations(network, calibrationSet, settings.calibrationImages);
    layers.setQuantization(std::move(quantizer), bits.layers(), settings.policy.quantizeImageInput);
}

EvaluationResult evaluateConfiguration(const Network& base, const EvaluationData& data,
                                       const EvaluationRequest& request, const WorkControl& control)
{
    const auto start = std::chrono::steady_clock::now();
    EvaluationResult result;
    result.cost = computeCost(base.layers(), request.bits, *makeQuantizer(request.quant.quantizer), request.quant.policy);

    Network network = base.clone();
    applyQuantization(network, request.bits, request.quant, data.train);
    if (request.fineTune.totalSteps(data.train.size()) > 0) {
        const TrainReport report = train(network, data.train, data.augmentation, request.fineTune, control);
        result.fineTuneSteps = report.steps;
        result.fineTuneSeconds = report.seconds;
    }
    result.accuracy = evaluateAccuracy(network, data.eval, control);
    result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return result;
}

} // namespace quantscope
