#pragma once

#include "common/progress.h"
#include "data/image_set.h"
#include "model/network.h"
#include "train/quantized_evaluation.h"

#include <string>
#include <vector>

namespace quantscope {

struct SensitivityOptions {
    std::vector<int> bits = {2, 3, 4, 8};
    size_t images = 2000;       ///< evaluation images for the accuracy drops
    size_t hessianImages = 256; ///< images in the loss whose Hessian trace is estimated
    int hutchinsonSamples = 32; ///< Rademacher vectors per layer
    uint64_t seed = 0;
    QuantSettings quant;
};

struct LayerSensitivity {
    std::string layer;
    std::vector<double> accuracyDrop; ///< float top-1 minus top-1 with only this layer at bits[k]
    double hessianTrace = 0;          ///< Tr(H) / weights: HAWQ-V2's average trace
    double hessianTraceSd = 0;        ///< standard error of that estimate
    std::vector<double> perturbation; ///< ||Q_b(W) - W||^2 at bits[k]
    std::vector<double> hawqMetric;   ///< average trace x perturbation (HAWQ-V2, eq. 9)
};

struct SensitivityReport {
    std::vector<int> bits;
    double floatAccuracy = 0;
    size_t images = 0;
    std::vector<LayerSensitivity> layers;

    std::string toJson() const;
    static SensitivityReport fromJson(const std::string& json);
};

/// Per-layer sensitivity two ways: the accuracy drop when only layer i is quantized to b bits
/// (no fine-tuning; AIMET's "phase 1"), and HAWQ-V2's metric, the layer's average Hessian trace
/// (Hutchinson's estimator, E[v^T H v] over Rademacher v, with H v by double back-propagation
/// of the cross-entropy on the first `hessianImages` of `trainSet`, training images such as a
/// study's calibration split) times the weight perturbation
/// ||Q_b(W) - W||^2 of the study's quantizer. Cancellable between evaluations.
SensitivityReport computeSensitivity(const Network& network, const ImageSet& evalSet, const ImageSet& trainSet,
                                     const SensitivityOptions& options, const WorkControl& control = {});

} // namespace quantscope
