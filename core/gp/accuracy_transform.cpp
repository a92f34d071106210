#include "gp/accuracy_transform.h"

#include <algorithm>
#include <cmath>

namespace quantscope {
namespace {

constexpr double kLowest = 0.1;
constexpr double kHighest = 99.9;

double normalCdf(double z)
{
    return 0.5 * std::erfc(-z / std::sqrt(2.0));
}

} // namespace

double AccuracyTransform::toLatent(double accuracy) const
{
    if (kind_ == Kind::Identity)
        return accuracy;
    const double p = std::clamp(accuracy, kLowest, kHighest) / 100.0;
    return std::log(p / (1 - p));
}

double AccuracyTransform::toAccuracy(double latent) const
{
    if (kind_ == Kind::Identity)
        return latent;
    return 100.0 / (1.0 + std::exp(-latent));
}

AccuracyInterval AccuracyTransform::interval(double mean, double sd, double z) const
{
    AccuracyInterval out;
    out.median = toAccuracy(mean);
    out.lower = toAccuracy(mean - z * sd);
    out.upper = toAccuracy(mean + z * sd);
    out.equivalentSd = (out.upper - out.lower) / (2 * z);
    return out;
}

AccuracyInterval AccuracyTransform::interval(const NormalMixture& latent, double z) const
{
    if (latent.size() == 1)
        return interval(latent.mean(), std::sqrt(latent.variance()), z);
    const double tail = normalCdf(-z);
    AccuracyInterval out;
    out.median = toAccuracy(latent.quantile(0.5));
    out.lower = toAccuracy(latent.quantile(tail));
    out.upper = toAccuracy(latent.quantile(1 - tail));
    out.equivalentSd = (out.upper - out.lower) / (2 * z);
    return out;
}

double AccuracyTransform::expectedExcess(double mean, double sd, double threshold) const
{
    if (!(sd > 1e-12))
        return std::max(0.0, toAccuracy(mean) - threshold);
    if (kind_ == Kind::Identity) {
        const double gain = mean - threshold;
        const double z = gain / sd;
        return gain * normalCdf(z) + sd * std::exp(-0.5 * z * z) / std::sqrt(2 * M_PI);
    }
    return expectationAbove(mean, sd, threshold, [threshold](double a) { return std::max(0.0, a - threshold); });
}

double AccuracyTransform::expectationAbove(double mean, double sd, double threshold,
                                           const std::function<double(double)>& g, int intervals) const
{
    if (!(sd > 1e-12))
        return toAccuracy(mean) > threshold ? g(toAccuracy(mean)) : 0.0;
    // The integrand is zero below the latent value of the threshold: Simpson's rule above it,
    // over the normal's +8 sd (accuracies are bounded, so the tails add nothing visible).
    if (kind_ == Kind::Logit && threshold >= 100.0)
        return 0.0;
    const bool unbounded = kind_ == Kind::Logit && threshold <= 0.0;
    const double from = std::max(unbounded ? -1e300 : toLatent(threshold), mean - 8 * sd);
    const double to = mean + 8 * sd;
    if (from >= to)
        return 0.0;
    intervals += intervals % 2;
    const double h = (to - from) / intervals;
    double sum = 0;
    for (int i = 0; i <= intervals; ++i) {
        const double x = from + i * h;
        const double u = (x - mean) / sd;
        const double f = g(toAccuracy(x)) * std::exp(-0.5 * u * u);
        sum += f * (i == 0 || i == intervals ? 1 : i % 2 == 1 ? 4 : 2);
    }
    return sum * h / 3 / (sd * std::sqrt(2 * M_PI));
}

double AccuracyTransform::logDensity(double accuracy, double mean, double variance) const
{
    const double z = toLatent(accuracy);
    return -0.5 * (z - mean) * (z - mean) / variance - 0.5 * std::log(2 * M_PI * variance) + logJacobian(accuracy);
}

double AccuracyTransform::logDensity(double accuracy, const NormalMixture& latent) const
{
    return latent.logDensity(toLatent(accuracy)) + logJacobian(accuracy);
}

double AccuracyTransform::logJacobian(double accuracy) const
{
    if (kind_ == Kind::Identity)
        return 0;
    const double a = std::clamp(accuracy, kLowest, kHighest);
    return std::log(100.0 / (a * (100.0 - a))); // |d latent / d accuracy|
}

} // namespace quantscope
