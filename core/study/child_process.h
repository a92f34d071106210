#pragma once

#include "common/progress.h"

#include <sys/types.h>

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

/// A child that stays up and answers every line written to its standard input with one line on its
/// standard output: a parallel worker (`quantscope-cli study evaluate --serve`) that loads its
/// network and data once instead of once per trial. Started on the first ask() and again after it
/// failed. Not tied to the thread that starts it (workers are asked from several threads in turn):
/// the served program ends itself when it reads end of input or its parent process goes. Not for
/// use from two threads at once.
class LineServerProcess {
public:
    explicit LineServerProcess(std::vector<std::string> argv);
    ~LineServerProcess(); ///< stops the child and anything it started
    LineServerProcess(const LineServerProcess&) = delete;
    LineServerProcess& operator=(const LineServerProcess&) = delete;

    /// Writes `line` (without its newline) and returns the child's answer line. On cancel (Cancelled),
    /// after `timeout` seconds, or when the child exits (Error with its status and last line on
    /// standard error) the child is stopped; the next ask() starts a new one.
    std::string ask(const std::string& line, double timeout, const WorkControl& control);
    /// How many times the child has been started: 1 while one worker serves every request.
    int starts() const { return starts_; }

private:
    void start();
    void stop();
    /// The reason the child ended, after it did: its exit status or signal and last error line.
    std::string exitReason();

    std::vector<std::string> argv_;
    pid_t pid_ = -1;
    int toChild_ = -1, fromChild_ = -1, errorsFromChild_ = -1;
    std::string pending_; ///< output after the last answer line, not yet a whole line
    std::string errors_;  ///< the end of what the child wrote on standard error
    int starts_ = 0;
};

} // namespace quantscope
