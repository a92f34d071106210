#pragma once

#include "common/progress.h"

#include <chrono>
#include <functional>
#include <string>

namespace quantscope {
class StudyRunner;
}

namespace quantscope::cli {

/// The live status line of `study run` on a terminal (standard error), e.g.
/// "12/60 trials, cost 812 s | trial 13 (600 steps): train 340/600 (57 %)". Trial lines are printed
/// above it. Off when standard error is not a terminal (logs get the trial lines only).
class StudyProgressLine {
public:
    StudyProgressLine(bool enabled, const StudyRunner& runner);
    ~StudyProgressLine();
    StudyProgressLine(const StudyProgressLine&) = delete;
    StudyProgressLine& operator=(const StudyProgressLine&) = delete;

    void update(const Progress& progress);
    /// Clears the line, runs `print` (which writes whole lines to stdout), and draws it again.
    void printAbove(const std::function<void()>& print);
    void clear();

private:
    void draw();

    bool enabled_;
    const StudyRunner& runner_;
    Progress last_;
    bool shown_ = false;
    std::chrono::steady_clock::time_point lastDraw_;
};

} // namespace quantscope::cli
