#include "study/slurm_trial_evaluator.h"

#include "common/error.h"
#include "study/command_trial_evaluator.h"
#include "study/evaluator_protocol.h"

#include <cctype>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

namespace quantscope {
namespace {

namespace fs = std::filesystem;

std::string readFile(const fs::path& path)
{
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

/// Written whole or not at all: a reader on another node never sees half a file.
void writeFileAtomically(const fs::path& path, const std::string& text)
{
    const fs::path part = path.string() + ".part";
    {
        std::ofstream out(part, std::ios::binary | std::ios::trunc);
        out << text;
        if (!out.flush())
            throw Error("could not write " + part.string());
    }
    fs::rename(part, path);
}

std::string shellQuoted(const std::string& word)
{
    std::string out = "'";
    for (char c : word)
        out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
}

/// Letters, digits, '-', '_' and '.' only: a study's name in folder and job names.
std::string safeName(const std::string& name)
{
    std::string out;
    for (char c : name)
        out += std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.' ? c : '_';
    return out.empty() ? "study" : out;
}

/// The last non-empty line of `text`, at most 200 characters.
std::string lastLine(const std::string& text)
{
    size_t end = text.find_last_not_of("\r\n \t");
    if (end == std::string::npos)
        return {};
    const size_t start = text.rfind('\n', end);
    const std::string line =
        text.substr(start == std::string::npos ? 0 : start + 1, end - (start == std::string::npos ? 0 : start + 1) + 1);
    return line.substr(0, 200);
}

std::vector<std::string> linesOf(const fs::path& file)
{
    std::vector<std::string> out;
    std::istringstream lines(readFile(file));
    for (std::string line; std::getline(lines, line);)
        if (!line.empty())
            out.push_back(line);
    return out;
}

/// The jobs a cancelled run scancelled: never re-attached to.
std::set<std::string> cancelledJobs(const fs::path& folder)
{
    const std::vector<std::string> ids = linesOf(folder / "cancelled");
    return {ids.begin(), ids.end()};
}

/// The job ids a trial's folder records, oldest first (one per submission), less those cancelled.
std::vector<std::string> recordedJobs(const fs::path& folder)
{
    const std::set<std::string> cancelled = cancelledJobs(folder);
    std::vector<std::string> ids;
    for (const std::string& id : linesOf(folder / "jobs"))
        if (!cancelled.count(id))
            ids.push_back(id);
    return ids;
}

/// CPUs of each job: `slurm.cpus`, else the study's `threads`, else 1 (the nodes are not this machine).
int slurmCpus(const StudySpec& spec)
{
    return spec.slurm.cpus > 0 ? spec.slurm.cpus : std::max(1, spec.threads);
}

} // namespace

SlurmTrialEvaluator::SlurmTrialEvaluator(const StudySpec& spec, std::shared_ptr<SlurmQueue> queue,
                                         std::string jobsFolder, std::vector<std::string> command,
                                         std::vector<LayerInfo> layers,
                                         std::function<CostReport(const BitConfig&)> fallbackCost) :
    settings_(spec.slurm),
    studyName_(spec.name), queue_(std::move(queue)), jobsFolder_(std::move(jobsFolder)), command_(std::move(command)),
    layers_(std::move(layers)), fallbackCost_(std::move(fallbackCost))
{
    settings_.cpus = slurmCpus(spec);
}

std::string SlurmTrialEvaluator::trialFolder(int64_t trialId) const
{
    return (fs::path(jobsFolder_) / ("trial-" + std::to_string(trialId))).string();
}

std::string SlurmTrialEvaluator::currentJob(int64_t trialId) const
{
    std::lock_guard<std::mutex> lock(mutex_);
    const auto found = jobs_.find(trialId);
    return found == jobs_.end() ? std::string() : found->second;
}

std::string SlurmTrialEvaluator::submit(const TrialRequest& request, const std::string& recordedJob)
{
    const fs::path folder = trialFolder(request.trialId);
    // Re-attach to the job a runner that died left behind: the last the trial's folder records (it
    // may have died between sbatch and the store, or after a resubmission), else the store's, else
    // a queued or running job of the trial's name (it died inside sbatch's answer). Jobs a
    // cancelled run scancelled are never taken up again.
    const std::set<std::string> cancelled = cancelledJobs(folder);
    const std::vector<std::string> recorded = recordedJobs(folder);
    std::string job = !recorded.empty() ? recorded.back() : cancelled.count(recordedJob) ? "" : recordedJob;
    if (job.empty() && fs::exists(folder / "request.json"))
        job = queue_->findByName(safeName(studyName_) + "-trial-" + std::to_string(request.trialId)).value_or("");
    if (cancelled.count(job))
        job.clear();
    if (!job.empty() && !queue_->stateNow(job) && !fs::exists(folder / "result.json"))
        job.clear(); // Slurm forgot it and it left no result: run the trial again
    if (job.empty())
        job = submitNew(request);
    std::lock_guard<std::mutex> lock(mutex_);
    jobs_[request.trialId] = job;
    return job;
}

std::string SlurmTrialEvaluator::submitNew(const TrialRequest& request)
{
    const fs::path folder = trialFolder(request.trialId);
    fs::create_directories(folder);
    for (const char* stale : {"result.json", "exit-status"})
        fs::remove(folder / stale);
    writeFileAtomically(folder / "request.json", trialRequestJson(request) + "\n");

    std::string script = "#!/bin/bash\n# Quantscope trial " + std::to_string(request.trialId) + " of study "
        + shellQuoted(studyName_) + " (docs/slurm.md)\n";
    for (const std::string& line : settings_.setup)
        script += line + "\n";
    std::string command;
    for (const std::string& word : command_)
        command += (command.empty() ? "" : " ") + shellQuoted(word);
    script += "cd " + shellQuoted(folder.string()) + " || exit 1\n" + "start=$(date +%s.%N)\n" + command
        + " < request.json > result.json.part\n" + "status=$?\n"
        + "[ $status -eq 0 ] && mv result.json.part result.json\n"
        + "echo \"$status $start $(date +%s.%N)\" > exit-status.part && mv exit-status.part exit-status\n"
        + "exit $status\n";
    writeFileAtomically(folder / "job.sh", script);

    std::vector<std::string> arguments = {"--job-name=" + safeName(studyName_) + "-trial-"
                                              + std::to_string(request.trialId),
                                          "--no-requeue", // resubmitted here, counted, instead
                                          "--chdir=" + folder.string(),
                                          "--output=" + (folder / "slurm-%j.out").string(),
                                          "--error=" + (folder / "slurm-%j.err").string(),
                                          "--cpus-per-task=" + std::to_string(settings_.cpus)};
    if (!settings_.partition.empty())
        arguments.push_back("--partition=" + settings_.partition);
    if (!settings_.timeLimit.empty())
        arguments.push_back("--time=" + settings_.timeLimit);
    if (!settings_.memory.empty())
        arguments.push_back("--mem=" + settings_.memory);
    if (!settings_.gres.empty())
        arguments.push_back("--gres=" + settings_.gres);
    arguments.insert(arguments.end(), settings_.sbatchArgs.begin(), settings_.sbatchArgs.end());
    const std::string job = queue_->submit(arguments, (folder / "job.sh").string());
    std::ofstream(folder / "jobs", std::ios::app) << job << "\n";
    return job;
}

TrialResult SlurmTrialEvaluator::evaluate(const TrialRequest& request, const WorkControl& control)
{
    std::string job = currentJob(request.trialId);
    if (job.empty())
        job = submit(request, "");
    for (;;) {
        SlurmJobState end;
        try {
            end = queue_->waitUntilDone(job, control);
        } catch (const Cancelled&) {
            queue_->cancel({job});
            std::ofstream(fs::path(trialFolder(request.trialId)) / "cancelled", std::ios::app) << job << "\n";
            std::lock_guard<std::mutex> lock(mutex_);
            jobs_.erase(request.trialId);
            throw;
        }
        const size_t submissions = recordedJobs(trialFolder(request.trialId)).size();
        if (end.lostNode() && int(submissions) <= settings_.maxRequeues) {
            job = submitNew(request);
            std::lock_guard<std::mutex> lock(mutex_);
            jobs_[request.trialId] = job;
            continue;
        }
        return collect(request, job, end); // jobs_ keeps the job for jobOf()
    }
}

TrialResult SlurmTrialEvaluator::collect(const TrialRequest& request, const std::string& job, const SlurmJobState& end)
{
    const fs::path folder = trialFolder(request.trialId);
    const std::string name = "Slurm job " + job;
    const std::string errors = lastLine(readFile(folder / ("slurm-" + job + ".err")));
    const std::string errorSuffix = errors.empty() ? "" : ": " + errors;
    int status = -1;
    double started = 0, finished = 0;
    if (fs::exists(folder / "exit-status"))
        std::istringstream(readFile(folder / "exit-status")) >> status >> started >> finished;

    if (fs::exists(folder / "result.json") && (end.state.empty() || end.state == "COMPLETED")) {
        TrialResult result = parseCommandResult(readFile(folder / "result.json"), request.bits, fallbackCost_);
        result.seconds = finished > started ? finished - started : 0;
        return result;
    }
    if (end.state == "TIMEOUT")
        throw EvaluationFailed(name + " reached its time limit"
                               + (settings_.timeLimit.empty() ? "" : " (" + settings_.timeLimit + ")"));
    if (end.state == "OUT_OF_MEMORY")
        throw EvaluationFailed(name + " ran out of memory"
                               + (settings_.memory.empty() ? "" : " (--mem " + settings_.memory + ")"));
    if (end.state == "CANCELLED")
        throw EvaluationFailed(name + " was cancelled outside Quantscope (scancel)");
    if (end.lostNode())
        throw EvaluationFailed(name + " ended in " + end.state + " after " + std::to_string(settings_.maxRequeues)
                               + " resubmissions");
    if (status > 0 || end.state == "FAILED")
        throw EvaluationFailed(name + " failed"
                               + (status > 0 ? " with exit status " + std::to_string(status) : std::string())
                               + errorSuffix);
    if (end.state == "COMPLETED")
        throw EvaluationFailed(name + " completed without writing a result" + errorSuffix);
    if (end.state.empty())
        throw EvaluationFailed(name
                               + " left the queue without a result, and the cluster keeps no accounting to "
                                 "say why (cancelled, time limit or node failure)");
    throw EvaluationFailed(name + " ended in " + end.state + (end.reason.empty() ? "" : " (" + end.reason + ")"));
}

std::vector<std::unique_ptr<TrialEvaluator>> makeSlurmTrialEvaluators(const StudySpec& spec, const WorkerLaunch& launch,
                                                                      std::shared_ptr<const StudyAssets> assets)
{
    const fs::path root =
        spec.slurm.jobsFolder.empty() ? fs::path(launch.database + ".slurm") : fs::path(spec.slurm.jobsFolder);
    const fs::path folder = fs::absolute(root / safeName(spec.name));
    fs::create_directories(folder);

    std::vector<std::string> command;
    std::vector<LayerInfo> layers;
    std::function<CostReport(const BitConfig&)> fallbackCost;
    if (spec.evaluator == "command") {
        command = spec.command;
        layers = studyCostModel(spec, fallbackCost);
    } else {
        std::string program = spec.slurm.program.empty() ? launch.program : spec.slurm.program;
        if (program.empty())
            throw ConfigError("study: the slurm executor needs the quantscope-cli program (slurm.program)");
        if (spec.slurm.program.empty())
            program = fs::absolute(program).string(); // the job starts in the trial's folder
        // The worker reads the study from this file, never from the study database.
        StudySpec local = spec;
        local.executor = "local";
        local.workers = 1;
        writeFileAtomically(folder / "study.json", local.toJson() + "\n");
        layers = makeTrialEvaluator(local, std::move(assets))->layers(); // checks the model and data now
        command = {program,
                   "study",
                   "evaluate",
                   "--spec",
                   (folder / "study.json").string(),
                   "--threads",
                   std::to_string(slurmCpus(spec))};
    }
    const auto queue = std::make_shared<SlurmQueue>(spec.slurm.pollSeconds);
    std::vector<std::unique_ptr<TrialEvaluator>> evaluators;
    for (int i = 0; i < spec.workers; ++i)
        evaluators.push_back(
            std::make_unique<SlurmTrialEvaluator>(spec, queue, folder.string(), command, layers, fallbackCost));
    return evaluators;
}

} // namespace quantscope
