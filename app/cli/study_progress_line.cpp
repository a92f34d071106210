#include "study_progress_line.h"

#include "study/study_runner.h"

#include <unistd.h>

#include <iomanip>
#include <iostream>
#include <sstream>

namespace quantscope::cli {

StudyProgressLine::StudyProgressLine(bool enabled, const StudyRunner& runner) :
    enabled_(enabled && isatty(STDERR_FILENO) != 0), runner_(runner)
{
}

StudyProgressLine::~StudyProgressLine()
{
    clear();
}

void StudyProgressLine::update(const Progress& progress)
{
    if (!enabled_)
        return;
    const bool newPhase = progress.phase != last_.phase;
    last_ = progress;
    const auto now = std::chrono::steady_clock::now();
    if (newPhase || now - lastDraw_ > std::chrono::milliseconds(200))
        draw();
}

void StudyProgressLine::printAbove(const std::function<void()>& print)
{
    clear();
    print();
    std::cout.flush();
    if (enabled_) {
        last_ = Progress{};
        draw();
    }
}

void StudyProgressLine::clear()
{
    if (enabled_ && shown_)
        std::cerr << "\r\033[K" << std::flush;
    shown_ = false;
}

void StudyProgressLine::draw()
{
    const StudySpec& spec = runner_.study().spec;
    std::ostringstream line;
    line << runner_.completedTrials();
    if (spec.budgetTrials)
        line << "/" << *spec.budgetTrials;
    line << " trials, cost " << std::fixed << std::setprecision(0) << runner_.spentCost();
    if (spec.budgetCost)
        line << "/" << *spec.budgetCost;
    line << " s";
    if (!last_.phase.empty()) {
        line << " | " << last_.phase;
        if (last_.total > 0 && last_.phase.find("running") == std::string::npos)
            line << " " << last_.done << "/" << last_.total << " (" << 100 * last_.done / last_.total << " %)";
    }
    std::cerr << "\r\033[K" << line.str() << std::flush;
    shown_ = true;
    lastDraw_ = std::chrono::steady_clock::now();
}

} // namespace quantscope::cli
