#pragma once

#include <QElapsedTimer>
#include <QTimer>

#include <algorithm>
#include <ctime>

namespace quantscope::test {

/// Measures how long the GUI thread goes without serving a 5 ms timer, two ways: the work it did
/// in the longest gap (its own CPU time, which other processes on a busy machine cannot inflate)
/// and the longest gap in wall time (which also catches blocking waits, but grows with the
/// machine's load). Tests bound the first tightly and the second loosely.
class StallMeter {
public:
    StallMeter()
    {
        timer_.setInterval(5);
        QObject::connect(&timer_, &QTimer::timeout, [this] {
            const double cpu = threadCpuMs();
            if (wall_.isValid()) {
                longestWall_ = std::max(longestWall_, wall_.restart());
                longestCpu_ = std::max(longestCpu_, cpu - lastCpu_);
            } else {
                wall_.start();
            }
            lastCpu_ = cpu;
        });
        timer_.start();
    }
    void stop() { timer_.stop(); }
    double longestCpuMs() const { return longestCpu_; }
    qint64 longestWallMs() const { return longestWall_; }

private:
    static double threadCpuMs()
    {
        timespec t{};
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
        return double(t.tv_sec) * 1e3 + double(t.tv_nsec) / 1e6;
    }

    QTimer timer_;
    QElapsedTimer wall_;
    double lastCpu_ = 0;
    double longestCpu_ = 0;
    qint64 longestWall_ = 0;
};

} // namespace quantscope::test
