#include "study/study_runner.h"

#include "study/study_surrogate.h"

#include "common/error.h"
#include "search/candidates.h"
#include "search/strategies.h"
#include "study/ebs_sweep.h"
#include "study/study_results.h"

#include <algorithm>
#include <chrono>
#include <future>
#include <list>

namespace quantscope {

StudyRunner::StudyRunner(StudyStore& store, const std::string& studyName, TrialEvaluator& evaluator) :
    StudyRunner(store, studyName, std::vector<TrialEvaluator*>{&evaluator})
{
}

namespace {
std::vector<TrialEvaluator*> pointers(const std::vector<std::unique_ptr<TrialEvaluator>>& evaluators)
{
    std::vector<TrialEvaluator*> out;
    for (const auto& evaluator : evaluators)
        out.push_back(evaluator.get());
    return out;
}
} // namespace

StudyRunner::StudyRunner(StudyStore& store, const std::string& studyName,
                         const std::vector<std::unique_ptr<TrialEvaluator>>& evaluators) :
    StudyRunner(store, studyName, pointers(evaluators))
{
}

StudyRunner::StudyRunner(StudyStore& store, const std::string& studyName, std::vector<TrialEvaluator*> evaluators) :
    store_(store), evaluators_(std::move(evaluators)), study_(store.loadStudy(studyName))
{
    if (evaluators_.empty())
        throw ConfigError("a study runner needs at least one evaluator");
    lock_ = std::make_unique<StudyStore::RunLock>(store_, study_.id);
    const StudySpec& spec = study_.spec;
    layerNames_ = study_.layerNames();
    encoding_ = makeEncoding(spec.encoding, study_.layers.size());
    strategy_ = makeStrategy(spec.strategy);

    CandidatePool pool(*encoding_);
    fillStudyCandidates(pool);
    SearchLoopOptions options;
    for (const StudyTask& task : spec.tasks)
        options.defaultTaskCosts.push_back(task.cost);
    options.effectiveK = spec.effectiveK;
    options.seed = spec.seed;
    options.fit = StudySurrogate::fitOptions(spec); // as the results' surrogate: one fit serves both
    const int target = spec.targetTask();
    if (strategy_->multiTask())
        options.initialDesign = {{spec.cheapestTask(), spec.initialCheapCount(encoding_->dim())},
                                 {target, spec.initialTarget}};
    else if (strategy_->usesModel())
        options.initialDesign = {{target, std::max(3, spec.initialTarget)}};
    if (spec.measureBaselines)
        for (int b : {8, 4, 3, 2})
            options.fixedEvaluations.emplace_back(BitConfig::uniform(b, study_.layers.size()), target);
    const StoredStudy& study = study_;
    options.costOf = [&study](const BitConfig& bits) { return studyMemoryMB(study, bits); };
    if (encoding_->name() == "per-layer" && strategy_->usesModel())
        options.paretoMutations = 2;
    loop_ = std::make_unique<SearchLoop>(std::move(pool), *strategy_, int(spec.tasks.size()), options);

    store_.requeueRunning(study_.id);
    for (const TrialRow& row : store_.trials(study_.id))
        replay(row);
    if (strategy_->runsSearchJobs()) {
        ebs_ = std::make_unique<EbsSweep>(store_, study_);
        spent_ += ebsSearchSeconds(ebs_->jobs());
    }
}

StudyRunner::~StudyRunner() = default;

void StudyRunner::replay(const TrialRow& row)
{
    if (row.status != TrialStatus::Done && row.status != TrialStatus::Failed)
        return;
    const size_t candidate = loop_->addCandidate(row.bits);
    spent_ += row.seconds.value_or(0);
    if (row.status == TrialStatus::Done) {
        loop_->record(Proposal{candidate, row.task, 0, row.reason},
                      Evaluation{*row.accuracy, row.seconds.value_or(0), row.memoryMB});
        ++completed_;
    } else {
        loop_->exclude(candidate, row.task);
    }
}

std::vector<std::optional<double>> StudyRunner::acquisition(const std::vector<BitConfig>& configs)
{
    const Eigen::VectorXd values = loop_->acquisition();
    std::vector<std::optional<double>> out;
    for (const BitConfig& config : configs) {
        const std::optional<size_t> c = loop_->find(config);
        out.push_back(c && Eigen::Index(*c) < values.size() ? std::optional<double>(values[Eigen::Index(*c)])
                                                            : std::nullopt);
    }
    return out;
}

std::shared_ptr<const StudySurrogate> StudyRunner::surrogate(const std::vector<TrialRow>& trials)
{
    loop_->fitModel();
    const std::optional<MtgpFitReport>& fit = loop_->fitReport();
    const auto done = std::count_if(trials.begin(), trials.end(), [](const TrialRow& t) {
        return t.status == TrialStatus::Done && t.accuracy.has_value();
    });
    if (strategy_->multiTask() && fit && size_t(done) == loop_->observations().size())
        return std::make_shared<const StudySurrogate>(study_, trials, *fit);
    return std::make_shared<const StudySurrogate>(study_, trials);
}

bool StudyRunner::budgetSpent() const
{
    const StudySpec& spec = study_.spec;
    return (spec.budgetTrials && completed_ >= *spec.budgetTrials) || (spec.budgetCost && spent_ >= *spec.budgetCost);
}

TrialRequest StudyRunner::requestFor(const TrialRow& pending) const
{
    const StudySpec& spec = study_.spec;
    TrialRequest request;
    request.trialId = pending.id;
    request.study = spec.name;
    request.layerNames = layerNames_;
    request.bits = pending.bits;
    request.task = pending.task;
    request.taskName = spec.tasks.at(size_t(pending.task)).name;
    request.steps = spec.tasks.at(size_t(pending.task)).steps;
    request.seed = spec.trialSeed(pending.id);
    return request;
}

TrialRow StudyRunner::start(const TrialRow& row, TrialEvaluator& evaluator, const TrialRequest& request)
{
    TrialRow running = row;
    try {
        running.job = evaluator.submit(request, row.job);
    } catch (const Cancelled&) {
        throw;
    } catch (const Error& e) {
        throw SubmissionFailed("could not submit trial " + std::to_string(row.id) + ": " + e.what());
    }
    if (running.job != row.job)
        store_.setTrialJob(row.id, running.job);
    store_.markRunning(row.id);
    running.status = TrialStatus::Running;
    if (trialStarted_)
        trialStarted_(running);
    return running;
}

void StudyRunner::recordFinalJob(TrialRow& row, const TrialEvaluator& evaluator)
{
    const std::string job = evaluator.jobOf(row.id);
    if (job.empty() || job == row.job)
        return;
    store_.setTrialJob(row.id, job);
    row.job = job;
}

TrialRow StudyRunner::finish(const TrialRow& pending, const std::function<TrialResult()>& result,
                             std::chrono::steady_clock::time_point start)
{
    TrialRow finished = pending;
    try {
        const TrialResult measured = result();
        store_.completeTrial(pending.id, measured);
        finished.status = TrialStatus::Done;
        finished.accuracy = measured.accuracy;
        finished.memoryMB = measured.memoryMB;
        finished.bops = measured.bops;
        finished.seconds = measured.seconds;
    } catch (const EvaluationFailed& e) {
        const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        store_.failTrial(pending.id, e.what(), seconds);
        finished.status = TrialStatus::Failed;
        finished.error = e.what();
        finished.seconds = seconds;
    } catch (const Cancelled&) {
        store_.requeueRunning(study_.id, false); // queue jobs were cancelled with it
        throw;
    }
    replay(finished);
    return finished;
}

std::vector<TrialRow> StudyRunner::evaluateOnWorkers(const TrialSource& next, const WorkControl& control,
                                                     const std::function<void(const TrialRow&)>& onTrial)
{
    using Clock = std::chrono::steady_clock;
    struct Running {
        TrialRow row;
        size_t evaluator;
        Clock::time_point start;
        std::future<TrialResult> result;
    };
    // Worker threads only evaluate (their progress is not reported: it would interleave); the
    // store, the search loop and `control.progress` stay on this thread.
    WorkControl workerControl;
    workerControl.cancel = control.cancel;
    std::vector<size_t> idle(evaluators_.size());
    for (size_t i = 0; i < idle.size(); ++i)
        idle[i] = idle.size() - 1 - i;
    std::list<Running> running;
    std::vector<TrialRow> finished;
    bool cancelled = false;
    std::string submissionError;
    std::string reportedIds;
    for (;;) {
        if (!cancelled && control.cancel && control.cancel->isCancelled())
            cancelled = true;
        if (!cancelled && submissionError.empty() && !idle.empty()) {
            std::vector<TrialRow> inFlight;
            for (const Running& r : running)
                inFlight.push_back(r.row);
            std::vector<TrialRow> rows;
            try {
                rows = next(idle.size(), inFlight); // a search job (the ebs strategy) may be cancelled
            } catch (const Cancelled&) {
                cancelled = true;
            }
            for (const TrialRow& row : rows) {
                TrialEvaluator* evaluator = evaluators_[idle.back()];
                const TrialRequest request = requestFor(row);
                TrialRow started;
                try {
                    started = start(row, *evaluator, request);
                } catch (const SubmissionFailed& e) {
                    // Not the trial's fault (a wrong partition, no sbatch): it stays pending, nothing
                    // more is handed out, and the run ends with the reason once the others finish.
                    submissionError = e.what();
                    break;
                }
                running.push_back({started, idle.back(), Clock::now(), std::future<TrialResult>()});
                idle.pop_back();
                running.back().result = std::async(std::launch::async, [evaluator, request, workerControl] {
                    return evaluator->evaluate(request, workerControl);
                });
            }
        }
        if (running.empty())
            break;
        std::string ids;
        for (const Running& r : running)
            ids += (ids.empty() ? "" : ", ") + std::to_string(r.row.id);
        if (ids != reportedIds) // "trials 13, 14 running": 5 of 20 trials done
            control.report("trials " + ids + " running", completed_,
                           study_.spec.budgetTrials ? *study_.spec.budgetTrials : completed_ + int(running.size()));
        reportedIds = ids;
        // Wait for one to finish, then hand its worker the next trial.
        bool any = false;
        while (!any)
            for (auto it = running.begin(); it != running.end();) {
                if (it->result.wait_for(std::chrono::milliseconds(any ? 0 : 20)) != std::future_status::ready) {
                    ++it;
                    continue;
                }
                any = true;
                try {
                    finished.push_back(finish(
                        it->row, [&] { return it->result.get(); }, it->start));
                    recordFinalJob(finished.back(), *evaluators_[it->evaluator]);
                    if (onTrial)
                        onTrial(finished.back());
                } catch (const Cancelled&) {
                    cancelled = true; // the others see the same token; wait for them, then report
                }
                idle.push_back(it->evaluator);
                it = running.erase(it);
            }
    }
    if (cancelled) {
        store_.requeueRunning(study_.id, false); // queue jobs were cancelled with it
        throw Cancelled();
    }
    if (!submissionError.empty())
        throw SubmissionFailed(submissionError);
    return finished;
}

std::vector<TrialRow> StudyRunner::propose(const WorkControl& control)
{
    return proposeFor(std::max(study_.spec.batch, int(evaluators_.size())), {}, control, true);
}

std::vector<TrialRow> StudyRunner::proposeFor(int q, const std::vector<TrialRow>& inFlight, const WorkControl& control,
                                              bool everyPending)
{
    std::vector<TrialRow> queue;
    for (const TrialRow& row : store_.trials(study_.id))
        if (row.status == TrialStatus::Pending && (everyPending || int(queue.size()) < q))
            queue.push_back(row);
    if (!queue.empty() || budgetSpent())
        return queue;
    if (study_.spec.budgetTrials)
        q = std::min(q, *study_.spec.budgetTrials - completed_ - int(inFlight.size()));
    if (q < 1)
        return queue;
    std::vector<std::pair<size_t, int>> busy;
    for (const TrialRow& row : inFlight)
        if (const std::optional<size_t> c = loop_->find(row.bits))
            busy.emplace_back(*c, row.task);
    if (ebs_ && !loop_->designPending(busy))
        return proposeFromSearchJobs(q, control);
    for (const Proposal& p : loop_->propose(q, busy)) {
        TrialRow row;
        row.bits = loop_->pool().bits(p.candidate);
        row.task = p.task;
        row.reason = p.reason;
        row.status = TrialStatus::Pending;
        row.id = store_.addPendingTrial(study_.id, row.bits, row.task, row.reason);
        queue.push_back(row);
    }
    return queue;
}

std::vector<TrialRow> StudyRunner::proposeFromSearchJobs(int q, const WorkControl& control)
{
    if (!ebsAssets_)
        ebsAssets_ = StudyAssets::load(study_.spec);
    const int target = study_.spec.targetTask();
    std::vector<TrialRow> queue;
    // A small network has few configurations: after this many jobs in a row that found one the
    // target task already has, the sweep is taken as done (the run ends; its budget is not spent).
    const int maxRepeats = 8;
    int repeats = 0;
    while (int(queue.size()) < q && !budgetSpent() && repeats < maxRepeats) {
        std::optional<EbsSearchJob> job = ebs_->runNext(*ebsAssets_, control);
        if (!job)
            break; // the listed budgets are used up
        spent_ += job->seconds;
        for (const TrialRow& row : store_.trials(study_.id))
            if (row.task == target && row.bits == job->bits && row.status != TrialStatus::Failed)
                job->trialId = row.id;
        if (job->trialId >= 0) {
            ++repeats;
        } else {
            repeats = 0;
            TrialRow row;
            row.bits = job->bits;
            row.task = target;
            row.reason = ebsJobLabel(*job);
            row.status = TrialStatus::Pending;
            row.id = store_.addPendingTrial(study_.id, row.bits, row.task, row.reason);
            job->trialId = row.id;
            queue.push_back(row);
        }
        ebs_->save(*job);
    }
    return queue;
}

void StudyRunner::skip(int64_t trialId, const std::string& why)
{
    for (const TrialRow& row : store_.trials(study_.id))
        if (row.id == trialId && row.status == TrialStatus::Pending) {
            store_.failTrial(trialId, why, 0);
            TrialRow skipped = row;
            skipped.status = TrialStatus::Failed;
            skipped.error = why;
            skipped.seconds = 0;
            replay(skipped);
            return;
        }
    throw ConfigError("trial " + std::to_string(trialId) + " is not a pending trial of study '" + study_.spec.name
                      + "'");
}

std::vector<TrialRow> StudyRunner::step(const WorkControl& control)
{
    const std::vector<TrialRow> queue = propose(control);
    if (evaluators_.size() > 1) {
        size_t handedOut = 0;
        return evaluateOnWorkers(
            [&](size_t idle, const std::vector<TrialRow>&) {
                std::vector<TrialRow> rows;
                while (rows.size() < idle && handedOut < queue.size())
                    rows.push_back(queue[handedOut++]);
                return rows;
            },
            control, {});
    }
    std::vector<TrialRow> finished;
    for (const TrialRow& row : queue) {
        control.checkCancelled();
        const TrialRequest request = requestFor(row);
        WorkControl trialControl;
        trialControl.cancel = control.cancel;
        if (control.progress) // "trial 13 (600 steps): train" 340 of 600
            trialControl.progress = [&control,
                                     prefix = "trial " + std::to_string(row.id) + " (" + request.taskName + "): "](
                                        const Progress& p) { control.report(prefix + p.phase, p.done, p.total); };
        std::string job;
        finished.push_back(finish(
            row,
            [&] {
                job = start(row, *evaluators_.front(), request).job;
                return evaluators_.front()->evaluate(request, trialControl);
            },
            std::chrono::steady_clock::now()));
        finished.back().job = job;
        recordFinalJob(finished.back(), *evaluators_.front());
    }
    return finished;
}

void StudyRunner::run(const WorkControl& control, const std::function<void(const TrialRow&)>& onTrial,
                      const std::function<bool()>& stop)
{
    const auto stopped = [&] { return budgetSpent() || (stop && stop()); };
    if (evaluators_.size() > 1) {
        // Asynchronous: a worker that finishes gets the next proposal at once, made with the trials
        // still running excluded, instead of waiting for the slowest trial of a batch (tasks differ
        // in cost a hundredfold).
        evaluateOnWorkers(
            [&](size_t idle, const std::vector<TrialRow>& inFlight) {
                return stopped() ? std::vector<TrialRow>() : proposeFor(int(idle), inFlight, control);
            },
            control, onTrial);
        return;
    }
    while (!stopped()) {
        control.checkCancelled();
        const std::vector<TrialRow> finished = step(control);
        if (finished.empty())
            break;
        for (const TrialRow& row : finished)
            if (onTrial)
                onTrial(row);
    }
}

} // namespace quantscope
