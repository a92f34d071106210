#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>

namespace quantscope {

/// Shared flag that asks long work to stop. Work checks it between batches and throws
/// `Cancelled`; setting it from any thread is safe.
class CancelToken {
public:
    void cancel() { cancelled_.store(true, std::memory_order_relaxed); }
    void reset() { cancelled_.store(false, std::memory_order_relaxed); }
    bool isCancelled() const { return cancelled_.load(std::memory_order_relaxed); }

private:
    std::atomic<bool> cancelled_{false};
};

/// Progress of long work: `done` of `total` units of the named phase.
struct Progress {
    std::string phase;
    int64_t done = 0;
    int64_t total = 0;
};

using ProgressCallback = std::function<void(const Progress&)>;
/// A line a user should read but that does not stop the work (an image skipped as unreadable).
using WarningCallback = std::function<void(const std::string&)>;

/// What long work receives to report progress and warnings and to be cancelled; all optional.
struct WorkControl {
    const CancelToken* cancel = nullptr;
    ProgressCallback progress;
    WarningCallback warning;

    /// Throws `Cancelled` if cancellation was requested.
    void checkCancelled() const;
    void report(const std::string& phase, int64_t done, int64_t total) const
    {
        if (progress)
            progress(Progress{phase, done, total});
    }
    void warn(const std::string& message) const
    {
        if (warning)
            warning(message);
    }
};

} // namespace quantscope
