#include "bitserial/engine_evaluation.h"

#include "common/error.h"
#include "export/quantized_snapshot.h"
#include "model/network_backend.h"
#include "train/batches.h"

#include <torch/torch.h>

#include <chrono>

namespace quantscope::bitserial {
namespace {

template <typename Work> void timed(double& total, const Work& work)
{
    const auto start = std::chrono::steady_clock::now();
    work();
    total += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

} // namespace

EngineEvaluation evaluateOnBitSerialEngine(const Network& base, const EvaluationData& data,
                                           const EvaluationRequest& request, const EngineOptions& options,
                                           const WorkControl& control)
{
    if (request.quant.quantizer != QuantizerKind::Uniform)
        throw ConfigError("the bit-serial engine executes the uniform quantizer's integers; "
                          + quantizerName(request.quant.quantizer) + " has no integer form (use --quantizer uniform)");
    if (options.batchSize < 1)
        throw ConfigError("the engine's batch size must be at least 1, got " + std::to_string(options.batchSize));
    Network quantized = quantizeAndFineTune(base, data, request, control);
    quantized.toDevice("cpu");
    const QuantizedSnapshot snapshot(quantized, request.bits, request.quant, data.calibration);
    BitSerialNetwork engine(snapshot, options.path);
    Network floatNetwork = base.clone();
    floatNetwork.toDevice("cpu");
    NetworkBackend& simulation = snapshot.network().backend();
    const ModeGuard simulationMode(simulation, false), floatMode(floatNetwork.backend(), false);
    torch::NoGradGuard noGrad;

    EngineEvaluation result;
    double engineSeconds = 0, floatSeconds = 0;
    int64_t correct = 0, simulatedCorrect = 0;
    size_t n = 0;
    const int64_t total = int64_t(data.eval.size());
    forEachBatch(data.eval, data.eval.size(), options.batchSize, control,
                 [&](const torch::Tensor& pixels, const torch::Tensor& labels) {
                     const torch::Tensor images = normalise(pixels, base.spec());
                     torch::Tensor logits, simulated;
                     timed(engineSeconds, [&] { logits = engine.forward(images); });
                     timed(floatSeconds, [&] { (void)floatNetwork.backend().forward(images); });
                     simulated = simulation.forward(images);
                     const torch::Tensor predicted = logits.argmax(1), simulatedPredicted = simulated.argmax(1);
                     correct += predicted.eq(labels).sum().item<int64_t>();
                     simulatedCorrect += simulatedPredicted.eq(labels).sum().item<int64_t>();
                     result.agreeing += size_t(predicted.eq(simulatedPredicted).sum().item<int64_t>());
                     result.largestLogitGap =
                         std::max(result.largestLogitGap, (logits - simulated).abs().max().item<double>());
                     n += size_t(labels.size(0));
                     control.report("evaluate", int64_t(n), total);
                 });
    result.images = n;
    const double images = double(std::max<size_t>(n, 1));
    result.accuracy = 100.0 * double(correct) / images;
    result.simulatedAccuracy = 100.0 * double(simulatedCorrect) / images;
    result.secondsPerImage = engineSeconds / images;
    result.floatSecondsPerImage = floatSeconds / images;
    result.layers = engine.layers();
    for (ExecutedLayer& layer : result.layers)
        layer.seconds /= images;
    result.otherSecondsPerImage = engine.otherSeconds() / images;
    return result;
}

} // namespace quantscope::bitserial
