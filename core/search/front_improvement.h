#pragma once

#include "gp/accuracy_transform.h"
#include "search/pareto.h"

#include <vector>

namespace quantscope {

/// The area a new point adds to an accuracy-vs-cost front (lower cost and higher accuracy are
/// better) inside the box bounded by `reference` (the worst cost and the lowest accuracy worth
/// having), and its expectation when the accuracy is uncertain: the expected hypervolume
/// improvement (EHVI) of a two-objective front whose cost axis (memory, BOPs) is known exactly.
class FrontImprovement {
public:
    /// `points` need not be a front; dominated ones and those outside the box are ignored.
    FrontImprovement(const std::vector<TradeOff>& points, TradeOff reference);

    /// hypervolume(points + {cost, accuracy}) - hypervolume(points), in O(front size).
    double gain(double cost, double accuracy) const;
    /// E[gain(cost, a)] for a = transform.toAccuracy(f), f ~ N(latentMean, latentSd^2).
    double expectedGain(double cost, double latentMean, double latentSd, const AccuracyTransform& transform) const;

    const TradeOff& reference() const { return reference_; }

private:
    /// Strips of the box right of `cost`, as (width, accuracy already dominated there), by
    /// rising accuracy. A point at `cost` with accuracy a adds sum width * max(0, a - level).
    int firstStrip(double cost) const;

    TradeOff reference_;
    std::vector<TradeOff> front_; ///< by increasing cost (and so increasing accuracy)
};

} // namespace quantscope
