#pragma once

#include "bitserial/latency_table.h"
#include "common/progress.h"
#include "study/ebs_sweep.h"
#include "study/study_export.h"
#include "study/study_results.h"
#include "study/study_spec.h"
#include "study/study_store.h"
#include "train/sensitivity.h"

#include <QObject>
#include <QString>

#include <atomic>
#include <memory>
#include <optional>
#include <vector>

class QThread;

namespace quantscope {

/// A study opened in the workbench. The store, the evaluator and the search run on a worker
/// thread owned by the session; the GUI thread only sees copies (study(), trials()) updated by
/// queued signals, so the window stays responsive during evaluations. One command at a time:
/// step() and run() are ignored while busy().
class StudySession : public QObject {
    Q_OBJECT
public:
    explicit StudySession(QObject* parent = nullptr);
    /// Cancels running work and waits for the worker thread.
    ~StudySession() override;

    /// Opens study `spec.name` in `database`, creating it from `spec` when the file lacks it.
    /// Asynchronous: opened() or failed().
    void open(const QString& database, const StudySpec& spec);
    /// One search step: propose, evaluate, store, refit.
    void step();
    /// Steps until the budget is spent, pause() or cancel().
    void run();
    /// Shows the next step's proposals (stored as pending, with why they were chosen) without
    /// running them: step() accepts them, skipProposals() drops them.
    void propose();
    /// Drops the pending proposals (they are marked failed, "skipped by the user", and not proposed again).
    void skipProposals();
    /// Evaluates `bits` on `task` now (a what-if the user asked for), as a trial of the study.
    void evaluate(const BitConfig& bits, int task);
    /// Computes the per-layer sensitivity (torch studies) in the background and stores it.
    void computeSensitivity();
    /// Loads or measures the bit-serial latency table of the study's network on this machine
    /// (torch studies) in the background: latencyChanged() or failed().
    void computeLatency();
    /// Writes an export (docs/export.md) in the background: exported() or failed().
    void exportStudy(const StudyExport& request);
    /// Stores a new budget of `trials` completed trials (the one setting a study may change).
    void extendBudget(int trials);
    /// Stops after the running evaluations finish.
    void pause();
    /// Stops now: running evaluations are abandoned and queued again for the next run.
    void cancel();

    /// What the session is doing, so that a window offers only what can act on it.
    enum class Activity {
        Idle,
        Opening,     ///< opening or creating a study: nothing to pause or cancel
        Working,     ///< one step, an evaluation, sensitivity or an export: cancellable
        Running,     ///< run to the budget: pausable and cancellable
        Bookkeeping, ///< skipping, storing a budget: moments
    };

    bool isOpen() const { return open_; }
    bool busy() const { return busy_; }
    Activity activity() const { return activity_; }
    const StoredStudy& study() const { return study_; }
    const std::vector<TrialRow>& trials() const { return trials_; }
    /// Fronts, ranking, baselines and GP error, refitted on the worker after every step.
    const StudyResults& results() const { return results_; }
    /// The ebs strategy's search jobs, with results().
    const std::vector<EbsSearchJob>& searchJobs() const { return searchJobs_; }
    /// The open study's data: classes and images per split (empty without a real network).
    const DataSummary& data() const { return data_; }
    /// The stored sensitivity report, when one was computed.
    const std::optional<SensitivityReport>& sensitivity() const { return sensitivity_; }
    /// The latency table, once computeLatency() has finished for this study.
    const std::optional<bitserial::LatencyTable>& latency() const { return latency_; }
    const QString& database() const { return database_; }
    /// The program a study with several workers starts once per worker (`study evaluate`):
    /// quantscope-cli beside the running program unless set (tests, other installs); taken when a
    /// study opens.
    const QString& workerProgram() const { return workerProgram_; }
    void setWorkerProgram(const QString& program);

Q_SIGNALS:
    void opened();
    /// trials() changed (a trial was proposed, started or finished).
    void trialsChanged();
    void trialFinished(const quantscope::TrialRow& trial);
    /// results() changed.
    void resultsChanged();
    /// sensitivity() changed.
    void sensitivityChanged();
    /// latency() changed.
    void latencyChanged();
    /// An export was written to `path`.
    /// `note`: what the file holds (model formats: which weights, the accuracy they reproduce).
    void exported(const QString& path, const QString& note);
    /// Work in progress: "trial 13 (600 steps): train", 340 of 600.
    void progress(const QString& phase, qint64 done, qint64 total);
    void busyChanged(bool busy);
    /// Something went wrong (a bad file, a busy study, an evaluator error); the message says what.
    void failed(const QString& message);
    /// Something a person should know that did not stop the work (an image skipped as unreadable).
    void warning(const QString& message);

private:
    class Worker;
    void setBusy(bool busy, Activity activity = Activity::Idle);
    void command(bool continuous, const std::optional<BitConfig>& userTrial = std::nullopt, int task = -1);
    /// Runs one of the worker's cancellable tasks (sensitivity, latency) unless busy.
    void startCancellable(void (Worker::*task)(const CancelToken*));
    void publish(StoredStudy study, std::vector<TrialRow> trials);

    QThread* thread_ = nullptr;
    Worker* worker_ = nullptr;
    CancelToken cancel_;
    std::shared_ptr<std::atomic<bool>> pauseRequested_;
    bool open_ = false;
    bool busy_ = false;
    Activity activity_ = Activity::Idle;
    QString database_;
    QString workerProgram_;
    StoredStudy study_;
    std::vector<TrialRow> trials_;
    StudyResults results_;
    DataSummary data_;
    std::vector<EbsSearchJob> searchJobs_;
    std::optional<SensitivityReport> sensitivity_;
    std::optional<bitserial::LatencyTable> latency_;
};

} // namespace quantscope
