#pragma once

#include "search/strategy.h"

#include <Eigen/Dense>

namespace quantscope {

/// The posterior of effective accuracy E = a - penalty on `task` for every candidate: the
/// model's latent posterior of the accuracy, the bit penalty (sum b - 4 n) / k, and the map back
/// to accuracy. Quantities are taken in accuracy units through the transform (quantiles map
/// exactly; EI integrates over the latent normal).
struct EffectivePosterior {
    Eigen::VectorXd latentMean;
    Eigen::VectorXd latentSd;
    Eigen::VectorXd penalty;
    AccuracyTransform transform;

    /// E at the latent quantile mean + kappa sd (kappa 0: the posterior median).
    Eigen::VectorXd quantile(double kappa) const;
    /// Expected improvement of E over `best`.
    Eigen::VectorXd expectedImprovement(double best) const;
};
EffectivePosterior effectivePosterior(const AcquisitionContext& context, int task);

/// GP-UCB exploration weight of Srinivas et al. as NUQ's code scales it:
/// beta_t = 2 log(|G| t^2 pi^2 / (6 delta)) / 5.
double ucbBeta(size_t candidates, int iteration, double delta = 0.1);

/// NUQ's low-fidelity acquisition (Song, Chen & Yue, AISTATS 2019) for every task (rows) and
/// candidate (columns): the information an observation y_(x, task) carries about the target
/// function on the reference set G, 1/2 log s2(x) - 1/2 log s2(x | f_M(G)), where s2 includes
/// task noise.
Eigen::MatrixXd informationAboutTarget(const AcquisitionContext& context);

/// The available candidate with the largest score on `task`, or -1 if none is available.
long argmaxAvailable(const AcquisitionContext& context, int task, const Eigen::VectorXd& scores);

} // namespace quantscope
