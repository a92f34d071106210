#pragma once

#include <algorithm>
#include <cstdint>
#include <thread>
#include <vector>

namespace quantscope::bitserial {

/// Runs body(begin, end) over [0, count) in up to `threads` contiguous chunks, the first on the
/// calling thread.
template <typename Body> void parallelChunks(int count, int threads, const Body& body)
{
    const int chunks = std::max(1, std::min(threads, count));
    if (chunks == 1) {
        body(0, count);
        return;
    }
    std::vector<std::thread> workers;
    for (int c = 1; c < chunks; ++c)
        workers.emplace_back(
            [&, c] { body(int(int64_t(count) * c / chunks), int(int64_t(count) * (c + 1) / chunks)); });
    body(0, int(int64_t(count) / chunks));
    for (std::thread& worker : workers)
        worker.join();
}

} // namespace quantscope::bitserial
