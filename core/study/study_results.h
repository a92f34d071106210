#pragma once

#include "gp/accuracy_transform.h"
#include "quant/bit_config.h"
#include "study/posterior_plane.h"
#include "study/study_store.h"

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace quantscope {

class StudySurrogate;

/// A configuration with its cost and its (observed or predicted) target-task accuracy.
struct ResultPoint {
    BitConfig bits;
    double memoryMB = 0;
    double bops = 0;
    double accuracy = 0;             ///< observed mean, or posterior mean when not observed
    std::optional<double> predicted; ///< posterior median on the target task
    std::optional<double> sd;        ///< sd equivalent of the 95 % interval (AccuracyInterval)
    std::optional<double> lower;     ///< 95 % interval on the target task
    std::optional<double> upper;
    bool observed = false;             ///< evaluated on the target task
    double effectiveAccuracy = 0;      ///< NUQ's E on `accuracy`
    std::optional<double> acquisition; ///< the search strategy's value for it, where known
};

/// One done trial predicted by the model conditioned on all the others: its measured accuracy
/// and the 95 % predictive interval for it (noise included).
struct LeaveOneOutCheck {
    BitConfig bits;
    int task = 0;
    double measured = 0;
    AccuracyInterval predicted;
};

/// Leave-one-out error of the GP on the study's target-task trials (each predicted, noise
/// included, by the model conditioned on all the others). Only computed from
/// `PredictionError::kMinimumTrials` target-task trials on: with fewer, a trial left out leaves
/// the task nearly unobserved and the figures say nothing.
struct PredictionError {
    static constexpr int kMinimumTrials = 3;
    int trials = 0;  ///< target-task trials (0: fewer than kMinimumTrials)
    double rmse = 0; ///< of the predictive median, in points
    double meanAbsolute = 0;
    double withinInterval = 0; ///< share of trials inside the 95 % predictive interval
};

/// Memory and BOPs of configurations on a study's layers: what its evaluator reported for a
/// configuration it measured (an external evaluator's numbers are the truth), else the local
/// cost model (`studyMemoryMB`, `studyBops`).
class StudyCosts {
public:
    StudyCosts(StoredStudy study, const std::vector<TrialRow>& trials);
    double memoryMB(const BitConfig& bits) const;
    double bops(const BitConfig& bits) const;

private:
    StoredStudy study_;
    std::map<BitConfig, std::pair<double, double>> reported_; ///< configuration -> (MB, BOPs)
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
    /// Every done trial's leave-one-out check (StudySurrogate::leaveOneOut), computed with the results
    /// so that views need not (it is O(n^3) per hyperparameter sample).
    std::vector<LeaveOneOutCheck> checks;
    /// The GP over a plane of the encoding, every task (the posterior view's maps); computed only
    /// for the workbench (StudyService::snapshot), empty otherwise.
    PosteriorPlane plane;
    bool hasSurrogate = false; ///< the GP could be fitted (two done trials or more)
    /// The fitted GP behind these results, for further predictions (what-if, posterior view).
    std::shared_ptr<const StudySurrogate> surrogate;
    /// The costs the results were computed with, for further configurations (what-if).
    std::shared_ptr<const StudyCosts> costs;
};

/// Derives the results from the study's multi-task GP over its done trials: `surrogate` when given
/// (StudyRunner::surrogate, the search's fit), else one fitted here. `top` bounds the ranking. Works
/// while a run is going on (reads only).
StudyResults computeStudyResults(const StoredStudy& study, const std::vector<TrialRow>& trials, size_t top = 10,
                                 std::shared_ptr<const StudySurrogate> surrogate = nullptr);

/// Memory and BOPs of `bits` on the study's layers, as its evaluator reports them.
double studyMemoryMB(const StoredStudy& study, const BitConfig& bits);
double studyBops(const StoredStudy& study, const BitConfig& bits);

} // namespace quantscope
