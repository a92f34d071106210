#include "study/study_service.h"

#include "common/error.h"
#include "study/study_runner.h"
#include "study/study_surrogate.h"
#include "study/study_assets.h"

namespace quantscope {

StudyService::StudyService(const std::string& database, const StudySpec& spec, const WorkerLaunch& launch,
                           RunSettings settings, const WorkControl& control) :
    database_(database),
    store_(std::make_unique<StudyStore>(database))
{
    bool exists = false;
    for (const std::string& name : store_->studyNames())
        exists = exists || name == spec.name;
    auto runSpecOf = [&settings](StudySpec runSpec) {
        if (settings.workers > 0)
            runSpec.workers = settings.workers;
        if (settings.threads >= 0)
            runSpec.threads = settings.threads;
        if (settings.imageCacheMB)
            runSpec.data.folder.cacheMB = *settings.imageCacheMB;
        if (settings.dataWorkers)
            runSpec.data.folder.workers = *settings.dataWorkers;
        runSpec.validate();
        return runSpec;
    };
    // The network and data of a torch study load once, here: its in-process evaluator, export and
    // sensitivity share them.
    auto loadEvaluators = [&](const StudySpec& runSpec) {
        if (runSpec.evaluator == "torch") {
            assets_ = StudyAssets::load(runSpec, control);
            data_ = summarise(assets_->splits);
        }
        evaluators_ = makeTrialEvaluators(runSpec, launch, assets_);
    };
    if (!exists) {
        // Everything that can fail before the study is written: a failure leaves no study behind
        // (and the store removes the file it created).
        spec.validate();
        loadEvaluators(runSpecOf(spec));
        store_->createStudy(assets_ ? assets_->withMeasuredNormalisation(spec) : spec, evaluators_.front()->layers());
    }
    const StoredStudy stored = store_->loadStudy(spec.name);
    if (evaluators_.empty())
        loadEvaluators(runSpecOf(stored.spec));
    runner_ = std::make_unique<StudyRunner>(*store_, stored.spec.name, evaluators_);
}

StudyService::~StudyService() = default;

const StoredStudy& StudyService::study() const
{
    return runner_->study();
}

std::vector<TrialRow> StudyService::trials() const
{
    return store_->trials(study().id);
}

bool StudyService::budgetSpent() const
{
    return runner_->budgetSpent();
}

void StudyService::extendBudget(int trials)
{
    const std::string name = study().spec.name;
    store_->setBudget(name, trials, std::nullopt);
    runner_.reset(); // the runner reads the budget when it opens the study (and holds its lock)
    runner_ = std::make_unique<StudyRunner>(*store_, name, evaluators_);
    runner_->setTrialStarted(trialStarted_);
}

void StudyService::setTrialStarted(std::function<void(const TrialRow&)> started)
{
    trialStarted_ = std::move(started);
    runner_->setTrialStarted(trialStarted_);
}

void StudyService::addUserTrial(const BitConfig& bits, int task)
{
    const StoredStudy& s = study();
    if (task < 0 || task >= int(s.spec.tasks.size()))
        throw ConfigError("task " + std::to_string(task) + " is not a task of this study");
    s.requireFits(bits);
    store_->addPendingTrial(s.id, bits, task, "what-if: asked for by the user");
}

std::vector<TrialRow> StudyService::step(const WorkControl& control)
{
    return runner_->step(control);
}

void StudyService::run(const WorkControl& control, const std::function<void(const TrialRow&)>& onTrial,
                       const std::function<bool()>& stop)
{
    runner_->run(control, onTrial, stop);
}

void StudyService::propose(const WorkControl& control)
{
    runner_->propose(control);
}

void StudyService::skipPending(const std::string& why)
{
    for (const TrialRow& row : trials())
        if (row.status == TrialStatus::Pending)
            runner_->skip(row.id, why);
}

StudySnapshot StudyService::snapshot()
{
    StudySnapshot snapshot;
    snapshot.study = store_->loadStudy(study().spec.name);
    snapshot.trials = store_->trials(snapshot.study.id);
    snapshot.searchJobs = loadEbsSearchJobs(*store_, snapshot.study);
    snapshot.data = data_;
    // One fit for the step: the search's, behind both the acquisition values and the posterior.
    snapshot.results = computeStudyResults(snapshot.study, snapshot.trials, 10, runner_->surrogate(snapshot.trials));
    std::vector<BitConfig> ranked;
    for (const ResultPoint& p : snapshot.results.ranking)
        ranked.push_back(p.bits);
    const std::vector<std::optional<double>> values = runner_->acquisition(ranked);
    for (size_t i = 0; i < values.size(); ++i)
        snapshot.results.ranking[i].acquisition = values[i];
    if (snapshot.results.surrogate) // here, on the session's thread: the view only draws it
        snapshot.results.plane = posteriorPlane(*snapshot.results.surrogate, ranked);
    return snapshot;
}

std::optional<SensitivityReport> StudyService::storedSensitivity() const
{
    if (const auto json = store_->artifact(study().id, "sensitivity"))
        return SensitivityReport::fromJson(*json);
    return std::nullopt;
}

SensitivityReport StudyService::computeSensitivity(const WorkControl& control)
{
    const StoredStudy& s = study();
    if (!assets_)
        throw ConfigError("sensitivity needs a study of a real model (the torch evaluator)");
    SensitivityOptions options;
    options.quant = assets_->quant;
    options.seed = s.spec.seed;
    const SensitivityReport report = quantscope::computeSensitivity(assets_->network, assets_->splits.search,
                                                                    assets_->splits.calibration, options, control);
    store_->saveArtifact(s.id, "sensitivity", report.toJson());
    return report;
}

bitserial::LatencyTable StudyService::latencyTable(const WorkControl& control)
{
    if (!assets_)
        throw ConfigError("latency needs a study of a real model (the torch evaluator)");
    bitserial::LatencyOptions options;
    options.path = bitserial::fastestKernelPath();
    return bitserial::cachedLatencyTable(assets_->network, assets_->splits.calibration, options, false, control);
}

std::string StudyService::exportTo(const StudyExport& request)
{
    const StoredStudy s = store_->loadStudy(study().spec.name);
    return exportStudy(s, store_->trials(s.id), request, assets_);
}

} // namespace quantscope
