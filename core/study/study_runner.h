#pragma once

#include "common/progress.h"
#include "search/search_loop.h"
#include "search/strategy.h"
#include "study/study_store.h"
#include "study/trial_evaluator.h"

#include <chrono>
#include <functional>
#include <memory>
#include <optional>

namespace quantscope {

class EbsSweep;
class StudySurrogate;
struct StudyAssets;

/// The search driver of a stored study: propose (strategy), store as pending, evaluate, store
/// the result, refit. Built from the store, so it resumes a study with every completed trial;
/// trials a killed process left running are evaluated again first.
class StudyRunner {
public:
    /// Takes the study's run lock (StoreBusyError if another process runs it).
    StudyRunner(StudyStore& store, const std::string& studyName, TrialEvaluator& evaluator);
    /// With several evaluators, a step evaluates up to that many trials at once (one per
    /// evaluator); the store is written from the calling thread only.
    StudyRunner(StudyStore& store, const std::string& studyName, std::vector<TrialEvaluator*> evaluators);
    /// The same over evaluators the caller owns (makeTrialEvaluators).
    StudyRunner(StudyStore& store, const std::string& studyName,
                const std::vector<std::unique_ptr<TrialEvaluator>>& evaluators);
    ~StudyRunner();

    /// One step: the pending trials, or else one batch of new proposals (the study's batch, at least
    /// one per evaluator, at most what the budget leaves). Returns the trials it finished (done or
    /// failed), in the order they finished.
    std::vector<TrialRow> step(const WorkControl& control = {});
    /// The pending trials, or else one batch of new proposals stored as pending, without
    /// evaluating them: the next step() evaluates them (accept), skip() drops one. With the "ebs"
    /// strategy a proposal runs a search job first (minutes; `control` reports and cancels it).
    std::vector<TrialRow> propose(const WorkControl& control = {});
    /// Marks pending trial `trialId` failed with `why` (not proposed again) instead of running it.
    void skip(int64_t trialId, const std::string& why);
    /// Evaluates until the budget is spent or `stop` says so (checked before each new trial; the
    /// running ones finish); `onTrial` sees every finished trial. With several evaluators it is
    /// asynchronous: each worker that finishes gets a new proposal at once. Cancellation leaves
    /// the running trials pending for the next run.
    void run(const WorkControl& control = {}, const std::function<void(const TrialRow&)>& onTrial = {},
             const std::function<bool()>& stop = {});

    bool budgetSpent() const;
    /// The strategy's acquisition value of each configuration that is in the
    /// search's candidate pool; nullopt for the others, or when the strategy has none.
    std::vector<std::optional<double>> acquisition(const std::vector<BitConfig>& configs);
    /// The GP over `trials` (the study's trials, as stored after the last step) for the results and
    /// views: the search's own fit of this step, samples included, when the strategy's model covers
    /// every task and every done trial; else a fit of its own (model-free or single-task strategies).
    /// With acquisition(), one fit per step.
    std::shared_ptr<const StudySurrogate> surrogate(const std::vector<TrialRow>& trials);
    /// Called on the runner's thread each time a trial is marked running (views show it so).
    void setTrialStarted(std::function<void(const TrialRow&)> started) { trialStarted_ = std::move(started); }
    int completedTrials() const { return completed_; }
    double spentCost() const { return spent_; }
    const StoredStudy& study() const { return study_; }
    const SearchLoop& loop() const { return *loop_; }

private:
    TrialRequest requestFor(const TrialRow& pending) const;
    /// Hands `row` to `evaluator`'s queue where it has one (the job stored first), then marks it
    /// running in the store and tells trialStarted_. SubmissionFailed when the queue refuses it (the
    /// trial stays pending).
    /// Returns the row as running (with its job).
    TrialRow start(const TrialRow& row, TrialEvaluator& evaluator, const TrialRequest& request);
    /// Stores the job a finished trial ran as last where its evaluator resubmitted it.
    void recordFinalJob(TrialRow& row, const TrialEvaluator& evaluator);
    /// Stores the outcome `result()` yields (a result, EvaluationFailed or Cancelled) for `pending`.
    TrialRow finish(const TrialRow& pending, const std::function<TrialResult()>& result,
                    std::chrono::steady_clock::time_point start);
    /// Up to `q` trials to evaluate next (every pending one with `everyPending`): the pending ones,
    /// else new proposals stored as pending (`inFlight` are not proposed again and count against
    /// the budget).
    std::vector<TrialRow> proposeFor(int q, const std::vector<TrialRow>& inFlight, const WorkControl& control,
                                     bool everyPending = false);
    /// Up to `q` new target-task trials from the "ebs" strategy's search jobs, each job's time
    /// counted in the spent cost; a job that finds a configuration the target task already has
    /// adds no trial.
    std::vector<TrialRow> proposeFromSearchJobs(int q, const WorkControl& control);
    /// The trials to start on `idle` free workers, given those running; none to start: wait.
    using TrialSource = std::function<std::vector<TrialRow>(size_t idle, const std::vector<TrialRow>& inFlight)>;
    /// Keeps the evaluators busy with what `next` hands out until it hands out nothing and every
    /// trial is finished. Returns the finished trials in the order they finished.
    std::vector<TrialRow> evaluateOnWorkers(const TrialSource& next, const WorkControl& control,
                                            const std::function<void(const TrialRow&)>& onTrial);
    void replay(const TrialRow& row);

    StudyStore& store_;
    std::vector<TrialEvaluator*> evaluators_;
    StoredStudy study_;
    std::unique_ptr<StudyStore::RunLock> lock_;
    std::unique_ptr<Encoding> encoding_;
    std::unique_ptr<Strategy> strategy_;
    std::unique_ptr<SearchLoop> loop_;
    std::unique_ptr<EbsSweep> ebs_;                ///< the "ebs" strategy's search jobs
    std::shared_ptr<const StudyAssets> ebsAssets_; ///< loaded for the first search job
    std::vector<std::string> layerNames_;
    std::function<void(const TrialRow&)> trialStarted_;
    int completed_ = 0;
    double spent_ = 0;
};

} // namespace quantscope
