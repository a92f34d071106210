#include "study/study_runner.h"

#include "common/error.h"
#include "search/candidates.h"
#include "search/strategies.h"
#include "study/study_results.h"

#include <chrono>

namespace quantscope {

StudyRunner::StudyRunner(StudyStore& store, const std::string& studyName, TrialEvaluator& evaluator) :
    store_(store), evaluator_(evaluator), study_(store.loadStudy(studyName))
{
    lock_ = std::make_unique<StudyStore::RunLock>(store_, study_.id);
    const StudySpec& spec = study_.spec;
    for (const LayerInfo& layer : study_.layers)
        layerNames_.push_back(layer.name);
    encoding_ = makeEncoding(spec.encoding, study_.layers.size());
    strategy_ = makeStrategy(spec.strategy);

    CandidatePool pool(*encoding_);
    std::mt19937_64 rng(spec.seed);
    if (encoding_->name() == "per-layer") {
        fillHalton(pool, 2000, 1, 8);
    } else {
        fillGrid(pool, encoding_->dim() <= 2 ? 33 : encoding_->dim() == 3 ? 17 : 9);
    }
    SearchLoopOptions options;
    for (const StudyTask& task : spec.tasks)
        options.defaultTaskCosts.push_back(task.cost);
    options.effectiveK = spec.effectiveK;
    options.seed = spec.seed;
    options.fit.restarts = 2;
    const int target = int(spec.tasks.size()) - 1;
    if (strategy_->multiTask())
        options.initialDesign = {{0, 5}, {target, 1}};
    else if (strategy_->usesModel())
        options.initialDesign = {{target, 3}};
    if (encoding_->name() == "per-layer" && strategy_->usesModel()) {
        options.paretoMutations = 2;
        const StoredStudy& study = study_;
        options.costOf = [&study](const BitConfig& bits) { return studyMemoryMB(study, bits); };
    }
    loop_ = std::make_unique<SearchLoop>(std::move(pool), *strategy_, int(spec.tasks.size()), options);

    store_.requeueRunning(study_.id);
    for (const TrialRow& row : store_.trials(study_.id))
        replay(row);
}

StudyRunner::~StudyRunner() = default;

void StudyRunner::replay(const TrialRow& row)
{
    if (row.status != TrialStatus::Done && row.status != TrialStatus::Failed)
        return;
    const BitConfig bits = BitConfig::parse(row.config, layerNames_);
    const size_t candidate = loop_->addCandidate(bits);
    spent_ += row.seconds.value_or(0);
    if (row.status == TrialStatus::Done) {
        loop_->record(Proposal{candidate, row.task, 0, row.reason}, Evaluation{*row.accuracy, row.seconds.value_or(0)});
        ++completed_;
    } else {
        loop_->exclude(candidate, row.task);
    }
}

bool StudyRunner::budgetSpent() const
{
    const StudySpec& spec = study_.spec;
    return (spec.budgetTrials && completed_ >= *spec.budgetTrials) || (spec.budgetCost && spent_ >= *spec.budgetCost);
}

TrialRow StudyRunner::evaluate(const TrialRow& pending, const WorkControl& control)
{
    const StudySpec& spec = study_.spec;
    TrialRequest request;
    request.trialId = pending.id;
    request.study = spec.name;
    request.layerNames = layerNames_;
    request.bits = BitConfig::parse(pending.config, layerNames_);
    request.task = pending.task;
    request.taskName = spec.tasks.at(size_t(pending.task)).name;
    request.steps = spec.tasks.at(size_t(pending.task)).steps;
    request.seed = spec.seed + uint64_t(pending.id);

    store_.markRunning(pending.id);
    const auto start = std::chrono::steady_clock::now();
    TrialRow finished = pending;
    try {
        const TrialResult result = evaluator_.evaluate(request, control);
        store_.completeTrial(pending.id, result);
        finished.status = TrialStatus::Done;
        finished.accuracy = result.accuracy;
        finished.memoryMB = result.memoryMB;
        finished.bops = result.bops;
        finished.seconds = result.seconds;
    } catch (const EvaluationFailed& e) {
        const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        store_.failTrial(pending.id, e.what(), seconds);
        finished.status = TrialStatus::Failed;
        finished.error = e.what();
        finished.seconds = seconds;
    } catch (const Cancelled&) {
        store_.requeueRunning(study_.id);
        throw;
    }
    replay(finished);
    return finished;
}

std::vector<TrialRow> StudyRunner::step(const WorkControl& control)
{
    std::vector<TrialRow> queue;
    for (const TrialRow& row : store_.trials(study_.id))
        if (row.status == TrialStatus::Pending)
            queue.push_back(row);
    if (queue.empty()) {
        if (budgetSpent())
            return {};
        int q = study_.spec.batch;
        if (study_.spec.budgetTrials)
            q = std::min(q, *study_.spec.budgetTrials - completed_);
        for (const Proposal& p : loop_->propose(std::max(q, 1))) {
            TrialRow row;
            row.config = loop_->pool().bits(p.candidate).toString();
            row.task = p.task;
            row.reason = p.reason;
            row.id = store_.addPendingTrial(study_.id, row.config, row.task, row.reason);
            queue.push_back(row);
        }
    }
    std::vector<TrialRow> finished;
    for (const TrialRow& row : queue) {
        control.checkCancelled();
        finished.push_back(evaluate(row, control));
    }
    return finished;
}

void StudyRunner::run(const WorkControl& control, const std::function<void(const TrialRow&)>& onTrial)
{
    while (!budgetSpent()) {
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
