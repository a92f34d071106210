#pragma once

#include <Eigen/Dense>

#include <functional>
#include <random>
#include <vector>

namespace quantscope {

/// Coordinate-wise slice sampling (Neal, "Slice sampling", Annals of Statistics 2003: stepping
/// out, then shrinkage) of an unnormalised log density restricted to a box. Needs no gradient or
/// tuning beyond an initial bracket `width` per coordinate. A log density of -infinity marks
/// points outside the support (e.g. a failed factorisation). Returns `samples` states, one
/// every `thin` sweeps after `burnIn` sweeps, starting from `start` (which must have a finite
/// density).
std::vector<Eigen::VectorXd> sliceSample(const std::function<double(const Eigen::VectorXd&)>& logDensity,
                                         Eigen::VectorXd start, const Eigen::VectorXd& lower,
                                         const Eigen::VectorXd& upper, int samples, int burnIn, int thin,
                                         std::mt19937_64& rng, double width = 0.5);

} // namespace quantscope
