#pragma once

#include "quant/bit_config.h"
#include "study/study_store.h"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace quantscope {

class StudyModel;

/// A configuration with its cost and its (observed or predicted) target-task accuracy.
struct ResultPoint {
    std::string config;
    double memoryMB = 0;
    double bops = 0;
    double accuracy = 0;            ///< observed mean, or posterior mean when not observed
    std::optional<double> predicted;///< posterior mean on the target task
    std::optional<double> sd;       ///< posterior sd on the target task
    bool observed = false;          ///< evaluated on the target task
    double effectiveAccuracy = 0;   ///< NUQ's E on `accuracy`
    std::optional<double> acquisition; ///< the search strategy's value for it, where known
};

/// Leave-one-out error of the GP on the study's target-task trials.
struct PredictionError {
    int trials = 0;
    double rmse = 0;
    double meanAbsolute = 0;
    double withinTwoSd = 0;  ///< share of trials inside mean +- 2 sd
};

/// What a study found (NUQ's decision step and beyond): fronts of accuracy against memory, the
/// effective-accuracy ranking, uniform baselines and the GP's honesty.
struct StudyResults {
    int targetTask = 0;
    std::vector<ResultPoint> observedFront;  ///< Pareto front of trials done on the target task
    std::vector<ResultPoint> predictedFront; ///< Pareto front of posterior means over all candidates
    std::vector<ResultPoint> ranking;        ///< best effective accuracy (posterior mean) first
    std::vector<ResultPoint> baselines;      ///< uniform 8, 4, 3 and 2 bits
    PredictionError predictionError;
    bool hasModel = false;
    /// The fitted GP behind these results, for further predictions (what-if, posterior view).
    std::shared_ptr<const StudyModel> model;
};

/// Fits the study's multi-task GP to its done trials and derives the results. `top` bounds the
/// ranking. Works while a run is going on (reads only).
StudyResults computeStudyResults(const StoredStudy& study, const std::vector<TrialRow>& trials, size_t top = 10);

/// Memory and BOPs of `bits` on the study's layers, as its evaluator reports them.
double studyMemoryMB(const StoredStudy& study, const BitConfig& bits);
double studyBops(const StoredStudy& study, const BitConfig& bits);

} // namespace quantscope
