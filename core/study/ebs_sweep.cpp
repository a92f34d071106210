#include "study/ebs_sweep.h"

#include "common/error.h"
#include "quant/quantizer.h"
#include "study/study_results.h"
#include "train/device.h"

#include <nlohmann/json.hpp>

#include <iomanip>
#include <sstream>

namespace quantscope {
namespace {

const char* const kArtifact = "ebs-searches";

/// The automatic budgets' place in the memory range: the base-2 radical inverse of `index` + 1
/// (1/2, 1/4, 3/4, 1/8, 3/8, ...), so that any number of jobs spreads over the whole range and
/// each new one halves a gap.
double spreadFraction(int index)
{
    double fraction = 0;
    double scale = 0.5;
    for (unsigned n = unsigned(index) + 1; n > 0; n >>= 1, scale /= 2)
        if (n & 1)
            fraction += scale;
    return fraction;
}

} // namespace

std::string ebsJobLabel(const EbsSearchJob& job)
{
    std::ostringstream label;
    label << "EBS search " << job.index + 1 << ", budget " << std::setprecision(3) << job.budgetMB << " MB";
    return label.str();
}

std::string ebsSearchJobsToJson(const std::vector<EbsSearchJob>& jobs)
{
    nlohmann::ordered_json list = nlohmann::ordered_json::array();
    for (const EbsSearchJob& job : jobs) {
        nlohmann::ordered_json history = nlohmann::ordered_json::array();
        for (const EbsSnapshot& s : job.history)
            history.push_back({{"step", s.step},
                               {"probabilities", s.weight},
                               {"expected_cost", s.expectedCost},
                               {"lambda", s.lambda},
                               {"loss", s.loss}});
        list.push_back({{"index", job.index},
                        {"budget_mb", job.budgetMB},
                        {"bits", job.bits.toString()},
                        {"memory_mb", job.memoryMB},
                        {"lambda", job.lambda},
                        {"steps", job.steps},
                        {"seconds", job.seconds},
                        {"trial", job.trialId},
                        {"history", history}});
    }
    return nlohmann::ordered_json{{"jobs", list}}.dump();
}

std::vector<EbsSearchJob> ebsSearchJobsFromJson(const std::string& json, const StoredStudy& study)
{
    std::vector<EbsSearchJob> jobs;
    try {
        const nlohmann::json stored = nlohmann::json::parse(json);
        for (const nlohmann::json& j : stored.at("jobs")) {
            EbsSearchJob job;
            job.index = j.at("index").get<int>();
            job.budgetMB = j.at("budget_mb").get<double>();
            job.bits = study.parseConfig(j.at("bits").get<std::string>());
            job.memoryMB = j.at("memory_mb").get<double>();
            job.lambda = j.at("lambda").get<double>();
            job.steps = j.at("steps").get<int64_t>();
            job.seconds = j.at("seconds").get<double>();
            job.trialId = j.at("trial").get<int64_t>();
            for (const nlohmann::json& h : j.at("history")) {
                EbsSnapshot s;
                s.step = h.at("step").get<int64_t>();
                s.weight = h.at("probabilities").get<std::vector<std::vector<double>>>();
                s.activation = s.weight; // a study's candidates are coupled
                s.expectedCost = h.at("expected_cost").get<double>();
                s.lambda = h.at("lambda").get<double>();
                s.loss = h.at("loss").get<double>();
                job.history.push_back(std::move(s));
            }
            jobs.push_back(std::move(job));
        }
    } catch (const nlohmann::json::exception& e) {
        throw ConfigError("study '" + study.spec.name + "': its stored EBS search jobs are malformed (" + e.what()
                          + ")");
    }
    return jobs;
}

std::vector<EbsSearchJob> loadEbsSearchJobs(StudyStore& store, const StoredStudy& study)
{
    const std::optional<std::string> json = store.artifact(study.id, kArtifact);
    return json ? ebsSearchJobsFromJson(*json, study) : std::vector<EbsSearchJob>();
}

double ebsSearchSeconds(const std::vector<EbsSearchJob>& jobs)
{
    double seconds = 0;
    for (const EbsSearchJob& job : jobs)
        seconds += job.seconds;
    return seconds;
}

namespace {
/// The artifact marking the job running now: its label, stored while it runs.
const char* const kRunningJob = "ebs-running";

/// Marks a job running in the store for as long as it lives.
class RunningJobMark {
public:
    RunningJobMark(StudyStore& store, int64_t studyId, const std::string& label) : store_(store), studyId_(studyId)
    {
        store_.saveArtifact(studyId_, kRunningJob, nlohmann::json(label).dump());
    }
    ~RunningJobMark()
    {
        try {
            store_.removeArtifact(studyId_, kRunningJob);
        } catch (const std::exception&) {
            // A mark left behind (the file busy or gone) is cleared when the study runs again.
        }
    }
    RunningJobMark(const RunningJobMark&) = delete;
    RunningJobMark& operator=(const RunningJobMark&) = delete;

private:
    StudyStore& store_;
    int64_t studyId_;
};
} // namespace

std::optional<std::string> runningEbsSearchJob(StudyStore& store, const StoredStudy& study)
{
    const std::optional<std::string> stored = store.artifact(study.id, kRunningJob);
    if (!stored)
        return std::nullopt;
    const nlohmann::json label = nlohmann::json::parse(*stored, nullptr, false);
    return label.is_string() ? label.get<std::string>() : *stored;
}

EbsSweep::EbsSweep(StudyStore& store, const StoredStudy& study) :
    store_(store), study_(study), jobs_(loadEbsSearchJobs(store, study))
{
    store_.removeArtifact(study_.id, kRunningJob);
}

std::optional<double> EbsSweep::nextBudget(std::pair<double, double> range) const
{
    const std::vector<double>& listed = study_.spec.ebs.budgets;
    const size_t next = jobs_.size();
    if (!listed.empty())
        return next < listed.size() ? std::optional<double>(listed[next]) : std::nullopt;
    return range.first + spreadFraction(int(next)) * (range.second - range.first);
}

std::optional<EbsSearchJob> EbsSweep::runNext(const StudyAssets& assets, const WorkControl& control)
{
    const EbsSweepSettings& settings = study_.spec.ebs;
    const size_t layers = study_.layers.size();
    const std::optional<double> budget =
        nextBudget({studyMemoryMB(study_, BitConfig::uniform(settings.candidates.front(), layers)),
                    studyMemoryMB(study_, BitConfig::uniform(settings.candidates.back(), layers))});
    if (!budget)
        return std::nullopt;
    EbsSearchJob job;
    job.index = int(jobs_.size());
    job.budgetMB = *budget;
    job.steps = settings.steps;

    EbsOptions options;
    options.candidates.weight = settings.candidates;
    options.cost = EbsCost::Memory; // the front's axis
    options.budget = *budget;
    options.steps = settings.steps;
    options.seed = study_.spec.seed + uint64_t(job.index);
    options.policy = assets.quant.policy;
    setComputeThreads(study_.spec.evaluationThreads());
    Network network = assets.network.clone(); // the search fine-tunes its copy; trials start afresh
    WorkControl jobControl;
    jobControl.cancel = control.cancel;
    if (control.progress) // "EBS search 2, budget 0.315 MB" 120 of 300 (the job's one phase)
        jobControl.progress = [&control, label = ebsJobLabel(job)](const Progress& p) {
            control.report(label, p.done, p.total);
        };
    const RunningJobMark running(store_, study_.id, ebsJobLabel(job));
    const EbsResult result =
        searchBitWidths(network, *assets.splits.train, assets.splits.calibration, assets.augmentation,
                        makeQuantizer(assets.quant.quantizer), options, jobControl);
    job.bits = result.bits;
    job.memoryMB = studyMemoryMB(study_, result.bits);
    job.lambda = result.lambda;
    job.seconds = result.seconds;
    job.history = result.history;
    return job;
}

void EbsSweep::save(const EbsSearchJob& job)
{
    jobs_.push_back(job);
    store_.saveArtifact(study_.id, kArtifact, ebsSearchJobsToJson(jobs_));
}

} // namespace quantscope
