#pragma once

#include <cstdint>
#include <string>

namespace quantscope {

/// Who holds a run lock, precisely enough to tell a live holder from a dead one whose PID now
/// belongs to someone else: the PID as the holder saw it (in its own PID namespace), the boot it
/// ran in, and its start time (clock ticks since boot, /proc/<pid>/stat), which no later process
/// with the same PID shares.
struct ProcessIdentity {
    int64_t pid = 0;
    std::string boot;        ///< /proc/sys/kernel/random/boot_id; empty where unknown
    int64_t startTicks = -1; ///< -1 where unknown

    /// "boot:start", the form stored with a lock; empty when nothing is known.
    std::string text() const;
    static ProcessIdentity parse(int64_t pid, const std::string& text);
};

/// This process.
ProcessIdentity currentProcess();

/// Another process on this machine by its PID as seen here (its start time read from /proc).
ProcessIdentity processById(int64_t pid);

/// Whether the process `holder` names is still running on this machine, whichever PID namespace
/// it ran in: a process with its start time whose innermost PID (NSpid) is its PID. Without start
/// time or /proc (an old lock row): whether its PID is alive.
bool processAlive(const ProcessIdentity& holder);

} // namespace quantscope
