#pragma once

#include "gp/mtgp_likelihood.h"

#include <Eigen/Dense>

namespace quantscope {

/// Independent Gaussian priors on the packed ICM parameters (MtgpParameterLayout), in the
/// standardised units of the fit: targets with zero mean and unit variance, inputs in [0, 1]^d.
/// Maximising likelihood times prior (MAP) instead of the likelihood alone (ML-II) keeps a fit on
/// a handful of points from collapsing to a flat mean with no variance, NUQ's reason for its
/// priors (METHOD.md section 2). Normal priors on log-parameters are log-normal on the parameters:
/// - lengthscales (of both kernels, where the task-specific part has its own): log-normal,
///   median 0.5 sqrt(d), sd 1 in log space, well inside 0.01..100;
/// - input warping's Kumaraswamy a and b (when on): log-normal, median 1 (no warp), sd sqrt(0.75)
///   in log space (BoTorch's prior for its input warping);
/// - W (tasks x rank): normal around sqrt(0.8 / rank), sd 0.5 / sqrt(rank): tasks a priori
///   strongly and positively correlated (correlation ~0.8), so a task with one observation still
///   borrows from the others instead of being cut off from them;
/// - v (task-specific variance): log-normal, median 0.2;
/// - both scaled per task by `taskScale` (B[t, t]'s prior median in units of the pooled variance,
///   1 unless the fit says otherwise): row t of W by sqrt(taskScale[t]), v[t] by taskScale[t], so
///   the tasks' correlations keep their prior while each task's range follows its own;
/// - noise variance: log-normal around `noiseMedian` (a floor is a bound of the fit, not a prior);
/// - task means: normal around each task's data mean (the overall mean without data), sd 1, or
///   per task (`taskMeanSds`: a task without data between two observed ones, MtgpFitOptions);
///   with `taskMeanAnchors`, a task's centre also moves with other tasks' mean *parameters*, so a
///   task without data sits at its neighbours' fitted levels, not their data means (a search's
///   trials crowd where accuracy is high, so a task's data mean overstates its fitted level).
struct MtgpPrior {
    Eigen::VectorXd logLengthscale; ///< prior medians (log), one per input
    double logLengthscaleSd = 1.0;
    double logWarpSd = 0.8660254037844386; ///< sqrt(0.75), around log 1 = 0
    double taskFactorMean = 0;
    double taskFactorSd = 1.0;
    double logTaskDiagonal = 0;
    double logTaskDiagonalSd = 1.0;
    Eigen::VectorXd taskScale; ///< one per task; empty: 1 for every task
    Eigen::VectorXd logNoise;  ///< prior medians (log variance), one per task
    double logNoiseSd = 1.5;
    Eigen::VectorXd taskMean; ///< one per task
    double taskMeanSd = 1.0;
    Eigen::VectorXd taskMeanSds; ///< one per task; empty: taskMeanSd for every task
    /// tasks x tasks: task t's mean centre is taskMean[t] + row t times the mean parameters; a
    /// task's row must not reach back to itself through others. Empty: fixed centres.
    Eigen::MatrixXd taskMeanAnchors;
    /// Only the task-mean block counts (plain ML-II with the weak mean prior, the older fit).
    bool meansOnly = false;

    /// The defaults above for `layout`, task means and noise medians given in standardised units.
    static MtgpPrior defaults(const MtgpParameterLayout& layout, const Eigen::VectorXd& taskMeans,
                              const Eigen::VectorXd& noiseMedians);

    /// -log p(theta) up to a constant; adds its gradient to `gradient` when given.
    double negativeLogDensity(const MtgpParameterLayout& layout, const Eigen::VectorXd& theta,
                              Eigen::VectorXd* gradient) const;
};

} // namespace quantscope
