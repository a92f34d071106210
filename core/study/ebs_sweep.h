#pragma once

#include "common/progress.h"
#include "ebs/bitwidth_search.h"
#include "quant/bit_config.h"
#include "study/study_assets.h"
#include "study/study_store.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace quantscope {

/// One search job of a study's "ebs" strategy (docs/ebs.md): the budget it searched for, the
/// configuration it found, what it cost and how the strengths moved.
struct EbsSearchJob {
    int index = 0;                    ///< 0-based, in the order the jobs ran
    double budgetMB = 0;              ///< the memory budget it searched for
    BitConfig bits;                   ///< the configuration it found (fits the budget)
    double memoryMB = 0;              ///< of `bits`, the cost model's
    double lambda = 0;                ///< the penalty weight the budget's dual ascent ended at
    int64_t steps = 0;                ///< optimizer steps
    double seconds = 0;               ///< wall time; counts against the study's cost budget
    int64_t trialId = -1;             ///< the target-task trial that evaluates `bits` (an earlier one when it repeats)
    std::vector<EbsSnapshot> history; ///< the strengths' softmax over the job
};

/// The search jobs a study ran so far, as stored (empty for other strategies).
std::vector<EbsSearchJob> loadEbsSearchJobs(StudyStore& store, const StoredStudy& study);
/// The stored form (the study's "ebs-searches" artifact), and back; ConfigError on a malformed one.
std::string ebsSearchJobsToJson(const std::vector<EbsSearchJob>& jobs);
std::vector<EbsSearchJob> ebsSearchJobsFromJson(const std::string& json, const StoredStudy& study);
/// "EBS search 2, budget 0.315 MB": how views and trial reasons name a job.
std::string ebsJobLabel(const EbsSearchJob& job);
/// Wall time of the jobs together: the part of a study's spent cost outside its trials.
double ebsSearchSeconds(const std::vector<EbsSearchJob>& jobs);
/// The label of the search job a run of the study is running now (`study status` from another
/// process), nullopt when none is.
std::optional<std::string> runningEbsSearchJob(StudyStore& store, const StoredStudy& study);

/// The "ebs" strategy's sweep over memory budgets (StudySpec::ebs): runs one search job per
/// budget on the study's network and training split and stores each job with the trial that
/// evaluates its configuration.
class EbsSweep {
public:
    /// Reads the jobs `store` holds for `study`; forgets a job marked running by a run that
    /// ended without clearing it (a crash). Only the study's runner makes one.
    EbsSweep(StudyStore& store, const StoredStudy& study);

    const std::vector<EbsSearchJob>& jobs() const { return jobs_; }
    /// The next job's budget in MB: the study's listed budgets in order, or the automatic spread
    /// over the memory range of its candidates (`range`: every layer at the lowest candidate, and
    /// at the highest); nullopt when the listed budgets are used up.
    std::optional<double> nextBudget(std::pair<double, double> range) const;
    /// Runs the next job on `assets` (nullopt when no budget is left); the caller attaches its
    /// trial and save()s it. Cancelled when `control` is, nothing stored then.
    std::optional<EbsSearchJob> runNext(const StudyAssets& assets, const WorkControl& control);
    void save(const EbsSearchJob& job);

private:
    StudyStore& store_;
    const StoredStudy& study_;
    std::vector<EbsSearchJob> jobs_;
};

} // namespace quantscope
