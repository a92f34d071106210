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

void requireFits(const Network& network, const ImageSet& set, const std::string& what)
{
    if (set.size() == 0)
        throw ConfigError(what + " set is empty");
    network.requireInputShape(set.channels, set.height, set.width, what + " images");
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

TrainReport train(Network& network, const ImageSet& trainSet, const Augmentation& augmentation,
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

    ShuffledBatches batches(trainSet.size(), size_t(options.batchSize));
    std::deque<double> recentLosses;
    const size_t batch = batches.batchSize();

    for (int64_t step = 0; step < total; ++step) {
        control.checkCancelled();
        const auto [input, target] = trainingBatch(trainSet, batches.next(rng), network.spec(),
                                                   options.augment ? &augmentation : nullptr, rng, network.device());

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

double evaluateAccuracy(Network& network, const ImageSet& set, const WorkControl& control, int batchSize)
{
    requireFits(network, set, "evaluation");
    NetworkBackend& backend = network.backend();
    ModeGuard mode(backend, false);
    torch::NoGradGuard noGrad;
    const torch::Device device(network.device());
    int64_t correct = 0;
    const size_t n = set.size();
    for (size_t begin = 0; begin < n; begin += size_t(batchSize)) {
        control.checkCancelled();
        const size_t end = std::min(n, begin + size_t(batchSize));
        const torch::Tensor input = normalise(imageRange(set, begin, end), network.spec()).to(device);
        const torch::Tensor predicted = backend.forward(input).argmax(1).cpu();
        correct += predicted.eq(labelRange(set, begin, end)).sum().item<int64_t>();
        control.report("evaluate", int64_t(end), int64_t(n));
    }
    return 100.0 * double(correct) / double(n);
}

void calibrateActivations(Network& network, const ImageSet& set, size_t images, int batchSize)
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
    const size_t n = std::min(images, set.size());
    for (size_t begin = 0; begin < n; begin += size_t(batchSize)) {
        const size_t end = std::min(n, begin + size_t(batchSize));
        backend.forward(normalise(imageRange(set, begin, end), network.spec()).to(torch::Device(network.device())));
    }
}

} // namespace quantscope
