#pragma once

#include <algorithm>
#include <chrono>
#include <vector>

namespace quantscope {

/// Wall times of `repeats` runs of `work` (at least one), after one warm-up run, in seconds.
template <typename Work> std::vector<double> wallSeconds(int repeats, const Work& work)
{
    work();
    std::vector<double> times;
    for (int r = 0; r < std::max(1, repeats); ++r) {
        const auto start = std::chrono::steady_clock::now();
        work();
        times.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    }
    return times;
}

/// Median wall time of `repeats` runs of `work`, after one warm-up run, in seconds: what a run
/// typically costs on the machine as it is (benchmarks that report typical speed).
template <typename Work> double medianSeconds(int repeats, const Work& work)
{
    std::vector<double> times = wallSeconds(repeats, work);
    std::nth_element(times.begin(), times.begin() + long(times.size() / 2), times.end());
    return times[times.size() / 2];
}

/// Fastest wall time of `repeats` runs of `work`, after one warm-up run, in seconds: the cost of
/// the work itself, since other load on the machine only ever adds time (tables that are cached
/// and reused must not keep the load of the moment they were measured).
template <typename Work> double fastestSeconds(int repeats, const Work& work)
{
    const std::vector<double> times = wallSeconds(repeats, work);
    return *std::min_element(times.begin(), times.end());
}

} // namespace quantscope
