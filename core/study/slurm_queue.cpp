#include "study/slurm_queue.h"

#include "common/error.h"
#include "study/child_process.h"

#include <sys/wait.h>

#include <sstream>
#include <thread>

namespace quantscope {
namespace {

/// "id|STATE|reason" lines, as squeue -o "%i|%T|%r" and sacct -P -o JobID,State,Reason print them.
std::map<std::string, SlurmJobState> parseStates(const std::string& out)
{
    std::map<std::string, SlurmJobState> states;
    std::istringstream lines(out);
    for (std::string line; std::getline(lines, line);) {
        const size_t first = line.find('|');
        if (first == std::string::npos)
            continue;
        const size_t second = line.find('|', first + 1);
        SlurmJobState state;
        state.state = line.substr(first + 1, second == std::string::npos ? std::string::npos : second - first - 1);
        // sacct says "CANCELLED by 1000"; keep the state's name only.
        state.state = state.state.substr(0, state.state.find(' '));
        if (second != std::string::npos)
            state.reason = line.substr(second + 1);
        states[line.substr(0, first)] = state;
    }
    return states;
}

std::string joined(const std::set<std::string>& ids)
{
    std::string out;
    for (const std::string& id : ids)
        out += (out.empty() ? "" : ",") + id;
    return out;
}

/// One squeue for `ids` (recently finished ones included): their states, those it no longer knows
/// left out; nullopt when squeue failed for another reason than knowing none of them (it exits
/// non-zero then, saying "Invalid job id").
std::optional<std::map<std::string, SlurmJobState>> squeueStates(const std::set<std::string>& ids)
{
    try {
        return parseStates(
            runSlurmCommand({"squeue", "-h", "--states=all", "--jobs=" + joined(ids), "-o", "%i|%T|%r"}));
    } catch (const Error& e) {
        if (std::string(e.what()).find("Invalid job id") != std::string::npos)
            return std::map<std::string, SlurmJobState>();
        return std::nullopt;
    }
}

} // namespace

bool SlurmJobState::lostNode() const
{
    return state == "PREEMPTED" || state == "NODE_FAIL" || state == "BOOT_FAIL";
}

bool SlurmJobState::active() const
{
    static const std::set<std::string> kActive = {"PENDING",   "CONFIGURING",  "RUNNING",     "COMPLETING",
                                                  "SUSPENDED", "REQUEUED",     "RESIZING",    "SIGNALING",
                                                  "STAGE_OUT", "REQUEUE_HOLD", "REQUEUE_FED", "RESV_DEL_HOLD"};
    return kActive.count(state) > 0;
}

std::string runSlurmCommand(const std::vector<std::string>& argv, double timeout)
{
    ChildOutput child;
    try {
        child = runChildProcess(argv, "", timeout, WorkControl{});
    } catch (const Error& e) {
        throw Error(argv.front() + " could not run: " + e.what());
    }
    if (child.timedOut)
        throw Error(argv.front() + " did not answer within " + std::to_string(int(timeout)) + " s");
    if (!WIFEXITED(child.status) || WEXITSTATUS(child.status) != 0) {
        const std::string why = child.lastErrorLine.empty() ? "no message" : child.lastErrorLine;
        if (WIFEXITED(child.status) && WEXITSTATUS(child.status) == 127)
            throw Error(argv.front() + " not found: is this a Slurm login node (Debian: slurm-client)?");
        throw Error(argv.front() + " failed: " + why);
    }
    return child.out;
}

SlurmQueue::SlurmQueue(double pollSeconds) : pollSeconds_(pollSeconds)
{
}

std::string SlurmQueue::submit(const std::vector<std::string>& arguments, const std::string& script)
{
    std::vector<std::string> argv = {"sbatch", "--parsable"};
    argv.insert(argv.end(), arguments.begin(), arguments.end());
    argv.push_back(script);
    std::string out = runSlurmCommand(argv);
    // --parsable prints "id" or "id;cluster".
    out = out.substr(0, out.find_first_of(";\n"));
    if (out.empty() || out.find_first_not_of("0123456789_") != std::string::npos)
        throw Error("sbatch printed no job id (\"" + out.substr(0, 80) + "\")");
    return out;
}

void SlurmQueue::pollIfDue(std::unique_lock<std::mutex>& lock)
{
    const auto now = std::chrono::steady_clock::now();
    if (polledOnce_ && std::chrono::duration<double>(now - lastPoll_).count() < pollSeconds_)
        return;
    polledOnce_ = true;
    lastPoll_ = now;
    const std::set<std::string> ids = watched_;
    lock.unlock();
    const std::optional<std::map<std::string, SlurmJobState>> states = squeueStates(ids);
    lock.lock();
    if (!states) // the controller did not answer: ask again at the next poll, not "gone"
        return;
    for (const std::string& id : ids) {
        const auto found = states->find(id);
        if (found != states->end())
            states_[id] = found->second;
        else
            states_[id] = SlurmJobState{}; // unknown to squeue: left the queue long enough ago
    }
}

SlurmJobState SlurmQueue::waitUntilDone(const std::string& id, const WorkControl& control)
{
    std::unique_lock<std::mutex> lock(mutex_);
    watched_.insert(id); // asked for at the next poll, with every other job waited for
    states_.erase(id);
    for (;;) {
        if (control.cancel && control.cancel->isCancelled()) {
            watched_.erase(id);
            throw Cancelled();
        }
        pollIfDue(lock);
        const auto found = states_.find(id);
        if (found != states_.end() && !found->second.active()) {
            SlurmJobState end = found->second;
            watched_.erase(id);
            states_.erase(id);
            lock.unlock();
            if (end.state.empty())
                if (const std::optional<SlurmJobState> recorded = accounting(id))
                    end = *recorded;
            return end;
        }
        lock.unlock();
        std::this_thread::sleep_for(std::chrono::milliseconds(std::min(500, int(pollSeconds_ * 1000 / 4) + 1)));
        lock.lock();
    }
}

std::optional<SlurmJobState> SlurmQueue::stateNow(const std::string& id)
{
    const std::optional<std::map<std::string, SlurmJobState>> states = squeueStates({id});
    if (!states)
        throw Error("squeue did not answer about job " + id);
    if (const auto found = states->find(id); found != states->end())
        return found->second;
    return accounting(id);
}

std::optional<std::string> SlurmQueue::findByName(const std::string& name)
{
    const std::string out = runSlurmCommand({"squeue", "-h", "--name=" + name, "-o", "%i"}); // queued or running
    std::istringstream lines(out);
    std::string id;
    std::getline(lines, id);
    if (id.empty())
        return std::nullopt;
    return id;
}

void SlurmQueue::cancel(const std::vector<std::string>& ids)
{
    if (ids.empty())
        return;
    std::vector<std::string> argv = {"scancel"};
    argv.insert(argv.end(), ids.begin(), ids.end());
    try {
        runSlurmCommand(argv);
    } catch (const Error&) {
        // Jobs that ended meanwhile make scancel complain; there is nothing left to cancel.
    }
}

bool SlurmQueue::hasAccounting()
{
    std::lock_guard<std::mutex> lock(mutex_);
    if (!accounting_) {
        try {
            runSlurmCommand({"sacct", "-n", "-X", "-j", "0"});
            accounting_ = true;
        } catch (const Error&) {
            accounting_ = false; // "Slurm accounting storage is disabled", or no sacct
        }
    }
    return *accounting_;
}

std::optional<SlurmJobState> SlurmQueue::accounting(const std::string& id)
{
    if (!hasAccounting())
        return std::nullopt;
    try {
        const auto states =
            parseStates(runSlurmCommand({"sacct", "-n", "-P", "-X", "-j", id, "-o", "JobID,State,Reason"}));
        const auto found = states.find(id);
        if (found != states.end())
            return found->second;
    } catch (const Error&) {
    }
    return std::nullopt;
}

} // namespace quantscope
