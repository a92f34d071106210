#pragma once

#include "common/progress.h"
#include "data/dataset.h"
#include "model/network.h"
#include "quant/bit_config.h"
#include "quant/cost_model.h"
#include "quant/quantizer.h"
#include "train/trainer.h"

#include <vector>

namespace quantscope {

/// How a network is quantized: the quantizer and the policy for the ends of the network.
struct QuantSettings {
    QuantizerKind quantizer = QuantizerKind::DSConv;
    LayerPolicy policy;
    size_t calibrationImages = 512; ///< training images whose ranges calibrate static activation scales
};

/// One true evaluation: quantize a copy of the FP32 network to `bits`, fine-tune it for
/// `fineTune.steps` optimizer steps (0: quantize only, NUQ's task 0), measure top-1.
struct EvaluationRequest {
    BitConfig bits;
    QuantSettings quant;
    TrainOptions fineTune = TrainOptions::nuqFineTune(0);
};

struct EvaluationResult {
    double accuracy = 0; ///< top-1 in percent on the evaluation set
    CostReport cost;
    int64_t fineTuneSteps = 0;
    double fineTuneSeconds = 0;
    double seconds = 0; ///< wall time of the whole evaluation
};

/// The data an evaluation uses: fine-tuning images and their augmentation, calibration images,
/// and the images it is scored on.
struct EvaluationData {
    const ImageSource& train;
    const Augmentation& augmentation;
    const ImageSet& calibration; ///< static activation ranges are calibrated on its first images
    const ImageSource& eval;

    /// A study's: fine-tuning on `splits.train`, calibration on `splits.calibration`, scored on `eval`.
    static EvaluationData of(const DataSplits& splits, const ImageSource& eval)
    {
        return {*splits.train, splits.augmentation, splits.calibration, eval};
    }
};

/// The network an evaluation scores: a copy of `base` quantized to `request.bits` (activation
/// ranges calibrated on `data.calibration` first) and fine-tuned as `request.fineTune` says. Exporters
/// write it to reproduce a measured trial; `report` (optional) gets the fine-tuning's report.
Network quantizeAndFineTune(const Network& base, const EvaluationData& data, const EvaluationRequest& request,
                            const WorkControl& control = {}, TrainReport* report = nullptr);

/// Evaluates `request` on a copy of `base`, which is left unchanged.
EvaluationResult evaluateConfiguration(const Network& base, const EvaluationData& data,
                                       const EvaluationRequest& request, const WorkControl& control = {});

/// Evaluates `bits` at several fine-tuning budgets (ascending step counts, 0 = quantize only) in
/// one run: quantize once, fine-tune with NUQ's settings up to the largest budget and score at
/// each budget on the way. NUQ's learning rate is constant, so each result equals a separate
/// evaluation with that budget and `seed`; its `seconds` are what that separate evaluation costs
/// (set-up, its own steps, its scoring), not the shared run's time.
std::vector<EvaluationResult> evaluateAtBudgets(const Network& base, const EvaluationData& data, const BitConfig& bits,
                                                const QuantSettings& quant, const std::vector<int64_t>& budgets,
                                                uint64_t seed, const WorkControl& control = {});

/// Applies quantization to `network` in place (calibrating static activation ranges on
/// `calibrationSet` when the quantizer needs them).
void applyQuantization(Network& network, const BitConfig& bits, const QuantSettings& settings,
                       const ImageSet& calibrationSet);

} // namespace quantscope
