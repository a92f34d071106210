#include "train/quantized_evaluation.h"

#include "common/error.h"
#include "model/network_backend.h"

#include <algorithm>
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

Network quantizeAndFineTune(const Network& base, const EvaluationData& data, const EvaluationRequest& request,
                            const WorkControl& control, TrainReport* report)
{
    Network network = base.clone();
    applyQuantization(network, request.bits, request.quant, data.calibration);
    if (request.fineTune.totalSteps(data.train.size()) > 0) {
        const TrainReport done = train(network, data.train, data.augmentation, request.fineTune, control);
        if (report)
            *report = done;
    }
    return network;
}

EvaluationResult evaluateConfiguration(const Network& base, const EvaluationData& data,
                                       const EvaluationRequest& request, const WorkControl& control)
{
    const auto start = std::chrono::steady_clock::now();
    EvaluationResult result;
    result.cost =
        computeCost(base.layers(), request.bits, *makeQuantizer(request.quant.quantizer), request.quant.policy);

    TrainReport report;
    Network network = quantizeAndFineTune(base, data, request, control, &report);
    result.fineTuneSteps = report.steps;
    result.fineTuneSeconds = report.seconds;
    result.accuracy = evaluateAccuracy(network, data.eval, control);
    result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return result;
}

std::vector<EvaluationResult> evaluateAtBudgets(const Network& base, const EvaluationData& data, const BitConfig& bits,
                                                const QuantSettings& quant, const std::vector<int64_t>& budgets,
                                                uint64_t seed, const WorkControl& control)
{
    if (budgets.empty() || !std::is_sorted(budgets.begin(), budgets.end()) || budgets.front() < 0
        || std::adjacent_find(budgets.begin(), budgets.end()) != budgets.end())
        throw ConfigError("fine-tuning budgets must be distinct, ascending and non-negative");
    using Clock = std::chrono::steady_clock;
    const auto since = [](Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); };
    const auto start = Clock::now();
    const CostReport cost = computeCost(base.layers(), bits, *makeQuantizer(quant.quantizer), quant.policy);
    Network network = base.clone();
    applyQuantization(network, bits, quant, data.calibration);
    const double setupSeconds = since(start);

    std::vector<EvaluationResult> results;
    double scoringSeconds = 0; // spent scoring earlier budgets, not part of the later ones' cost
    const auto score = [&](int64_t steps) {
        const auto scoring = Clock::now();
        const double trainSeconds = std::max(0.0, since(start) - setupSeconds - scoringSeconds);
        EvaluationResult r;
        r.cost = cost;
        r.fineTuneSteps = steps;
        r.fineTuneSeconds = trainSeconds;
        r.accuracy = evaluateAccuracy(network, data.eval, control);
        const double own = since(scoring);
        scoringSeconds += own;
        r.seconds = setupSeconds + trainSeconds + own;
        results.push_back(r);
    };
    if (budgets.front() == 0)
        score(0);
    if (budgets.back() > 0) {
        size_t next = budgets.front() == 0 ? 1 : 0;
        train(network, data.train, data.augmentation, TrainOptions::nuqFineTune(budgets.back(), seed), control,
              [&](int64_t done) {
                  if (next < budgets.size() && done == budgets[next]) {
                      score(done);
                      ++next;
                  }
              });
    }
    return results;
}

} // namespace quantscope
