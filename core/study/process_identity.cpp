#include "study/process_identity.h"

#include <dirent.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <sstream>

namespace quantscope {
namespace {

std::string bootId()
{
    std::ifstream in("/proc/sys/kernel/random/boot_id");
    std::string id;
    std::getline(in, id);
    return id;
}

/// Field 22 of /proc/<dir>/stat (after the parenthesised command, which may hold spaces), the
/// start time; -1 when there is no such process or it has exited (a zombie not yet reaped).
int64_t startTicks(const std::string& dir)
{
    std::ifstream in(dir + "/stat");
    std::string stat;
    std::getline(in, stat);
    const size_t close = stat.rfind(')');
    if (close == std::string::npos)
        return -1;
    std::istringstream fields(stat.substr(close + 2));
    std::string field;
    for (int i = 3; i <= 22 && fields >> field; ++i) {
        if (i == 3 && (field == "Z" || field == "X"))
            return -1;
        if (i == 22)
            return std::stoll(field);
    }
    return -1;
}

/// The PID a process has in its own (innermost) namespace: the last entry of NSpid.
int64_t innermostPid(const std::string& dir)
{
    std::ifstream in(dir + "/status");
    std::string line;
    while (std::getline(in, line))
        if (line.rfind("NSpid:", 0) == 0) {
            std::istringstream ids(line.substr(6));
            int64_t id = -1, last = -1;
            while (ids >> id)
                last = id;
            return last;
        }
    return -1;
}

/// Whether a process with this PID exists in our namespace (ours or another user's).
bool pidExists(int64_t pid)
{
    return kill(pid_t(pid), 0) == 0 || errno == EPERM;
}

bool matches(const std::string& dir, const ProcessIdentity& holder)
{
    return startTicks(dir) == holder.startTicks && innermostPid(dir) == holder.pid;
}

} // namespace

std::string ProcessIdentity::text() const
{
    return boot.empty() || startTicks < 0 ? std::string() : boot + ":" + std::to_string(startTicks);
}

ProcessIdentity ProcessIdentity::parse(int64_t pid, const std::string& text)
{
    ProcessIdentity identity;
    identity.pid = pid;
    const size_t colon = text.rfind(':');
    if (colon != std::string::npos) {
        identity.boot = text.substr(0, colon);
        try {
            identity.startTicks = std::stoll(text.substr(colon + 1));
        } catch (const std::exception&) {
            identity.startTicks = -1;
        }
    }
    return identity;
}

ProcessIdentity currentProcess()
{
    ProcessIdentity self;
    self.pid = getpid();
    self.boot = bootId();
    self.startTicks = startTicks("/proc/self");
    return self;
}

ProcessIdentity processById(int64_t pid)
{
    ProcessIdentity other;
    other.pid = pid;
    other.boot = bootId();
    other.startTicks = startTicks("/proc/" + std::to_string(pid));
    return other;
}

bool processAlive(const ProcessIdentity& holder)
{
    if (holder.pid <= 0)
        return false;
    const std::string boot = bootId();
    if (holder.startTicks < 0 || holder.boot.empty() || boot.empty())
        return pidExists(holder.pid);
    if (holder.boot != boot)
        return false; // the machine rebooted since
    // The common case first: the holder ran in this PID namespace.
    if (matches("/proc/" + std::to_string(holder.pid), holder))
        return true;
    // Another namespace (a container, unshare): its PID means nothing here, so look for the
    // process by start time and innermost PID.
    DIR* proc = opendir("/proc");
    if (!proc)
        return pidExists(holder.pid);
    bool alive = false;
    while (const dirent* entry = readdir(proc)) {
        const std::string name = entry->d_name;
        if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos)
            continue;
        if (matches("/proc/" + name, holder)) {
            alive = true;
            break;
        }
    }
    closedir(proc);
    return alive;
}

} // namespace quantscope
