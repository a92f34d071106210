#include "search/front_improvement.h"

#include <algorithm>
#include <cmath>

namespace quantscope {

FrontImprovement::FrontImprovement(const std::vector<TradeOff>& points, TradeOff reference) : reference_(reference)
{
    std::vector<TradeOff> inside;
    for (const TradeOff& p : points)
        if (p.cost < reference.cost && p.value > reference.value)
            inside.push_back(p);
    for (size_t i : paretoFront(inside))
        front_.push_back(inside[i]);
}

int FrontImprovement::firstStrip(double cost) const
{
    // Front points at or below `cost` already dominate the strip that starts there.
    return int(
        std::upper_bound(front_.begin(), front_.end(), cost, [](double c, const TradeOff& p) { return c < p.cost; })
        - front_.begin());
}

double FrontImprovement::gain(double cost, double accuracy) const
{
    if (cost >= reference_.cost)
        return 0.0;
    int j = firstStrip(cost);
    double level = j > 0 ? front_[size_t(j - 1)].value : reference_.value;
    double left = cost;
    double area = 0;
    // Levels rise to the right: stop at the first strip already dominated at this accuracy.
    while (accuracy > level) {
        const double right = size_t(j) < front_.size() ? front_[size_t(j)].cost : reference_.cost;
        area += (right - left) * (accuracy - level);
        if (size_t(j) >= front_.size())
            break;
        left = right;
        level = front_[size_t(j)].value;
        ++j;
    }
    return area;
}

double FrontImprovement::expectedGain(double cost, double latentMean, double latentSd,
                                      const AccuracyTransform& transform) const
{
    if (cost >= reference_.cost)
        return 0.0;
    // The gain is zero at accuracies up to the level of the strip at `cost`.
    const int j = firstStrip(cost);
    const double level = j > 0 ? front_[size_t(j - 1)].value : reference_.value;
    return transform.expectationAbove(
        latentMean, latentSd, level, [&](double a) { return gain(cost, a); }, 48);
}

} // namespace quantscope
