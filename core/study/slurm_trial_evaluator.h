#pragma once

#include "quant/cost_model.h"
#include "study/slurm_queue.h"
#include "study/trial_evaluator.h"

#include <functional>
#include <map>
#include <memory>
#include <mutex>

namespace quantscope {

/// One trial at a time as a Slurm job (docs/slurm.md). Each trial has a folder in the study's jobs
/// folder on the shared file system: the request, the batch script, the job ids it ran as, Slurm's
/// output, and the result and exit status the job writes; jobs never open the study database.
/// submit() (on the runner's thread, before the trial is marked running) sbatches the job, or
/// re-attaches to the one a runner that died left queued or running; evaluate() waits for it
/// through the study's SlurmQueue and turns its end into a result or a failure with the reason.
/// Preempted jobs and node failures are resubmitted up to `slurm.max_requeues` times; cancelling
/// runs scancel.
class SlurmTrialEvaluator final : public TrialEvaluator {
public:
    /// `command` runs in the job with the request on its standard input and prints the result;
    /// `fallbackCost` fills in memory and BOPs a command leaves out (empty: it must report them).
    SlurmTrialEvaluator(const StudySpec& spec, std::shared_ptr<SlurmQueue> queue, std::string jobsFolder,
                        std::vector<std::string> command, std::vector<LayerInfo> layers,
                        std::function<CostReport(const BitConfig&)> fallbackCost);

    std::vector<LayerInfo> layers() const override { return layers_; }
    std::string submit(const TrialRequest& request, const std::string& recordedJob) override;
    TrialResult evaluate(const TrialRequest& request, const WorkControl& control) override;
    std::string jobOf(int64_t trialId) const override { return currentJob(trialId); }

private:
    std::string trialFolder(int64_t trialId) const;
    std::string currentJob(int64_t trialId) const;
    /// Writes the request and script, sbatches them and records the job id in the folder.
    std::string submitNew(const TrialRequest& request);
    /// The result of a job that ended in `end`; throws EvaluationFailed with the reason.
    TrialResult collect(const TrialRequest& request, const std::string& job, const SlurmJobState& end);

    SlurmSettings settings_;
    std::string studyName_;
    std::shared_ptr<SlurmQueue> queue_;
    std::string jobsFolder_;
    std::vector<std::string> command_;
    std::vector<LayerInfo> layers_;
    std::function<CostReport(const BitConfig&)> fallbackCost_;
    mutable std::mutex mutex_;
    std::map<int64_t, std::string> jobs_; ///< trial -> its current job
};

/// The evaluators of a study whose `executor` is "slurm": `spec.workers` jobs at once, sharing one
/// SlurmQueue. The built-in worker (`quantscope-cli study evaluate --spec`) for torch and synthetic
/// studies, the study's command for command studies. The jobs folder is `slurm.jobs_folder` or
/// `<study file>.slurm`, with a folder per study.
std::vector<std::unique_ptr<TrialEvaluator>> makeSlurmTrialEvaluators(const StudySpec& spec, const WorkerLaunch& launch,
                                                                      std::shared_ptr<const StudyAssets> assets);

} // namespace quantscope
