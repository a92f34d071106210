#pragma once

#include "common/progress.h"
#include "data/dataset.h"
#include "model/network.h"

#include <cstdint>
#include <functional>
#include <string>

namespace quantscope {

/// SGD training (from scratch) or fine-tuning (of a quantized copy) of a network.
struct TrainOptions {
    int epochs = 1;    ///< used when `steps` is 0
    int64_t steps = 0; ///< optimizer steps; overrides `epochs` when positive
    int batchSize = 128;
    double learningRate = 0.05;
    double momentum = 0.9;
    double weightDecay = 5e-4;
    bool cosineSchedule = true; ///< cosine decay of the learning rate to 0 over the run
    bool augment = true;
    uint64_t seed = 0;

    /// NUQ's fine-tuning (section 4): SGD, lr 0.001, momentum 0.9, weight decay 5e-4, batch
    /// 128, constant learning rate, for `steps` optimizer steps.
    static TrainOptions nuqFineTune(int64_t steps, uint64_t seed = 0);
    int64_t totalSteps(size_t trainImages) const;
};

struct TrainReport {
    int64_t steps = 0;
    double lastLoss = 0; ///< mean loss over the last 50 steps
    double seconds = 0;
};

/// Called after each optimizer step with the number of steps done; it may score the network
/// (train mode is restored by whoever changes it), e.g. to measure several budgets in one run.
using AfterStep = std::function<void(int64_t stepsDone)>;

/// Trains `network` on `trainSet`, deterministic under `options.seed` for a given thread count.
/// Throws `Cancelled` if `control` is cancelled (the network keeps the steps done so far).
TrainReport train(Network& network, const ImageSource& trainSet, const Augmentation& augmentation,
                  const TrainOptions& options, const WorkControl& control = {}, const AfterStep& afterStep = {});

/// ConfigError for an empty `set`, ModelError when its images or classes do not fit `network`
/// (`what` names the set in the message, e.g. "training").
void requireFits(const Network& network, const ImageSource& set, const std::string& what);

/// Top-1 accuracy in percent of `network` on `set`, in inference mode (of the images read: a
/// source that skips bad images leaves them out).
double evaluateAccuracy(Network& network, const ImageSource& set, const WorkControl& control = {}, int batchSize = 128);

/// Records each quantizable layer's input range over the first `images` images of `set`
/// (float forward passes, inference mode); the ranges stay with the network's layers.
void calibrateActivations(Network& network, const ImageSource& set, size_t images, int batchSize = 128);

} // namespace quantscope
