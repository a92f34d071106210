#include "search/pareto.h"

#include <algorithm>
#include <numeric>

namespace quantscope {

double effectiveAccuracy(double accuracy, double bitSum, size_t layerCount, double k)
{
    return accuracy - (bitSum - 4.0 * double(layerCount)) / k;
}

std::vector<size_t> paretoFront(const std::vector<TradeOff>& points)
{
    std::vector<size_t> order(points.size());
    std::iota(order.begin(), order.end(), size_t{0});
    // By cost, then best value first, so a sweep keeps a point only if it beats all cheaper ones.
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
        if (points[a].cost != points[b].cost)
            return points[a].cost < points[b].cost;
        return points[a].value > points[b].value;
    });
    std::vector<size_t> front;
    for (size_t i : order) {
        if (front.empty() || points[i].value > points[front.back()].value)
            front.push_back(i);
    }
    return front;
}

double hypervolume(const std::vector<TradeOff>& points, const TradeOff& reference)
{
    std::vector<TradeOff> inside;
    for (const TradeOff& p : points) {
        if (p.cost < reference.cost && p.value > reference.value)
            inside.push_back(p);
    }
    double area = 0;
    const std::vector<size_t> front = paretoFront(inside);
    // Sweep from the most expensive front point: each adds the strip up to the next costlier one.
    double rightEdge = reference.cost;
    for (auto it = front.rbegin(); it != front.rend(); ++it) {
        const TradeOff& p = inside[*it];
        area += (rightEdge - p.cost) * (p.value - reference.value);
        rightEdge = p.cost;
    }
    return area;
}

} // namespace quantscope
