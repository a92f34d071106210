#pragma once

#include "common/progress.h"

#include <string>
#include <vector>

namespace quantscope {

/// What a finished child process left: its standard output, the last line of its standard error,
/// and how it ended.
struct ChildOutput {
    std::string out;
    std::string lastErrorLine;
    int status = 0;        ///< as waitpid() reports it
    bool timedOut = false; ///< killed after the time-out
};

/// Runs `argv` (no shell) with `input` on its standard input and collects its output until it exits
/// or `timeout` seconds pass (then SIGKILL). Safe to call from several threads at once: the pipes are
/// close-on-exec, so one child never holds another's pipe open, and the child dies with the calling
/// thread (PR_SET_PDEATHSIG), so a killed runner leaves no evaluations behind. Throws Cancelled
/// (after killing the child) when `control` is cancelled, Error when the process cannot be started.
ChildOutput runChildProcess(const std::vector<std::string>& argv, const std::string& input, double timeout,
                            const WorkControl& control);

} // namespace quantscope
