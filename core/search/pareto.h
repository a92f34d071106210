#pragma once

#include <cstddef>
#include <vector>

namespace quantscope {

/// NUQ's effective accuracy (section 4): E = a - (sum_i b_i - 4 n) / k. NUQ uses k = 100 with
/// accuracy as a fraction: each bit away from all-4-bit moves E by one percentage point. Quantscope
/// keeps accuracy in percent, where the same trade is k = 1 (the default).
double effectiveAccuracy(double accuracy, double bitSum, size_t layerCount, double k = 1.0);

/// A point to trade off: lower cost (memory or BOPs) and higher value (accuracy) are better.
struct TradeOff {
    double cost = 0;
    double value = 0;
};

/// Indices of the non-dominated points (no other point has cost <= and value >= with one strict),
/// ordered by increasing cost. O(n log n). Ties keep the first index.
std::vector<size_t> paretoFront(const std::vector<TradeOff>& points);

/// Area dominated by `points` and bounded by `reference` (worst cost, worst value): points with
/// cost >= reference.cost or value <= reference.value add nothing. O(n log n).
double hypervolume(const std::vector<TradeOff>& points, const TradeOff& reference);

} // namespace quantscope
