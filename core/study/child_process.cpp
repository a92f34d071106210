#include "study/child_process.h"

#include "common/error.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>

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

} // namespace

ChildOutput runChildProcess(const std::vector<std::string>& argv, const std::string& input, double timeout,
                            const WorkControl& control)
{
    if (argv.empty())
        throw Error("no command to run");
    // Everything the child needs is prepared before fork(): after it, only async-signal-safe calls.
    std::vector<char*> args;
    for (const std::string& a : argv)
        args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    Pipe toChild, fromChild, errorsFromChild;
    const pid_t parent = getpid();
    const pid_t pid = fork();
    if (pid < 0)
        throw Error("cannot start " + argv.front());
    if (pid == 0) {
        setpgid(0, 0); // its own process group: a timeout or cancel stops whatever it started too
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent)
            _exit(126);
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
    // Requests are small; a command that does not read stdin must not block us (SIGPIPE ignored).
    signal(SIGPIPE, SIG_IGN);
    for (size_t written = 0; written < input.size();) {
        const ssize_t n = write(toChild.write, input.data() + written, input.size() - written);
        if (n <= 0)
            break;
        written += size_t(n);
    }
    toChild.closeWrite();

    ChildOutput result;
    std::string errors;
    const auto start = std::chrono::steady_clock::now();
    pollfd fds[2] = {{fromChild.read, POLLIN, 0}, {errorsFromChild.read, POLLIN, 0}};
    char buffer[4096];
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
        if (poll(fds, 2, 100) <= 0)
            continue;
        for (int i = 0; i < 2; ++i) {
            if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR)))
                continue;
            const ssize_t n = read(fds[i].fd, buffer, sizeof buffer);
            if (n <= 0) {
                fds[i].fd = -1; // end of this stream
                continue;
            }
            (i == 0 ? result.out : errors).append(buffer, size_t(n));
            if (errors.size() > 65536)
                errors.erase(0, errors.size() - 4096); // only the end is reported
        }
    }
    if (!exited)
        waitpid(pid, &result.status, 0);
    result.lastErrorLine = lastLine(errors);
    return result;
}

} // namespace quantscope
