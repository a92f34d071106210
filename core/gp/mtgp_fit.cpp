#include "gp/mtgp_fit.h"

#include "common/error.h"
#include "gp/mtgp_likelihood.h"
#include "gp/mtgp_prior.h"
#include "gp/slice_sampler.h"

#include <LBFGSB.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <limits>
#include <numeric>
#include <random>

namespace quantscope {
namespace {

/// Targets rescaled to zero mean and unit variance (constant targets keep unit scale).
struct Standardisation {
    double mean = 0;
    double scale = 1;
    double spread = 0; ///< the targets' own sd, before the fallback and the floor

    Standardisation(const Eigen::VectorXd& y, double minimumScale)
    {
        if (y.size() == 0)
            return;
        mean = y.mean();
        const double variance = (y.array() - mean).square().mean();
        spread = std::sqrt(variance);
        scale = variance > 1e-24 ? spread : 1.0;
        if (minimumScale > 0)
            scale = std::max(scale, minimumScale);
    }

    MtgpData apply(MtgpData data) const
    {
        data.targets = (data.targets.array() - mean) / scale;
        return data;
    }

    MtgpHyperparameters toStandard(MtgpHyperparameters h) const
    {
        h.taskFactor /= scale;
        h.taskDiagonal /= scale * scale;
        h.noiseVariance /= scale * scale;
        h.taskMean = (h.taskMean.array() - mean) / scale;
        return h;
    }

    MtgpHyperparameters toOriginal(MtgpHyperparameters h) const
    {
        h.taskFactor *= scale;
        h.taskDiagonal *= scale * scale;
        h.noiseVariance *= scale * scale;
        h.taskMean = h.taskMean.array() * scale + mean;
        return h;
    }
};

struct Bounds {
    Eigen::VectorXd lower;
    Eigen::VectorXd upper;
};

Bounds standardBounds(const MtgpParameterLayout& layout, bool allowNegativeCorrelation,
                      const Eigen::VectorXd& noiseFloor)
{
    Bounds b{Eigen::VectorXd(layout.size()), Eigen::VectorXd(layout.size())};
    int at = 0;
    auto segment = [&](int count, double lo, double hi) {
        b.lower.segment(at, count).setConstant(lo);
        b.upper.segment(at, count).setConstant(hi);
        at += count;
    };
    segment(layout.inputDim, std::log(1e-2), std::log(1e2));
    if (layout.inputWarping)
        segment(2 * layout.inputDim, std::log(0.1), std::log(10.0));
    if (layout.specificKernel)
        segment(layout.inputDim, std::log(1e-2), std::log(1e2));
    segment(layout.taskCount * layout.rank, allowNegativeCorrelation ? -5.0 : 0.0, 5.0);
    segment(layout.taskCount, std::log(1e-6), std::log(10.0));
    const int noiseAt = at;
    segment(layout.taskCount, std::log(1e-6), std::log(2.0));
    for (int t = 0; t < layout.taskCount; ++t)
        b.lower[noiseAt + t] = std::log(std::clamp(noiseFloor[t], 1e-6, 1.0));
    segment(layout.taskCount, -10.0, 10.0);
    return b;
}

/// The objective LBFGSpp calls: the negative log likelihood plus the negative log prior. Even
/// plain ML-II keeps the prior on the task means (standardised units: centred on the task's data
/// mean, sd 1): without it a mean can drift far from the data while a large constant task
/// covariance absorbs the offset, a flat ridge on which the optimiser crawls. Remembers the best
/// point, since a failed line search throws.
class Objective {
public:
    Objective(const MtgpData& data, const MtgpParameterLayout& layout, const MtgpPrior& prior) :
        likelihood_(data, layout), layout_(layout), prior_(prior)
    {
    }

    double operator()(const Eigen::VectorXd& theta, Eigen::VectorXd& gradient)
    {
        ++evaluations;
        double value;
        try {
            value = likelihood_(theta, &gradient);
            value += prior_.negativeLogDensity(layout_, theta, &gradient);
        } catch (const NumericalError&) {
            gradient.setZero(theta.size());
            return std::numeric_limits<double>::max() / 4;
        }
        if (!std::isfinite(value) || !gradient.allFinite()) {
            gradient.setZero(theta.size());
            return std::numeric_limits<double>::max() / 4;
        }
        if (value < best) {
            best = value;
            bestTheta = theta;
        }
        return value;
    }

    double best = std::numeric_limits<double>::infinity();
    Eigen::VectorXd bestTheta;
    int evaluations = 0;

private:
    MtgpLikelihood likelihood_;
    const MtgpParameterLayout& layout_;
    const MtgpPrior& prior_;
};

Eigen::VectorXd randomStart(const MtgpParameterLayout& layout, const Bounds& bounds, const MtgpData& data,
                            std::mt19937_64& rng)
{
    std::uniform_real_distribution<double> unit(0.0, 1.0);
    // Draw where models live (NUQ's priors, widened), not over the whole box.
    MtgpHyperparameters h =
        defaultMtgpHyperparameters(data, layout.inputDim, layout.taskCount, layout.rank, layout.kernel);
    const double base = std::sqrt(double(layout.inputDim));
    for (int i = 0; i < layout.inputDim; ++i)
        h.kernel.lengthscales[i] = base * std::exp(std::log(0.05) + unit(rng) * (std::log(2.0) - std::log(0.05)));
    for (int t = 0; t < layout.taskCount; ++t) {
        for (int r = 0; r < layout.rank; ++r)
            h.taskFactor(t, r) = unit(rng) / std::sqrt(double(layout.rank));
        h.taskDiagonal[t] = 0.05 + 0.25 * unit(rng);
        h.noiseVariance[t] = std::exp(std::log(1e-4) + unit(rng) * (std::log(0.3) - std::log(1e-4)));
    }
    return layout.pack(h).cwiseMax(bounds.lower).cwiseMin(bounds.upper);
}

} // namespace

std::vector<MultiTaskGP> conditionedModels(const MtgpFitReport& fit, const MtgpData& data)
{
    std::vector<MultiTaskGP> models;
    for (const MtgpHyperparameters& h : fit.samples)
        models.emplace_back(h, data);
    if (models.empty())
        models.emplace_back(fit.hyperparameters, data);
    return models;
}

MultiTaskGP conditionedMapModel(const MtgpFitReport& fit, const MtgpData& data, const std::vector<MultiTaskGP>& models)
{
    return fit.samples.empty() && !models.empty() ? models.front() : MultiTaskGP(fit.hyperparameters, data);
}

MtgpHyperparameters defaultMtgpHyperparameters(const MtgpData& data, int inputDim, int taskCount, int rank,
                                               KernelKind kernel)
{
    MtgpHyperparameters h;
    h.kernel.kind = kernel;
    h.kernel.lengthscales = Eigen::VectorXd::Constant(inputDim, 0.5 * std::sqrt(double(inputDim)));
    const double mean = data.size() > 0 ? data.targets.mean() : 0.0;
    double variance = data.size() > 1 ? (data.targets.array() - mean).square().mean() : 1.0;
    if (variance <= 1e-24)
        variance = 1.0;
    h.taskFactor = Eigen::MatrixXd::Constant(taskCount, rank, std::sqrt(0.8 * variance / rank));
    h.taskDiagonal = Eigen::VectorXd::Constant(taskCount, 0.2 * variance);
    h.noiseVariance = Eigen::VectorXd::Constant(taskCount, 0.01 * variance);
    h.taskMean = Eigen::VectorXd::Constant(taskCount, mean);
    for (int t = 0; t < taskCount; ++t) {
        double sum = 0;
        int count = 0;
        for (Eigen::Index j = 0; j < data.size(); ++j) {
            if (data.tasks[size_t(j)] == t) {
                sum += data.targets[j];
                ++count;
            }
        }
        if (count > 0)
            h.taskMean[t] = sum / count;
    }
    return h;
}

MtgpFitOptions accuracyFitOptions(const AccuracyTransform& transform, MtgpFitOptions options)
{
    if (!options.specificKernel)
        options.specificKernel = true;
    if (transform.kind() != AccuracyTransform::Kind::Logit)
        return options;
    if (options.noiseFloor == 0)
        options.noiseFloor = 0.01 * 0.01;
    if (options.expectedNoise == 0)
        options.expectedNoise = 0.05 * 0.05;
    if (options.noiseShareOfTaskVariance == 0) // docs/calibration.md: quantize only's cliffs
        options.noiseShareOfTaskVariance = 0.025;
    if (options.minimumTargetScale == 0)
        options.minimumTargetScale = 0.5;
    if (!options.taskScalesFromData) // docs/calibration.md: fine-tuned tasks span a few points
        options.taskScalesFromData = true;
    if (!options.taskScalesFromPairs) // docs/calibration.md: the design's extremes overstate a range
        options.taskScalesFromPairs = true;
    if (options.minimumTaskScale == 0)
        options.minimumTaskScale = 0.25;
    return options;
}

namespace {
std::atomic<uint64_t> fitCalls{0};

/// Where tasks lie and which borrow from which (MtgpFitOptions::taskPositions, taskGroups).
struct TaskAxis {
    std::vector<double> positions;
    std::vector<int> groups;

    TaskAxis(const MtgpFitOptions& options, int taskCount) :
        positions(options.taskPositions), groups(options.taskGroups)
    {
        if (positions.size() != size_t(taskCount)) {
            positions.resize(size_t(taskCount));
            std::iota(positions.begin(), positions.end(), 0.0);
        }
        if (groups.size() != size_t(taskCount))
            groups.assign(size_t(taskCount), 0);
    }

    /// The nearest tasks marked `known` on either side of task `t` (below: at or before it), -1
    /// where there is none; with `groupFirst`, from t's own group where it has any known task.
    std::pair<int, int> neighbours(const std::vector<char>& known, int t, bool groupFirst = true) const
    {
        for (const bool ownGroup : {groupFirst, false}) {
            int below = -1, above = -1;
            for (int u = 0; u < int(known.size()); ++u) {
                if (!known[size_t(u)] || u == t || (ownGroup && groups[size_t(u)] != groups[size_t(t)]))
                    continue;
                const double p = positions[size_t(u)];
                if (p <= positions[size_t(t)] && (below < 0 || p > positions[size_t(below)]))
                    below = u;
                if (p > positions[size_t(t)] && (above < 0 || p < positions[size_t(above)]))
                    above = u;
            }
            if (below >= 0 || above >= 0)
                return {below, above};
        }
        return {-1, -1};
    }
};

/// The weights that carry values of the tasks marked `known` to the others: row t is unit at t
/// where t is known or has no known neighbour, elsewhere linear in the axis' positions between
/// the nearest known tasks on either side (TaskAxis::neighbours), or the nearest one beyond them.
Eigen::MatrixXd interpolationWeights(const std::vector<char>& known, const TaskAxis& axis, bool groupFirst = true)
{
    const auto taskCount = Eigen::Index(known.size());
    Eigen::MatrixXd weights = Eigen::MatrixXd::Identity(taskCount, taskCount);
    for (int t = 0; t < int(taskCount); ++t) {
        if (known[size_t(t)])
            continue;
        const auto [below, above] = axis.neighbours(known, t, groupFirst);
        if (below < 0 && above < 0)
            continue;
        weights(t, t) = 0;
        if (below >= 0 && above >= 0) {
            const double w = (axis.positions[size_t(t)] - axis.positions[size_t(below)])
                / (axis.positions[size_t(above)] - axis.positions[size_t(below)]);
            weights(t, below) = 1 - w;
            weights(t, above) = w;
        } else {
            weights(t, below >= 0 ? below : above) = 1;
        }
    }
    return weights;
}

/// MtgpFitOptions::taskScalesFromData on standardised data: each task's prior variance share
/// (MtgpPrior::taskScale) and the prior means of tasks without observations (MtgpPrior::taskMean,
/// taskMeanAnchors, taskMeanSds).
void taskPriorsFromData(const MtgpData& standardData, int taskCount, const MtgpFitOptions& options, double minimumShare,
                        double defaultMeanSd, Eigen::VectorXd& scales, Eigen::VectorXd& means, Eigen::MatrixXd& anchors,
                        Eigen::VectorXd& meanSds)
{
    const TaskAxis axis(options, taskCount);
    std::vector<int> counts(size_t(taskCount), 0);
    for (int task : standardData.tasks)
        ++counts[size_t(task)];
    Eigen::VectorXd variance = standardData.taskVariance(taskCount, 2);
    if (options.taskScalesFromPairs.value_or(false)) {
        // Only while a task's own trials are few (the design's extremes dominate them); from five on
        // its own variance says more than an extrapolation from another task's.
        constexpr int pairedBelow = 5;
        const int reference = int(std::max_element(counts.begin(), counts.end()) - counts.begin());
        for (int t = 0; t < taskCount; ++t)
            if (t != reference && counts[size_t(t)] < pairedBelow)
                if (const double ratio = standardData.pairedVarianceRatio(t, reference, 0.25 * variance[reference]);
                    ratio > 0)
                    variance[t] = ratio * variance[reference];
    }
    std::vector<char> spread(static_cast<size_t>(taskCount)), observed(static_cast<size_t>(taskCount));
    Eigen::VectorXd logScale = Eigen::VectorXd::Zero(taskCount);
    for (int t = 0; t < taskCount; ++t) {
        spread[size_t(t)] = counts[size_t(t)] >= 2;
        observed[size_t(t)] = counts[size_t(t)] >= 1;
        if (spread[size_t(t)])
            logScale[t] = std::log(std::clamp(variance[t], std::min(minimumShare, 1.0), 1.0));
    }
    // A fine-tuned budget without a range of its own spans what the other fine-tuned ones span
    // (rangesFromGroup): fine-tuning pulls accuracy back within a few points at every budget, where
    // quantization alone spans tens of them (docs/calibration.md).
    scales = (interpolationWeights(spread, axis, options.rangesFromGroup) * logScale).array().exp().matrix();
    // A task without data is centred on its neighbours' mean parameters, not their data means:
    // trials crowd where accuracy is high, and the fitted level, which the correlated tasks'
    // trials inform, is what a prediction adds the shared deviation to.
    const Eigen::VectorXd observedMeans = means;
    const Eigen::MatrixXd weights = interpolationWeights(observed, axis);
    if (options.unobservedMeansFromFit) {
        anchors = weights;
        for (int t = 0; t < taskCount; ++t) {
            if (observed[size_t(t)] || weights(t, t) == 1)
                anchors.row(t).setZero();
            else
                means[t] = 0;
        }
    } else { // the data means carried over: fixed centres
        means = weights * observedMeans;
    }
    // A budget between two observed ones (of any group) scores, on average, between them: its
    // mean's prior sd is a quarter of the gap between theirs, at least half its own range's sd, at
    // most the default.
    meanSds = Eigen::VectorXd::Constant(taskCount, defaultMeanSd);
    for (int t = 0; t < taskCount; ++t) {
        if (observed[size_t(t)])
            continue;
        const auto [below, above] = axis.neighbours(observed, t, false);
        if (below < 0 || above < 0)
            continue;
        const double gap = std::abs(observedMeans[above] - observedMeans[below]);
        meanSds[t] = std::min(defaultMeanSd, std::max(gap / 4, 0.5 * std::sqrt(scales[t])));
    }
}

/// MtgpFitOptions::posteriorSamples while data are few: slice samples of the posterior started at
/// the mode (10 burn-in sweeps, every second sweep kept).
std::vector<Eigen::VectorXd> sliceSamples(const MtgpData& standardData, const MtgpParameterLayout& layout,
                                          const MtgpPrior& prior, const Eigen::VectorXd& mode, const Bounds& bounds,
                                          int count, std::mt19937_64& rng)
{
    MtgpLikelihood likelihood(standardData, layout);
    const auto logPosterior = [&](const Eigen::VectorXd& theta) {
        try {
            const double value = likelihood(theta, nullptr) + prior.negativeLogDensity(layout, theta, nullptr);
            return std::isfinite(value) ? -value : -std::numeric_limits<double>::infinity();
        } catch (const NumericalError&) {
            return -std::numeric_limits<double>::infinity();
        }
    };
    return sliceSample(logPosterior, mode, bounds.lower, bounds.upper, count, 10, 2, rng);
}

/// MtgpFitOptions::laplaceBeyondSampling: `count` draws from N(mode, H^-1), H the Hessian of the
/// negative log posterior at the mode by central differences of its analytic gradient over the
/// parameters strictly inside their bounds (the others stay at the mode), its eigenvalues floored
/// so that a flat direction cannot throw a draw across the box; draws are clamped to the box, and
/// one whose covariance cannot be factorised is replaced by the mode.
std::vector<Eigen::VectorXd> laplaceSamples(const MtgpData& standardData, const MtgpParameterLayout& layout,
                                            const MtgpPrior& prior, const Eigen::VectorXd& mode, const Bounds& bounds,
                                            int count, std::mt19937_64& rng)
{
    MtgpLikelihood likelihood(standardData, layout);
    const auto gradientAt = [&](const Eigen::VectorXd& theta) {
        Eigen::VectorXd gradient = Eigen::VectorXd::Zero(theta.size());
        likelihood(theta, &gradient);
        prior.negativeLogDensity(layout, theta, &gradient);
        return gradient;
    };
    constexpr double step = 1e-4, margin = 1e-3;
    std::vector<Eigen::Index> free;
    for (Eigen::Index i = 0; i < mode.size(); ++i)
        if (mode[i] > bounds.lower[i] + margin && mode[i] < bounds.upper[i] - margin)
            free.push_back(i);
    const auto k = Eigen::Index(free.size());
    Eigen::MatrixXd hessian(k, k);
    try {
        for (Eigen::Index a = 0; a < k; ++a) {
            Eigen::VectorXd up = mode, down = mode;
            up[free[size_t(a)]] += step;
            down[free[size_t(a)]] -= step;
            const Eigen::VectorXd difference = (gradientAt(up) - gradientAt(down)) / (2 * step);
            for (Eigen::Index b = 0; b < k; ++b)
                hessian(b, a) = difference[free[size_t(b)]];
        }
    } catch (const NumericalError&) {
        return {}; // the MAP point alone
    }
    const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eigen(0.5 * (hessian + hessian.transpose()));
    // The prior alone curves every direction at least this much; a lower (or negative) curvature is
    // an optimiser that stopped short of the mode, not a wider posterior.
    const double widestPriorSd =
        std::max({prior.logLengthscaleSd, prior.logTaskDiagonalSd, prior.logNoiseSd, prior.taskMeanSd});
    const Eigen::VectorXd sd =
        eigen.eigenvalues().cwiseMax(1 / (widestPriorSd * widestPriorSd)).cwiseSqrt().cwiseInverse();
    std::normal_distribution<double> normal;
    std::vector<Eigen::VectorXd> draws;
    for (int s = 0; s < count; ++s) {
        Eigen::VectorXd z(k);
        for (Eigen::Index i = 0; i < k; ++i)
            z[i] = normal(rng) * sd[i];
        const Eigen::VectorXd offset = eigen.eigenvectors() * z;
        Eigen::VectorXd theta = mode;
        for (Eigen::Index i = 0; i < k; ++i)
            theta[free[size_t(i)]] += offset[i];
        theta = theta.cwiseMax(bounds.lower).cwiseMin(bounds.upper);
        try {
            if (!std::isfinite(likelihood(theta, nullptr)))
                theta = mode;
        } catch (const NumericalError&) {
            theta = mode;
        }
        draws.push_back(theta);
    }
    return draws;
}

} // namespace

uint64_t fitMtgpCalls()
{
    return fitCalls.load();
}

int sliceSampleCount(const MtgpFitOptions& options, Eigen::Index observations)
{
    if (options.posteriorSamples <= 0 || observations > options.sampleUpTo)
        return 0;
    int count = options.posteriorSamples;
    for (Eigen::Index upTo = options.sampleUpTo / 2; observations <= upTo && 2 * count <= options.mostPosteriorSamples;
         upTo /= 2)
        count *= 2;
    return count;
}

MtgpFitReport fitMtgp(const MtgpData& data, int inputDim, int taskCount, const MtgpFitOptions& options)
{
    ++fitCalls;
    const auto start = std::chrono::steady_clock::now();
    data.validate(inputDim, taskCount);
    if (data.size() == 0)
        throw ConfigError("cannot fit a GP without observations");
    MtgpParameterLayout layout;
    layout.inputDim = inputDim;
    layout.taskCount = taskCount;
    layout.kernel = options.warmStart ? options.warmStart->kernel.kind : options.kernel;
    layout.inputWarping = options.warmStart ? options.warmStart->kernel.warped() : options.inputWarping;
    layout.specificKernel =
        options.warmStart ? options.warmStart->hasSpecificKernel() : options.specificKernel.value_or(false);
    layout.rank =
        options.warmStart ? int(options.warmStart->taskFactor.cols()) : (options.rank > 0 ? options.rank : taskCount);
    if (layout.rank < 1 || layout.rank > taskCount)
        throw ConfigError("task covariance rank must be 1.." + std::to_string(taskCount) + ", got "
                          + std::to_string(layout.rank));

    const Standardisation standard(data.targets, options.minimumTargetScale);
    const MtgpData standardData = standard.apply(data);
    const double scale2 = standard.scale * standard.scale;
    Eigen::VectorXd floors = Eigen::VectorXd::Constant(taskCount, options.noiseFloor);
    if (options.floorFromRepeats)
        floors = floors.cwiseMax(0.5 * data.repeatVariance(taskCount));
    const Bounds bounds = standardBounds(layout, options.allowNegativeCorrelation, floors / scale2);
    std::mt19937_64 rng(options.seed);

    std::vector<Eigen::VectorXd> starts;
    const MtgpHyperparameters first = options.warmStart
        ? standard.toStandard(*options.warmStart)
        : defaultMtgpHyperparameters(standardData, inputDim, taskCount, layout.rank, layout.kernel);
    starts.push_back(layout.pack(first).cwiseMax(bounds.lower).cwiseMin(bounds.upper));
    for (int r = 0; r < options.restarts; ++r)
        starts.push_back(randomStart(layout, bounds, standardData, rng));

    LBFGSpp::LBFGSBParam<double> param;
    param.max_iterations = options.maxIterations;
    // Stop on a small gradient or when 5 iterations improve the objective by < 1e-4 relative:
    // hyperparameters need not be exact, and a search refits after every evaluation.
    param.epsilon = 1e-6;
    param.epsilon_rel = 1e-5;
    param.past = 5;
    param.delta = 1e-4;
    param.max_linesearch = 40;

    MtgpFitReport report;
    Eigen::VectorXd bestTheta;
    double bestValue = std::numeric_limits<double>::infinity();
    Eigen::VectorXd priorMean =
        defaultMtgpHyperparameters(standardData, inputDim, taskCount, layout.rank, layout.kernel).taskMean;
    Eigen::VectorXd taskScales, taskMeanSds;
    Eigen::MatrixXd taskMeanAnchors;
    if (options.taskScalesFromData.value_or(false) && options.usePriors) {
        // A task is narrowed below the pooled range only as far as the data show a range at all:
        // its sd at least minimumTaskScale and minimumTargetScale^2 / the targets' spread, so that
        // targets all within the smallest range assumed (a few similar configurations) narrow none.
        const double floor =
            std::max(options.minimumTaskScale,
                     options.minimumTargetScale * options.minimumTargetScale / std::max(standard.spread, 1e-12));
        taskPriorsFromData(standardData, taskCount, options, floor * floor / scale2, MtgpPrior{}.taskMeanSd, taskScales,
                           priorMean, taskMeanAnchors, taskMeanSds);
    }
    const double noiseMedian = options.expectedNoise > 0 ? options.expectedNoise / scale2 : 1e-2;
    const Eigen::VectorXd noiseMedians = (options.noiseShareOfTaskVariance * data.taskVariance(taskCount, 3) / scale2)
                                             .cwiseMax(noiseMedian)
                                             .cwiseMax(2 * floors / scale2); // floors below the median
    MtgpPrior prior = MtgpPrior::defaults(layout, priorMean, noiseMedians);
    prior.taskScale = taskScales;
    prior.taskMeanSds = taskMeanSds;
    prior.taskMeanAnchors = taskMeanAnchors;
    prior.meansOnly = !options.usePriors;
    for (const Eigen::VectorXd& initial : starts) {
        Objective objective(standardData, layout, prior);
        Eigen::VectorXd theta = initial;
        double value = 0;
        try {
            LBFGSpp::LBFGSBSolver<double> solver(param);
            solver.minimize(objective, theta, value, bounds.lower, bounds.upper);
        } catch (const std::exception&) {
            // A line search that cannot progress ends this start; its best point still counts.
        }
        ++report.starts;
        report.evaluations += objective.evaluations;
        if (!std::isfinite(objective.best) || objective.best >= std::numeric_limits<double>::max() / 8) {
            ++report.failedStarts;
            continue;
        }
        if (objective.best < bestValue) {
            bestValue = objective.best;
            bestTheta = objective.bestTheta;
        }
    }
    if (bestTheta.size() == 0)
        throw NumericalError("GP fit failed: the covariance matrix could not be factorised from any start");

    report.hyperparameters = standard.toOriginal(layout.unpack(bestTheta));
    std::vector<Eigen::VectorXd> samples;
    if (const int count = sliceSampleCount(options, data.size()); count > 0)
        samples = sliceSamples(standardData, layout, prior, bestTheta, bounds, count, rng);
    else if (options.posteriorSamples > 0 && options.laplaceBeyondSampling)
        samples = laplaceSamples(standardData, layout, prior, bestTheta, bounds, options.posteriorSamples, rng);
    for (const Eigen::VectorXd& theta : samples)
        report.samples.push_back(standard.toOriginal(layout.unpack(theta)));
    // The likelihood alone (no prior), back in the targets' units: it gains the Jacobian of the rescaling.
    report.negativeLogLikelihood = mtgpNegativeLogLikelihood(standardData, layout, bestTheta, nullptr)
        + double(data.size()) * std::log(standard.scale);
    report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return report;
}

} // namespace quantscope
