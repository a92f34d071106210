#include "train/trainer.h"

#include "common/error.h"
#include "model/network_backend.h"
#include "train/batches.h"

#include <torch/torch.h>

#include <chrono>
#include <cmath>
#include <deque>
#include <numeric>

namespace quantscope {

void requireFits(const Network& network, const ImageSource& set, const std::string& what)
{
    if (set.size() == 0)
        throw ConfigError(what + " set is empty");
    const ImageShape shape = set.shape();
    network.requireInputShape(shape.channels, shape.height, shape.width, what + " images");
    if (set.classCount() > network.spec().classes)
        throw ModelError("the " + what + " set has " + std::to_string(set.classCount())
                         + " classes but the model outputs " + std::to_string(network.spec().classes));
}

namespace {

double seconds(std::chrono::steady_clock::time_point since)
{
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

} // namespace

TrainOptions TrainOptions::nuqFineTune(int64_t steps, uint64_t seed)
{
    TrainOptions options;
    options.epochs = 0; // the budget is `steps` alone; 0 means quantize only
    options.steps = steps;
    options.batchSize = 128;
    options.learningRate = 0.001;
    options.momentum = 0.9;
    options.weightDecay = 5e-4;
    options.cosineSchedule = false;
    options.augment = true;
    options.seed = seed;
    return options;
}

int64_t TrainOptions::totalSteps(size_t trainImages) const
{
    if (steps > 0)
        return steps;
    const int64_t perEpoch = (int64_t(trainImages) + batchSize - 1) / batchSize;
    return int64_t(epochs) * perEpoch;
}

TrainReport train(Network& network, const ImageSource& trainSet, const Augmentation& augmentation,
                  const TrainOptions& options, const WorkControl& control, const AfterStep& afterStep)
{
    requireFits(network, trainSet, "training");
    if (options.batchSize < 1)
        throw ConfigError("batch size must be positive, got " + std::to_string(options.batchSize));
    const auto start = std::chrono::steady_clock::now();
    const int64_t total = options.totalSteps(trainSet.size());
    TrainReport report;
    if (total <= 0)
        return report;

    torch::manual_seed(options.seed);
    std::mt19937_64 rng(options.seed);
    NetworkBackend& backend = network.backend();
    ModeGuard mode(backend, true);
    // The network's weights, and the quantizer's learned scales (QN) without weight decay.
    std::vector<torch::optim::OptimizerParamGroup> groups;
    groups.emplace_back(backend.parameters());
    const std::vector<torch::Tensor> quantizerParameters = backend.quantLayers().quantizerParameters();
    if (!quantizerParameters.empty())
        groups.emplace_back(
            quantizerParameters,
            std::make_unique<torch::optim::SGDOptions>(
                torch::optim::SGDOptions(options.learningRate).momentum(options.momentum).weight_decay(0)));
    torch::optim::SGD optimizer(
        groups,
        torch::optim::SGDOptions(options.learningRate).momentum(options.momentum).weight_decay(options.weightDecay));

    TrainingBatches batches(trainSet, size_t(options.batchSize), options.augment ? &augmentation : nullptr, rng, total);
    std::deque<double> recentLosses;
    const size_t batch = batches.batchSize();

    for (int64_t step = 0; step < total; ++step) {
        control.checkCancelled();
        const auto [input, target] = batches.next(network.spec(), network.device(), control);

        if (options.cosineSchedule) {
            const double lr = 0.5 * options.learningRate * (1.0 + std::cos(M_PI * double(step) / double(total)));
            for (auto& group : optimizer.param_groups())
                static_cast<torch::optim::SGDOptions&>(group.options()).lr(lr);
        }
        backend.quantLayers().setTrainingEpochs(double(step) * double(batch) / double(trainSet.size()));
        optimizer.zero_grad();
        const torch::Tensor loss = torch::nn::functional::cross_entropy(backend.forward(input), target);
        loss.backward();
        optimizer.step();

        const double value = loss.item<double>();
        if (!std::isfinite(value))
            throw Error("training diverged (loss is " + std::to_string(value) + ") at step " + std::to_string(step + 1)
                        + ": lower the learning rate");
        recentLosses.push_back(value);
        if (recentLosses.size() > 50)
            recentLosses.pop_front();
        control.report("train", step + 1, total);
        if (afterStep)
            afterStep(step + 1);
    }
    report.steps = total;
    report.lastLoss = std::accumulate(recentLosses.begin(), recentLosses.end(), 0.0) / double(recentLosses.size());
    report.seconds = seconds(start);
    return report;
}

double evaluateAccuracy(Network& network, const ImageSource& set, const WorkControl& control, int batchSize)
{
    requireFits(network, set, "evaluation");
    NetworkBackend& backend = network.backend();
    ModeGuard mode(backend, false);
    torch::NoGradGuard noGrad;
    const torch::Device device(network.device());
    int64_t correct = 0;
    int64_t scored = 0; // images a source skips as bad are not scored
    const int64_t n = int64_t(set.size());
    forEachBatch(set, set.size(), batchSize, control, [&](const torch::Tensor& pixels, const torch::Tensor& labels) {
        const torch::Tensor predicted = backend.forward(normalise(pixels, network.spec()).to(device)).argmax(1).cpu();
        correct += predicted.eq(labels).sum().item<int64_t>();
        scored += labels.size(0);
        control.report("evaluate", std::min(scored, n), n);
    });
    if (scored == 0)
        throw DataError("no image of the evaluation set could be read");
    return 100.0 * double(correct) / double(scored);
}

void calibrateActivations(Network& network, const ImageSource& set, size_t images, int batchSize)
{
    requireFits(network, set, "calibration");
    NetworkBackend& backend = network.backend();
    ModeGuard mode(backend, false);
    torch::NoGradGuard noGrad;
    struct CalibrationScope {
        QuantizableLayers& layers;
        explicit CalibrationScope(QuantizableLayers& l) : layers(l) { layers.setCalibrating(true); }
        ~CalibrationScope() { layers.setCalibrating(false); }
    } scope(backend.quantLayers());
    const torch::Device device(network.device());
    forEachBatch(set, images, batchSize, {}, [&](const torch::Tensor& pixels, const torch::Tensor&) {
        backend.forward(normalise(pixels, network.spec()).to(device));
    });
}

} // namespace quantscope
