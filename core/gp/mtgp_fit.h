#pragma once

#include "gp/accuracy_transform.h"
#include "gp/mtgp_data.h"
#include "gp/mtgp_hyperparameters.h"
#include "gp/multitask_gp.h"

#include <cstdint>
#include <optional>
#include <vector>

namespace quantscope {

struct MtgpFitOptions {
    KernelKind kernel = KernelKind::Matern52;
    int rank = 0;            ///< rank of W; 0 means the number of tasks (full rank, as NUQ's code)
    int restarts = 4;        ///< random restarts besides the start from `warmStart` or the default
    int maxIterations = 200; ///< L-BFGS-B iterations per start
    uint64_t seed = 0;
    /// Task covariances may be negative. Off by default: fine-tuning budgets of one network are
    /// positively correlated, and NUQ's prior (W ~ U(0, 1)) says so too; with few high-fidelity
    /// points an unconstrained W often finds spurious anti-correlation.
    bool allowNegativeCorrelation = false;
    /// MAP under MtgpPrior's defaults (the default), or plain ML-II with only a weak prior on the
    /// task means (the fit before priors, kept for comparisons).
    bool usePriors = true;
    /// Noise variance floor in the targets' units (0: none beyond the box bound).
    double noiseFloor = 0;
    /// Raise each task's floor to half the pooled variance of its repeated observations (the
    /// measured seed-to-seed spread; half, since a few repeats estimate it loosely).
    bool floorFromRepeats = true;
    /// Prior median of every task's noise variance in the targets' units (0: 1 % of the target
    /// variance).
    double expectedNoise = 0;
    /// Raises a task's noise prior median to this share of the variance of its own targets (tasks
    /// with 3 or more observations; 0: off). The noise term also absorbs what a stationary kernel
    /// cannot fit (a nugget), and that misfit grows with the range a task spans: quantize-only
    /// accuracy falls off cliffs between 10 and 93 %, fine-tuned accuracy moves within a few points.
    double noiseShareOfTaskVariance = 0;
    /// Smallest scale the targets are standardised by, in their units (0: their sd): a few nearly
    /// equal observations must not make the priors claim the function is that flat everywhere.
    double minimumTargetScale = 0;
    /// Each task's prior range and mean follow its own data (MtgpPrior::taskScale, taskMean): the
    /// variance of its targets where it has 2 or more observations (at least
    /// `minimumTaskScale`^2), log-linear in `taskPositions` between such tasks and the nearest
    /// one's beyond them (within its `taskGroups` group first, `rangesFromGroup`); a task without
    /// observations is centred the same way (within its group first) on those tasks' fitted means
    /// (MtgpPrior::taskMeanAnchors) and, between two observed tasks, gets a prior sd on its mean of
    /// a quarter of the gap between their means (a budget scores, on average, between its
    /// neighbours). Quantization spreads accuracy over tens of points that fine-tuning pulls back
    /// to a few, so one pooled range makes a fine-tuned task's intervals several times too wide
    /// while its trials are few (docs/calibration.md). Off: every task the pooled variance and, without data, mean.
    /// Unset: off, except that accuracyFitOptions turns it on for the logit scale.
    std::optional<bool> taskScalesFromData;
    double minimumTaskScale = 0; ///< in the targets' units
    /// With taskScalesFromData, while a task has fewer than five observations, its range from the
    /// configurations it shares with the task observed most (quantize only, in a study): its
    /// spread there over that task's, times that task's own variance (MtgpData::pairedVarianceRatio;
    /// where that task's spread over them is at least a quarter of its variance). A study's first
    /// target trials sit at the design's extremes (all-8 and all-1-bit), whose two-point variance
    /// overstates the target's spread over configurations many times; quantize only's at the same
    /// pair overstates its own alike, and the ratio cancels it (docs/calibration.md). Unset: off,
    /// except that accuracyFitOptions turns it on for the logit scale.
    std::optional<bool> taskScalesFromPairs;
    /// With taskScalesFromData, centre a task without observations on its neighbours' *fitted*
    /// means (on), or on their data means (off; before 2026-12-03, kept for gp_calibration).
    bool unobservedMeansFromFit = true;
    /// With taskScalesFromData, a task with fewer than two observations takes its range from the
    /// tasks of its `taskGroups` group that have one, as it takes its mean (on), or log-linear
    /// along the budget axis across groups (off; before 2026-12-03's last change, kept for
    /// gp_calibration). Fine-tuning pulls accuracy back within a few points at every budget
    /// measured (each fine-tuned budget's sd over configurations 0.11-0.23 times quantize
    /// only's), so a range between quantize only's and the target's left a budget without trials'
    /// intervals up to 1.76 times wider, at no gain in coverage (docs/calibration.md, "Their range").
    bool rangesFromGroup = true;
    /// Where the tasks lie on the budget axis (e.g. log(1 + fine-tuning steps)); empty: their
    /// indices, which studies order by budget.
    std::vector<double> taskPositions;
    /// Which tasks are alike (e.g. 0 for quantization alone, 1 for fine-tuned budgets): a task
    /// without observations takes its prior mean and range from observed tasks of its group where
    /// there are any, from all tasks otherwise (`rangesFromGroup`). Quantization alone falls off
    /// cliffs that any fine-tuning repairs, so a fine-tuned budget's level and range are the other
    /// fine-tuned ones', not points between them and the untrained one's (docs/calibration.md).
    /// Empty: one group.
    std::vector<int> taskGroups;
    /// Hyperparameter samples from the posterior (slice sampling from the MAP point, docs/search.md)
    /// while there are at most `sampleUpTo` observations: where data are few the hyperparameters
    /// are uncertain, and predictions average over them. 0: MAP only.
    int posteriorSamples = 0;
    int sampleUpTo = 100;
    /// Where data are fewer, more slice samples: their count doubles each time the observations
    /// halve below `sampleUpTo`, up to this many (0 or less than `posteriorSamples`: the same count
    /// at every size; sliceSampleCount). A sweep's cost grows with the cube of the observations,
    /// so a fit never costs more than at `sampleUpTo`; and where data are few, the samples disagree
    /// most and a handful of them leaves the mixture's interval ends moving with the seed
    /// (docs/calibration.md, "Samples and the seed").
    int mostPosteriorSamples = 0;
    /// Beyond `sampleUpTo`, draw the `posteriorSamples` from a Laplace approximation at the MAP
    /// point instead (a normal with the inverse Hessian of the negative log posterior, by central
    /// differences of its gradient, in log space): the hyperparameters are well pinned down there,
    /// and it costs two gradients per parameter instead of a slice sampler's thousands of
    /// likelihoods. Parameters at a bound stay at the MAP value. Off: the MAP point alone.
    bool laplaceBeyondSampling = false;
    /// Kumaraswamy input warping per input (ArdKernel), with MtgpPrior's prior on its parameters.
    bool inputWarping = false;
    /// The task-specific part of the covariance gets a kernel of its own (MtgpHyperparameters).
    /// Unset: off, except that accuracyFitOptions turns it on.
    std::optional<bool> specificKernel;
    /// Hyperparameters to start from (e.g. the last fit); its rank and kernels win over the options.
    std::optional<MtgpHyperparameters> warmStart;
};

struct MtgpFitReport {
    MtgpHyperparameters hyperparameters;
    double negativeLogLikelihood = 0;
    int starts = 0;
    int failedStarts = 0; ///< starts whose factorisations failed throughout
    int evaluations = 0;  ///< likelihood-and-gradient evaluations over all starts
    /// Posterior samples of the hyperparameters (MtgpFitOptions::posteriorSamples), empty when
    /// none were drawn; `hyperparameters` stays the MAP point.
    std::vector<MtgpHyperparameters> samples;
    double seconds = 0;
};

/// MAP (or ML-II, `usePriors` false): maximises the marginal likelihood times MtgpPrior over ICM
/// hyperparameters with L-BFGS-B (LBFGSpp) in log space, from several starts. Targets are
/// standardised for the search, so priors and box bounds are relative (lengthscales 0.01..100 on inputs in [0, 1], noise 1e-6..2 of the target
/// variance, ...); the result is in the targets' units. Throws ConfigError for invalid data and
/// NumericalError when no start could be evaluated.
MtgpFitReport fitMtgp(const MtgpData& data, int inputDim, int taskCount, const MtgpFitOptions& options = {});
/// How many slice samples fitMtgp draws from `observations` (MtgpFitOptions::posteriorSamples,
/// doubled per halving below `sampleUpTo` up to `mostPosteriorSamples`); 0 where it draws none
/// (no samples asked for, or more observations than `sampleUpTo`).
int sliceSampleCount(const MtgpFitOptions& options, Eigen::Index observations);
/// How many times fitMtgp has run in this process: a diagnostic, so that tests can hold a study
/// step to one fit.
uint64_t fitMtgpCalls();

/// `options` for accuracies modelled through `transform`: the task-specific kernel on unless set
/// (quantize only collapses where fine-tuning repairs; docs/calibration.md measures it), and the noise
/// floor, the prior noise median and the smallest target scale filled in where 0. On the logit
/// scale: floor sd 0.01 (0.1 points at 90 %), noise median sd 0.05 (0.45 points at 90 %) or 2.5 %
/// of a task's own variance where that is more, scale at least 0.5, task scales from the data
/// unless set, at least 0.25 (docs/search.md).
MtgpFitOptions accuracyFitOptions(const AccuracyTransform& transform, MtgpFitOptions options = {});

/// What predictions average over (predictiveMixtures): `fit`'s samples, or its MAP point alone
/// where it drew none, each conditioned on `data`.
std::vector<MultiTaskGP> conditionedModels(const MtgpFitReport& fit, const MtgpData& data);
/// `fit`'s MAP point conditioned on `data` (its task correlations, its marginal likelihood):
/// `models`' own where conditionedModels gave the MAP point alone, so it is not factorised twice.
MultiTaskGP conditionedMapModel(const MtgpFitReport& fit, const MtgpData& data, const std::vector<MultiTaskGP>& models);

/// Reasonable hyperparameters before any fit: lengthscale 0.5 sqrt(d), strongly correlated
/// tasks, per-task means of the data, noise 1 % of the target variance.
MtgpHyperparameters defaultMtgpHyperparameters(const MtgpData& data, int inputDim, int taskCount, int rank,
                                               KernelKind kernel);

} // namespace quantscope
