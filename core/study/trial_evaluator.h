#pragma once

#include "common/error.h"
#include "common/layer_info.h"
#include "common/progress.h"
#include "quant/bit_config.h"
#include "study/study_spec.h"
#include "study/study_store.h"

#include <memory>
#include <string>
#include <vector>

namespace quantscope {

struct StudyAssets;

/// One evaluation to run: the configuration of the study's layers on one task.
struct TrialRequest {
    int64_t trialId = 0;
    std::string study;
    std::vector<std::string> layerNames;
    BitConfig bits;
    int task = 0;
    std::string taskName;
    int64_t steps = 0; ///< fine-tuning budget of the task
    uint64_t seed = 0;
};

/// An evaluation that could not produce a result; the trial is marked failed with this reason
/// and the study goes on.
class EvaluationFailed : public Error {
public:
    using Error::Error;
};

/// A queue (Slurm) that refuses a trial: a wrong partition, no sbatch. Not the trial's fault, so it
/// stays pending and the run ends with the reason (a study would otherwise fail every trial alike).
class SubmissionFailed : public Error {
public:
    using Error::Error;
};

/// Turns a request into accuracy, memory and BOPs: LibTorch, the synthetic problem, or an
/// external command.
class TrialEvaluator {
public:
    virtual ~TrialEvaluator() = default;
    /// The quantizable layers the configurations cover.
    virtual std::vector<LayerInfo> layers() const = 0;
    /// Throws EvaluationFailed (trial failed, study goes on) or Cancelled.
    virtual TrialResult evaluate(const TrialRequest& request, const WorkControl& control) = 0;
    /// Queue-backed evaluators (Slurm) hand the trial to their queue here, on the runner's thread
    /// before it is marked running, and return the job's id for the store; `recordedJob` is the job
    /// the store holds for it from a runner that died, re-attached to instead of submitting again.
    /// evaluate() then waits for that job. Others submit nothing and return "".
    virtual std::string submit(const TrialRequest& /*request*/, const std::string& /*recordedJob*/) { return {}; }
    /// The job trial `trialId` ran as last, once evaluate() returned (a resubmission after a node
    /// failure replaces the one submit() returned); "" for evaluators without a queue.
    virtual std::string jobOf(int64_t /*trialId*/) const { return {}; }
};

/// The evaluator `spec.evaluator` names, set up for the spec (data loaded, model read). A torch
/// evaluator uses `assets` when given (they must be the spec's) and loads its own otherwise.
std::unique_ptr<TrialEvaluator> makeTrialEvaluator(const StudySpec& spec,
                                                   std::shared_ptr<const StudyAssets> assets = nullptr);

/// Where the worker processes of parallel studies come from: the `quantscope-cli` program, and the
/// study file they read their study from.
struct WorkerLaunch {
    std::string program;
    std::string database;
};

/// The evaluators of a study's `spec.workers` parallel evaluations. The slurm executor: that many
/// jobs at once (makeSlurmTrialEvaluators). One local worker: the evaluator itself. Several: command studies run their command once per worker; torch and synthetic studies
/// get one persistent worker process each (WorkerTrialEvaluator: `launch.program study evaluate
/// --serve`), whose LibTorch thread pool, seeds and memory are its own and which loads the network
/// and data once. `assets`: as for makeTrialEvaluator (several workers read the layers from them).
std::vector<std::unique_ptr<TrialEvaluator>> makeTrialEvaluators(const StudySpec& spec, const WorkerLaunch& launch,
                                                                 std::shared_ptr<const StudyAssets> assets = nullptr);

} // namespace quantscope
