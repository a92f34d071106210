#pragma once

#include "gp/normal_mixture.h"

#include <functional>

namespace quantscope {

/// A distribution of accuracy (percent) summarised by its median and a central interval.
struct AccuracyInterval {
    double median = 0;
    double lower = 0;
    double upper = 0;
    /// (upper - lower) / (2 z): the sd of a normal with this interval, for plots that show spread.
    double equivalentSd = 0;
};

/// How the GP sees accuracies in percent. `Logit` (the default) models z = logit(a / 100): a
/// normal posterior on z maps back to accuracies that can never leave [0, 100], narrow near the
/// bounds and wide in the middle, as measured accuracies behave. `Identity` models a itself (the
/// model before the transform; functions that are not accuracies). Back-transformed results are
/// medians and quantiles (a monotone map keeps quantiles, not means): docs/search.md.
class AccuracyTransform {
public:
    enum class Kind { Logit, Identity };

    AccuracyTransform() = default;
    explicit AccuracyTransform(Kind kind) : kind_(kind) {}
    Kind kind() const { return kind_; }

    /// Accuracies are clamped to [0.1, 99.9] % first, so that 0 and 100 stay finite.
    double toLatent(double accuracy) const;
    double toAccuracy(double latent) const;
    /// Median and the central interval of latent N(mean, sd^2) mapped back; `z` = 1.96 for 95 %.
    AccuracyInterval interval(double mean, double sd, double z = 1.959963984540054) const;
    /// The same for a latent mixture: its median and the quantiles a normal's +-z sd would cut off.
    AccuracyInterval interval(const NormalMixture& latent, double z = 1.959963984540054) const;
    /// E[max(0, a - threshold)] for a = toAccuracy(N(mean, sd^2)): expected improvement.
    double expectedExcess(double mean, double sd, double threshold) const;
    /// E[g(a)] for a = toAccuracy(N(mean, sd^2)) and a `g` that is zero at accuracies up to
    /// `threshold`: Simpson's rule on the latent normal from the threshold to +8 sd.
    double expectationAbove(double mean, double sd, double threshold, const std::function<double(double)>& g,
                            int intervals = 64) const;
    /// log density of a measured accuracy under latent N(mean, variance), in accuracy units
    /// (with the Jacobian), so that models on different scales compare.
    double logDensity(double accuracy, double mean, double variance) const;
    double logDensity(double accuracy, const NormalMixture& latent) const;

private:
    double logJacobian(double accuracy) const; ///< log |d latent / d accuracy|

    Kind kind_ = Kind::Logit;
};

} // namespace quantscope
