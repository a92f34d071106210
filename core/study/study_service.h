#pragma once

#include "bitserial/latency_table.h"
#include "common/progress.h"
#include "quant/bit_config.h"
#include "study/ebs_sweep.h"
#include "study/study_export.h"
#include "study/study_results.h"
#include "study/study_store.h"
#include "study/trial_evaluator.h"
#include "train/sensitivity.h"

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace quantscope {

class StudyRunner;
struct StudyAssets;

/// How one session of a study executes, without changing the stored study: parallel workers and
/// compute threads (0 and -1: the study's own).
struct RunSettings {
    int workers = 0;
    int threads = -1;
    std::optional<size_t> imageCacheMB; ///< an image folder's decoded-image cache for this run
    std::optional<int> dataWorkers;     ///< ...and its decoding threads
};

/// What the views show of a study at one moment, all from one GP fit: the study, its trials, and
/// the results with the strategy's acquisition values. A value: safe to hand to another thread.
struct StudySnapshot {
    StoredStudy study;
    std::vector<TrialRow> trials;
    StudyResults results;
    std::vector<EbsSearchJob> searchJobs; ///< the ebs strategy's jobs so far (empty for others)
    DataSummary data;                     ///< the study's data (empty without a real network)
};

/// One open study, for the workbench (StudySession moves it onto a thread) and the command line:
/// its store, its evaluators (serial or parallel workers) and its search runner, with every
/// operation a person asks of a study. Not for use from two threads at once.
class StudyService {
public:
    /// Opens study `spec.name` in `database`, creating it from `spec` first when the file has no
    /// study of that name (`spec` is otherwise unused: a stored study keeps its definition). All or
    /// nothing: on failure nothing is left open, and a file this call created is removed.
    /// `control` hears how the loading of a torch study's data goes (an image folder's indexing and
    /// decoding).
    StudyService(const std::string& database, const StudySpec& spec, const WorkerLaunch& launch,
                 RunSettings settings = {}, const WorkControl& control = {});
    ~StudyService();
    StudyService(const StudyService&) = delete;
    StudyService& operator=(const StudyService&) = delete;

    const std::string& database() const { return database_; }
    const StoredStudy& study() const;
    /// The study's trials as stored now.
    std::vector<TrialRow> trials() const;
    bool budgetSpent() const;

    /// Raises the trial budget to `trials` (the runner reopens with it).
    void extendBudget(int trials);
    /// Stores the person's own configuration as pending on `task`: the next step evaluates it.
    void addUserTrial(const BitConfig& bits, int task);
    /// One step of the search (StudyRunner::step): the trials it finished.
    std::vector<TrialRow> step(const WorkControl& control = {});
    /// Evaluates until the budget is spent or `stop` says so (StudyRunner::run: asynchronous with
    /// parallel workers); `onTrial` sees every finished trial.
    void run(const WorkControl& control, const std::function<void(const TrialRow&)>& onTrial,
             const std::function<bool()>& stop = {});
    /// Called (on the calling thread) each time a trial starts running.
    void setTrialStarted(std::function<void(const TrialRow&)> started);
    /// The search runner, for progress displays (trials done, cost spent, trials running).
    const StudyRunner& runner() const { return *runner_; }
    /// The next proposals stored as pending, without evaluating them (with the "ebs" strategy after
    /// a search job, which `control` reports and cancels).
    void propose(const WorkControl& control = {});
    /// Every pending trial marked failed with `why` (not proposed again).
    void skipPending(const std::string& why);
    /// The study as stored now, with its results and acquisition values from the step's one fit.
    StudySnapshot snapshot();
    /// The study's data: classes, images per split, notes (empty without a real network).
    const DataSummary& dataSummary() const { return data_; }

    /// The per-layer sensitivity stored with the study, if it was computed.
    std::optional<SensitivityReport> storedSensitivity() const;
    /// Computes per-layer sensitivity on the study's network and data (torch studies only) and
    /// stores it with the study.
    SensitivityReport computeSensitivity(const WorkControl& control = {});
    /// The bit-serial engine's latency table of the study's network on this machine (torch
    /// studies only): from the cache, else measured (seconds) and cached.
    bitserial::LatencyTable latencyTable(const WorkControl& control = {});
    /// Writes an export of the study, or returns a text format's content (exportStudy).
    std::string exportTo(const StudyExport& request);

private:
    std::string database_;
    std::unique_ptr<StudyStore> store_;
    std::shared_ptr<const StudyAssets> assets_; ///< a torch study's network and data, else null
    DataSummary data_;                          ///< of assets_, counted once
    std::vector<std::unique_ptr<TrialEvaluator>> evaluators_;
    std::unique_ptr<StudyRunner> runner_;
    std::function<void(const TrialRow&)> trialStarted_;
};

} // namespace quantscope
