#include "study/child_process.h"

#include "common/error.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <functional>
#include <sstream>
#include <thread>
#include <utility>

namespace quantscope {
namespace {

struct Pipe {
    int read = -1, write = -1;
    Pipe()
    {
        int fds[2];
        if (pipe2(fds, O_CLOEXEC) != 0)
            throw Error("cannot create a pipe for a child process");
        read = fds[0];
        write = fds[1];
    }
    ~Pipe()
    {
        closeRead();
        closeWrite();
    }
    void closeRead()
    {
        if (read >= 0)
            close(read);
        read = -1;
    }
    void closeWrite()
    {
        if (write >= 0)
            close(write);
        write = -1;
    }
    int releaseRead() { return std::exchange(read, -1); }
    int releaseWrite() { return std::exchange(write, -1); }
};

std::string lastLine(const std::string& text)
{
    size_t end = text.find_last_not_of("\r\n \t");
    if (end == std::string::npos)
        return {};
    const size_t start = text.find_last_of('\n', end);
    return text.substr(start == std::string::npos ? 0 : start + 1,
                       end + 1 - (start == std::string::npos ? 0 : start + 1));
}

/// Adds what a child wrote on standard error, keeping only the end (only the last line is reported).
void appendErrors(std::string& errors, const char* data, ssize_t n)
{
    errors.append(data, size_t(n));
    if (errors.size() > 65536)
        errors.erase(0, errors.size() - 4096);
}

/// Writes all of `data` to `fd`; false when the reader has gone (SIGPIPE is ignored).
bool writeAll(int fd, const std::string& data)
{
    for (size_t written = 0; written < data.size();) {
        const ssize_t n = write(fd, data.data() + written, data.size() - written);
        if (n <= 0)
            return false;
        written += size_t(n);
    }
    return true;
}

/// Waits up to 100 ms for a child's standard output (stream 0) or error (stream 1) and hands what
/// each ready stream has to `take(stream, data, n)`; n <= 0: that stream has ended. fds[i].fd < 0:
/// not watched.
void readReady(pollfd (&fds)[2], const std::function<void(int, const char*, ssize_t)>& take)
{
    if (poll(fds, 2, 100) <= 0)
        return;
    char buffer[4096];
    for (int i = 0; i < 2; ++i)
        if (fds[i].fd >= 0 && (fds[i].revents & (POLLIN | POLLHUP | POLLERR)))
            take(i, buffer, read(fds[i].fd, buffer, sizeof buffer));
}

/// Whether a child is killed when the thread that started it ends (PR_SET_PDEATHSIG: it follows the
/// thread, not the process), or lives on until it is stopped or its parent process ends.
enum class DieWith { CallingThread, Nothing };

/// Starts `argv` (no shell) in its own process group with its standard streams on the pipes; the
/// parent's ends are left open. Everything the child needs is prepared before fork(): after it, only
/// async-signal-safe calls.
pid_t spawn(const std::vector<std::string>& argv, DieWith dieWith, Pipe& toChild, Pipe& fromChild,
            Pipe& errorsFromChild)
{
    if (argv.empty())
        throw Error("no command to run");
    std::vector<char*> args;
    for (const std::string& a : argv)
        args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    const pid_t parent = getpid();
    const pid_t pid = fork();
    if (pid < 0)
        throw Error("cannot start " + argv.front());
    if (pid == 0) {
        setpgid(0, 0); // its own process group: a timeout or cancel stops whatever it started too
        if (dieWith == DieWith::CallingThread) {
            prctl(PR_SET_PDEATHSIG, SIGKILL);
            if (getppid() != parent)
                _exit(126);
        }
        dup2(toChild.read, STDIN_FILENO);
        dup2(fromChild.write, STDOUT_FILENO);
        dup2(errorsFromChild.write, STDERR_FILENO);
        execvp(args[0], args.data());
        _exit(127);
    }
    setpgid(pid, pid); // also here, so that the group exists whichever process runs first
    toChild.closeRead();
    fromChild.closeWrite();
    errorsFromChild.closeWrite();
    // A child that has exited must not take us down when we write to it.
    signal(SIGPIPE, SIG_IGN);
    return pid;
}

} // namespace

ChildOutput runChildProcess(const std::vector<std::string>& argv, const std::string& input, double timeout,
                            const WorkControl& control)
{
    Pipe toChild, fromChild, errorsFromChild;
    const pid_t pid = spawn(argv, DieWith::CallingThread, toChild, fromChild, errorsFromChild);
    // Requests are small; a command that does not read stdin must not block us (SIGPIPE ignored).
    writeAll(toChild.write, input);
    toChild.closeWrite();

    ChildOutput result;
    std::string errors;
    const auto start = std::chrono::steady_clock::now();
    pollfd fds[2] = {{fromChild.read, POLLIN, 0}, {errorsFromChild.read, POLLIN, 0}};
    bool exited = false;
    double exitedAt = 0;
    while (fds[0].fd >= 0 || fds[1].fd >= 0) {
        const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        const bool cancelled = control.cancel && control.cancel->isCancelled();
        if (!exited && waitpid(pid, &result.status, WNOHANG) == pid) {
            exited = true;
            exitedAt = elapsed;
        }
        // The command is done, but something it left in the background still holds its output
        // open: what it printed is its answer; the leftovers are stopped.
        if (exited && elapsed - exitedAt > 1.0) {
            kill(-pid, SIGKILL);
            break;
        }
        if (!exited && (elapsed > timeout || cancelled)) {
            kill(-pid, SIGKILL); // the whole group: children of the command too
            waitpid(pid, &result.status, 0);
            if (cancelled)
                throw Cancelled();
            result.timedOut = true;
            result.lastErrorLine = lastLine(errors);
            return result;
        }
        readReady(fds, [&](int stream, const char* data, ssize_t n) {
            if (n <= 0)
                fds[stream].fd = -1; // end of this stream
            else if (stream == 0)
                result.out.append(data, size_t(n));
            else
                appendErrors(errors, data, n);
        });
    }
    if (!exited)
        waitpid(pid, &result.status, 0);
    result.lastErrorLine = lastLine(errors);
    return result;
}

LineServerProcess::LineServerProcess(std::vector<std::string> argv) : argv_(std::move(argv))
{
}

LineServerProcess::~LineServerProcess()
{
    stop();
}

void LineServerProcess::start()
{
    Pipe toChild, fromChild, errorsFromChild;
    pid_ = spawn(argv_, DieWith::Nothing, toChild, fromChild, errorsFromChild);
    toChild_ = toChild.releaseWrite();
    fromChild_ = fromChild.releaseRead();
    errorsFromChild_ = errorsFromChild.releaseRead();
    pending_.clear();
    errors_.clear();
    ++starts_;
}

void LineServerProcess::stop()
{
    if (pid_ > 0) {
        kill(-pid_, SIGKILL);
        waitpid(pid_, nullptr, 0);
    }
    for (int* fd : {&toChild_, &fromChild_, &errorsFromChild_})
        if (*fd >= 0)
            close(std::exchange(*fd, -1));
    pid_ = -1;
}

std::string LineServerProcess::exitReason()
{
    // It closed its output or input: it is ending. A second to end by itself, then it is stopped.
    int status = 0;
    bool ended = false;
    for (int i = 0; i < 20 && !(ended = waitpid(pid_, &status, WNOHANG) == pid_); ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    kill(-pid_, SIGKILL); // whatever it left behind, and itself when it did not end
    if (!ended)
        waitpid(pid_, &status, 0);
    pid_ = -1;
    // What it wrote on standard error before it ended may still be in the pipe.
    char buffer[4096];
    for (pollfd fd{errorsFromChild_, POLLIN, 0}; fd.fd >= 0 && poll(&fd, 1, 200) > 0;) {
        const ssize_t n = read(fd.fd, buffer, sizeof buffer);
        if (n <= 0)
            break;
        appendErrors(errors_, buffer, n);
    }
    std::string reason = WIFSIGNALED(status) ? "was killed by signal " + std::to_string(WTERMSIG(status))
                                             : "exited with status " + std::to_string(WEXITSTATUS(status));
    if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
        reason = "could not be started (" + argv_.front() + " not found)";
    const std::string last = lastLine(errors_);
    stop();
    return reason + (last.empty() ? "" : ": " + last.substr(0, 200));
}

std::string LineServerProcess::ask(const std::string& line, double timeout, const WorkControl& control)
{
    if (pid_ < 0)
        start();
    if (!writeAll(toChild_, line + "\n"))
        throw Error("worker " + exitReason());
    const auto start = std::chrono::steady_clock::now();
    for (;;) {
        const size_t end = pending_.find('\n');
        if (end != std::string::npos) {
            std::string answer = pending_.substr(0, end);
            pending_.erase(0, end + 1);
            return answer;
        }
        if (control.cancel && control.cancel->isCancelled()) {
            stop();
            throw Cancelled();
        }
        if (std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() > timeout) {
            stop();
            std::ostringstream seconds;
            seconds << timeout;
            throw Error("worker timed out after " + seconds.str() + " s");
        }
        pollfd fds[2] = {{fromChild_, POLLIN, 0}, {errorsFromChild_, POLLIN, 0}};
        readReady(fds, [&](int stream, const char* data, ssize_t n) {
            if (n <= 0 && stream == 0) // its output closed: it has ended (or is ending)
                throw Error("worker " + exitReason());
            if (n <= 0)
                close(std::exchange(errorsFromChild_, -1));
            else if (stream == 0)
                pending_.append(data, size_t(n));
            else
                appendErrors(errors_, data, n);
        });
    }
}

} // namespace quantscope
