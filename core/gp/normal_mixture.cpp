#include "gp/normal_mixture.h"

#include "common/error.h"

#include <algorithm>

#include <cmath>
#include <limits>

namespace quantscope {
namespace {

constexpr double kInverseSqrtTwoPi = 0.3989422804014327;

} // namespace

NormalMixture::NormalMixture(Eigen::VectorXd means, Eigen::VectorXd variances) :
    means_(std::move(means)), sds_(variances.cwiseSqrt())
{
    if (means_.size() == 0 || means_.size() != sds_.size())
        throw ConfigError("a normal mixture needs one variance per mean, and at least one component");
    if (!(sds_.minCoeff() > 0) || !means_.allFinite() || !sds_.allFinite())
        throw NumericalError("a normal mixture's components need finite means and positive variances");
}

NormalMixture NormalMixture::single(double mean, double variance)
{
    return NormalMixture(Eigen::VectorXd::Constant(1, mean), Eigen::VectorXd::Constant(1, variance));
}

double NormalMixture::mean() const
{
    return means_.mean();
}

double NormalMixture::variance() const
{
    const double m = mean();
    return (sds_.array().square() + (means_.array() - m).square()).mean();
}

double NormalMixture::cdf(double x) const
{
    double sum = 0;
    for (Eigen::Index k = 0; k < size(); ++k)
        sum += 0.5 * std::erfc(-(x - means_[k]) / (sds_[k] * std::sqrt(2.0)));
    return sum / double(size());
}

double NormalMixture::density(double x) const
{
    double sum = 0;
    for (Eigen::Index k = 0; k < size(); ++k) {
        const double u = (x - means_[k]) / sds_[k];
        sum += kInverseSqrtTwoPi * std::exp(-0.5 * u * u) / sds_[k];
    }
    return sum / double(size());
}

double NormalMixture::logDensity(double x) const
{
    // Log-sum-exp over the components, so that a point far in every tail stays finite.
    Eigen::VectorXd terms(size());
    for (Eigen::Index k = 0; k < size(); ++k) {
        const double u = (x - means_[k]) / sds_[k];
        terms[k] = -0.5 * u * u - std::log(sds_[k]);
    }
    const double top = terms.maxCoeff();
    return top + std::log((terms.array() - top).exp().mean()) + std::log(kInverseSqrtTwoPi);
}

double NormalMixture::quantile(double p) const
{
    if (!(p > 0 && p < 1))
        throw ConfigError("a quantile needs a probability strictly between 0 and 1");
    // Every component's p-quantile, and so the mixture's, lies within 9 sd of its mean for any p
    // a double can tell from 0 or 1 in practice (1e-19). Newton steps from the mixture's mean,
    // falling back to bisection whenever a step would leave the bracket.
    double low = (means_ - 9 * sds_).minCoeff();
    double high = (means_ + 9 * sds_).maxCoeff();
    double x = std::clamp(mean(), low, high);
    for (int iteration = 0; iteration < 200; ++iteration) {
        const double gap = cdf(x) - p;
        if (std::abs(gap) < 1e-10)
            break;
        (gap > 0 ? high : low) = x;
        const double slope = density(x);
        const double step = slope > 0 ? x - gap / slope : low - 1;
        x = step > low && step < high ? step : 0.5 * (low + high);
        if (high - low < 1e-12 * (1 + std::abs(x)))
            break;
    }
    return x;
}

NormalMixture NormalMixture::shifted(double offset) const
{
    NormalMixture out = *this;
    out.means_.array() += offset;
    return out;
}

} // namespace quantscope
