#pragma once

#include <algorithm>
#include <chrono>
#include <vector>

namespace quantscope {

/// Median wall time of `repeats` runs of `work`, after one warm-up run, in seconds.
template <typename Work> double medianSeconds(int repeats, const Work& work)
{
    work();
    std::vector<double> times;
    for (int r = 0; r < std::max(1, repeats); ++r) {
        const auto start = std::chrono::steady_clock::now();
        work();
        times.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    }
    std::nth_element(times.begin(), times.begin() + long(times.size() / 2), times.end());
    return times[times.size() / 2];
}

} // namespace quantscope
