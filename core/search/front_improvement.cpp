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
    return int(std::upper_bound(front_.begin(), front_.end(), cost,
                                [](double c, const TradeOff& p) { return c < p.cost; }) -
               front_.begin());
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
    if (!(latentSd > 1e-12))
        return gain(cost, transform.toAccuracy(latentMean));
    // The gain is zero below the level of the strip at `cost`: Simpson's rule from there over
    // the normal's +8 sd, as AccuracyTransform::expectedExcess does for one strip.
    const int j = firstStrip(cost);
    const double level = j > 0 ? front_[size_t(j - 1)].value : reference_.value;
    if (transform.kind() == AccuracyTransform::Kind::Logit && level >= 100.0)
        return 0.0;
    const double from = std::max(transform.toLatent(level), latentMean - 8 * latentSd);
    const double to = latentMean + 8 * latentSd;
    if (from >= to)
        return 0.0;
    constexpr int kIntervals = 48;
    const double h = (to - from) / kIntervals;
    double sum = 0;
    for (int i = 0; i <= kIntervals; ++i) {
        const double x = from + i * h;
        const double u = (x - latentMean) / latentSd;
        const double g = gain(cost, transform.toAccuracy(x)) * std::exp(-0.5 * u * u);
        sum += g * (i == 0 || i == kIntervals ? 1 : i % 2 == 1 ? 4 : 2);
    }
    return sum * h / 3 / (latentSd * std::sqrt(2 * M_PI));
}

} // namespace quantscope
