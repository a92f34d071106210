#pragma once

#include "bitserial/bitserial_network.h"
#include "train/quantized_evaluation.h"

#include <vector>

namespace quantscope::bitserial {

struct EngineOptions {
    KernelPath path = KernelPath::Portable; ///< the kernels share LibTorch's threads (computeThreads)
    int batchSize = 64;
};

/// A configuration scored on the bit-serial engine beside the simulation it executes.
struct EngineEvaluation {
    size_t images = 0;
    double accuracy = 0;               ///< the engine's top-1 in percent
    double simulatedAccuracy = 0;      ///< the uniform quantizer's simulation on the same images
    size_t agreeing = 0;               ///< images on which both predict the same class
    double largestLogitGap = 0;        ///< the largest |engine - simulation| over every logit
    double secondsPerImage = 0;        ///< the engine's wall time, batches of `batchSize`
    double floatSecondsPerImage = 0;   ///< the float network (LibTorch) on the same batches
    std::vector<ExecutedLayer> layers; ///< seconds per image
    double otherSecondsPerImage = 0;   ///< outside the quantizable layers
};

/// Quantizes (and fine-tunes) a copy of `base` as `evaluateConfiguration` does, then scores it on
/// `data.eval` with the bit-serial engine, with the simulation, and the float network for
/// reference. ConfigError when the quantizer is not uniform.
EngineEvaluation evaluateOnBitSerialEngine(const Network& base, const EvaluationData& data,
                                           const EvaluationRequest& request, const EngineOptions& options,
                                           const WorkControl& control = {});

} // namespace quantscope::bitserial
