#include "search/initial_design.h"

#include "common/error.h"

#include <algorithm>
#include <limits>
#include <numeric>
#include <string>

namespace quantscope {
namespace {

size_t mostBits(const std::vector<size_t>& from, const std::vector<double>& bitSums, bool highest)
{
    return *std::min_element(from.begin(), from.end(), [&](size_t a, size_t b) {
        return highest ? bitSums[a] > bitSums[b] : bitSums[a] < bitSums[b];
    });
}

/// Greedy maximin: extends `chosen` with the member of `from` farthest from everything chosen.
std::vector<size_t> maximin(const Eigen::MatrixXd& inputs, const std::vector<size_t>& from, std::vector<size_t> chosen,
                            size_t count)
{
    std::vector<double> nearest(from.size(), std::numeric_limits<double>::infinity());
    for (size_t seen = 0; chosen.size() < count;) {
        for (; seen < chosen.size(); ++seen)
            for (size_t i = 0; i < from.size(); ++i)
                nearest[i] = std::min(
                    nearest[i],
                    (inputs.row(Eigen::Index(from[i])) - inputs.row(Eigen::Index(chosen[seen]))).squaredNorm());
        const auto far = std::max_element(nearest.begin(), nearest.end());
        if (far == nearest.end() || !(*far > 0))
            break; // only configurations already chosen are left
        chosen.push_back(from[size_t(far - nearest.begin())]);
    }
    chosen.resize(std::min(chosen.size(), count));
    return chosen;
}

} // namespace

std::vector<std::pair<size_t, int>> planInitialDesign(const Eigen::MatrixXd& inputs, const std::vector<double>& bitSums,
                                                      const std::vector<InitialDesign>& design, int taskCount)
{
    std::vector<size_t> all(size_t(inputs.rows()));
    std::iota(all.begin(), all.end(), size_t{0});
    std::vector<size_t> earlier; // configurations in the order they entered the design
    std::vector<std::pair<size_t, int>> plan;
    for (const InitialDesign& entry : design) {
        if (entry.task < 0 || entry.task >= taskCount)
            throw ConfigError("initial design task " + std::to_string(entry.task) + " is not in 0.."
                              + std::to_string(taskCount - 1));
        if (entry.count <= 0 || all.empty())
            continue;
        const size_t count = size_t(entry.count);
        std::vector<size_t> chosen;
        if (earlier.empty()) {
            chosen = {mostBits(all, bitSums, true)};
            if (count > 1 && mostBits(all, bitSums, false) != chosen[0])
                chosen.push_back(mostBits(all, bitSums, false));
            chosen = maximin(inputs, all, chosen, count);
        } else {
            chosen = maximin(inputs, earlier, {mostBits(earlier, bitSums, true)}, count);
            chosen = maximin(inputs, all, chosen, count); // fewer earlier configurations than asked for
        }
        for (size_t c : chosen) {
            if (std::find(plan.begin(), plan.end(), std::make_pair(c, entry.task)) == plan.end())
                plan.emplace_back(c, entry.task);
            if (std::find(earlier.begin(), earlier.end(), c) == earlier.end())
                earlier.push_back(c);
        }
    }
    // Each configuration's evaluations together, in the order the configurations entered.
    std::stable_sort(plan.begin(), plan.end(), [&](const auto& a, const auto& b) {
        return std::find(earlier.begin(), earlier.end(), a.first) < std::find(earlier.begin(), earlier.end(), b.first);
    });
    return plan;
}

} // namespace quantscope
