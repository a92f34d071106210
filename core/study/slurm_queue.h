#pragma once

#include "common/progress.h"

#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace quantscope {

/// How a Slurm job ended, or that it has not: its state as squeue or sacct name it ("COMPLETED",
/// "TIMEOUT", ...) and Slurm's reason.
struct SlurmJobState {
    std::string state;
    std::string reason;
    /// In the queue still (pending, running, completing, suspended, requeued).
    bool active() const;
    /// Ended by preemption or a node's failure, not by the trial: worth submitting again.
    bool lostNode() const;
};

/// The Slurm commands of one study's jobs (sbatch, squeue, sacct, scancel), shared by its
/// evaluators: however many jobs are waited for, one `squeue` asks for all of them at most once
/// per poll interval (controllers are overloaded by a query per job). Jobs that left the queue
/// and aged out of squeue are asked of `sacct` when the cluster keeps accounting. Thread-safe.
class SlurmQueue {
public:
    explicit SlurmQueue(double pollSeconds);

    /// `sbatch --parsable ARGUMENTS SCRIPT`: the new job's id. Error with sbatch's message when it
    /// refuses or is missing.
    std::string submit(const std::vector<std::string>& arguments, const std::string& script);
    /// Waits until job `id` has left the queue and returns how it ended (state "" when neither
    /// squeue nor sacct knows it any more). Cancelled when `control` is cancelled first.
    SlurmJobState waitUntilDone(const std::string& id, const WorkControl& control);
    /// The state of `id` now (one squeue for it): nullopt when Slurm does not know it.
    std::optional<SlurmJobState> stateNow(const std::string& id);
    /// The id of a job named `name` that is queued or running, if any.
    std::optional<std::string> findByName(const std::string& name);
    /// `scancel` for these jobs (errors ignored: a job may have finished meanwhile).
    void cancel(const std::vector<std::string>& ids);
    /// Whether `sacct` answers on this cluster (it does not without slurmdbd).
    bool hasAccounting();

private:
    /// One squeue for every job waited for, when the last is older than the poll interval.
    void pollIfDue(std::unique_lock<std::mutex>& lock);
    std::optional<SlurmJobState> accounting(const std::string& id);

    std::mutex mutex_;
    double pollSeconds_;
    std::set<std::string> watched_;
    std::map<std::string, SlurmJobState> states_; ///< from the last poll
    std::chrono::steady_clock::time_point lastPoll_{};
    bool polledOnce_ = false;
    std::optional<bool> accounting_;
};

/// Runs a Slurm client command (no shell) and returns its standard output; Error naming the
/// command with its last error line when it cannot start or exits non-zero.
std::string runSlurmCommand(const std::vector<std::string>& argv, double timeout = 60);

} // namespace quantscope
