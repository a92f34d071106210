#pragma once

#include "search/strategy.h"

#include <Eigen/Dense>

namespace quantscope {

/// Posterior mean and sd of effective accuracy on `task` for every candidate.
struct EffectivePosterior {
    Eigen::VectorXd mean;
    Eigen::VectorXd sd;
};
EffectivePosterior effectivePosterior(const AcquisitionContext& context, int task);

/// GP-UCB exploration weight of Srinivas et al. as NUQ's code scales it:
/// beta_t = 2 log(|G| t^2 pi^2 / (6 delta)) / 5.
double ucbBeta(size_t candidates, int iteration, double delta = 0.1);

/// Expected improvement over `best` of a Gaussian with `mean` and `sd` (elementwise).
Eigen::VectorXd expectedImprovement(const Eigen::VectorXd& mean, const Eigen::VectorXd& sd, double best);

/// NUQ's low-fidelity acquisition (Song, Chen & Yue, AISTATS 2019) for every task (rows) and
/// candidate (columns): the information an observation y_(x, task) carries about the target
/// function on the reference set G, 1/2 log s2(x) - 1/2 log s2(x | f_M(G)), where s2 includes
/// task noise.
Eigen::MatrixXd informationAboutTarget(const AcquisitionContext& context);

/// The available candidate with the largest score on `task`, or -1 if none is available.
long argmaxAvailable(const AcquisitionContext& context, int task, const Eigen::VectorXd& scores);

} // namespace quantscope
