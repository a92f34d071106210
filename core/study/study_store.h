#pragma once

#include "common/layer_info.h"
#include "quant/bit_config.h"
#include "study/sqlite_db.h"
#include "study/study_spec.h"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace quantscope {

enum class TrialStatus { Pending, Running, Done, Failed };
std::string trialStatusName(TrialStatus status);

/// One evaluation of a study, as stored.
struct TrialRow {
    int64_t id = 0;
    BitConfig bits; ///< of the searched layers
    int task = 0;
    TrialStatus status = TrialStatus::Pending;
    std::optional<double> accuracy;
    std::optional<double> memoryMB;
    std::optional<double> bops;
    std::optional<double> seconds; ///< wall time of the evaluation
    std::string error;
    std::string reason; ///< why the strategy proposed it
    std::string createdAt, startedAt, finishedAt;
    std::string job; ///< the queue job it runs or ran as (Slurm executor), empty otherwise
};

struct StoredStudy {
    int64_t id = 0;
    StudySpec spec;
    std::vector<LayerInfo> layers;

    std::vector<std::string> layerNames() const;
    /// A configuration a person or file gives, as text ("8,6,4,..." or "4"), for this study's
    /// layers: ConfigError naming the entry or the count that is wrong.
    BitConfig parseConfig(const std::string& text) const;
    /// ConfigError unless `bits` has one entry per layer of this study.
    void requireFits(const BitConfig& bits) const;
};

/// What a finished evaluation reports.
struct TrialResult {
    double accuracy = 0;
    double memoryMB = 0;
    double bops = 0;
    double seconds = 0;
};

/// Studies and their trials in one SQLite file (write-ahead log; several studies per file).
/// Every trial row is written before its evaluation runs and completed in one transaction after,
/// so a killed process loses nothing; `requeueRunning` puts interrupted trials back in the queue.
class StudyStore {
public:
    static constexpr int kSchemaVersion = 4;

    /// Opens `path`, creating it (and migrating its schema) if `create`. StoreError when the file
    /// is missing (and not to be created), is not a study database, or was written by a newer Quantscope.
    explicit StudyStore(const std::string& path, bool create = true);
    /// A file this store created but never put a study in (a create that failed half-way) is removed.
    ~StudyStore();
    /// Opens an existing file for reading only (status, results, export, workers): every change
    /// is refused with StoreError, and a file that would need migrating is refused.
    static StudyStore openForReading(const std::string& path);

    const std::string& path() const { return db_.path(); }

    /// StoreError if a study of that name exists.
    int64_t createStudy(const StudySpec& spec, const std::vector<LayerInfo>& layers);
    std::vector<std::string> studyNames();
    /// Replaces a study's budget (trials or cost; the other is cleared) in its stored spec:
    /// the one setting that may change after creation.
    void setBudget(const std::string& name, std::optional<int> trials, std::optional<double> cost);
    /// StoreError naming the study and the file when there is none.
    StoredStudy loadStudy(const std::string& name);

    int64_t addPendingTrial(int64_t studyId, const BitConfig& bits, int task, const std::string& reason);
    void markRunning(int64_t trialId);
    void completeTrial(int64_t trialId, const TrialResult& result);
    void failTrial(int64_t trialId, const std::string& error, double seconds);
    /// Running trials become pending again; returns how many. `keepJobs`: their queue jobs stay
    /// recorded, to be re-attached (the process that ran them died); otherwise they are cleared
    /// (the jobs were cancelled).
    int requeueRunning(int64_t studyId, bool keepJobs = true);
    /// Records the queue job trial `trialId` runs as (before it is marked running).
    void setTrialJob(int64_t trialId, const std::string& job);
    /// StoreError for a row whose configuration does not fit the study's layers (a damaged file).
    std::vector<TrialRow> trials(int64_t studyId);

    /// Results stored with a study by kind (e.g. "sensitivity"), as JSON; replaced on save.
    void saveArtifact(int64_t studyId, const std::string& kind, const std::string& json);
    std::optional<std::string> artifact(int64_t studyId, const std::string& kind);
    void removeArtifact(int64_t studyId, const std::string& kind);

    /// Exclusive right to run one study: released when destroyed. A second process gets
    /// StoreBusyError naming the holder; a holder that died (crash, kill) is taken over.
    class RunLock {
    public:
        RunLock(StudyStore& store, int64_t studyId);
        ~RunLock();
        RunLock(const RunLock&) = delete;
        RunLock& operator=(const RunLock&) = delete;

    private:
        StudyStore& store_;
        int64_t studyId_;
    };

private:
    StudyStore(const std::string& path, SqliteDb::Access access);
    void migrate();
    int64_t insertStudy(const StudySpec& spec, const std::vector<LayerInfo>& layers);
    std::vector<std::string> layerNames(int64_t studyId);
    /// Closes and removes the file when this store created it (it holds no study yet).
    void discardCreatedFile();

    int schemaVersion_ = 0; ///< of the open file (read-only files may be older than kSchemaVersion)
    bool created_ = false;  ///< this store made the file (removed again when it fails to become a study)
    SqliteDb db_;
};

} // namespace quantscope
