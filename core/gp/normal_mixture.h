#pragma once

#include <Eigen/Dense>

namespace quantscope {

/// An equal-weight mixture of normals: the predictive distribution of a posterior averaged over
/// sampled hyperparameters, one component per sample. Intervals come from the mixture's own
/// quantiles: a single normal with its moments misstates them where the components disagree, too
/// wide around components with different means, too narrow for components with different spreads.
class NormalMixture {
public:
    NormalMixture() = default;
    /// Components N(means[k], variances[k]); at least one, variances positive.
    NormalMixture(Eigen::VectorXd means, Eigen::VectorXd variances);
    static NormalMixture single(double mean, double variance);

    Eigen::Index size() const { return means_.size(); }
    double mean() const;
    double variance() const; ///< the mixture's, including the spread of the component means
    double cdf(double x) const;
    double logDensity(double x) const;
    /// x with cdf(x) = p, for p in (0, 1): Newton steps safeguarded by bisection, to 1e-10 in cdf.
    double quantile(double p) const;
    /// The same mixture moved by `offset` (every component's mean).
    NormalMixture shifted(double offset) const;

private:
    double density(double x) const;

    Eigen::VectorXd means_;
    Eigen::VectorXd sds_;
};

} // namespace quantscope
