// The "ebs" study strategy (issue 18, item 2): search jobs on the study's network whose
// configurations the study evaluates on its target task, their time counted in the study's cost,
// stored with the strengths' history, resumed and cancelled like any long job.
#include "common/error.h"
#include "search/strategies.h"
#include "study/ebs_sweep.h"
#include "study/study_results.h"
#include "study/study_runner.h"
#include "study/study_service.h"
#include "temp_dir.h"

#include <gtest/gtest.h>

namespace quantscope {
namespace {

StudySpec ebsStudy()
{
    StudySpec spec = StudySpec::defaults();
    spec.name = "ebs";
    spec.strategy = "ebs";
    spec.data.limit = 64;
    spec.threads = 1;
    spec.tasks = {{"quantize only", 0, 1}, {"5 steps", 5, 2}};
    spec.measureBaselines = false;
    spec.budgetTrials = 2;
    spec.ebs.steps = 3;
    return spec;
}

double spentInTrials(const std::vector<TrialRow>& trials)
{
    double seconds = 0;
    for (const TrialRow& t : trials)
        seconds += t.seconds.value_or(0);
    return seconds;
}

TEST(EbsStudy, SpecNeedsATrainableNetworkAndRoundTrips)
{
    StudySpec spec = ebsStudy();
    spec.ebs.budgets = {0.25, 0.3};
    spec.ebs.candidates = {2, 4, 8};
    const StudySpec read = StudySpec::fromJson(spec.toJson());
    EXPECT_EQ(read.strategy, "ebs");
    EXPECT_EQ(read.ebs.budgets, spec.ebs.budgets);
    EXPECT_EQ(read.ebs.candidates, spec.ebs.candidates);
    EXPECT_EQ(read.ebs.steps, 3);

    StudySpec synthetic = StudySpec::synthetic();
    synthetic.strategy = "ebs";
    EXPECT_THROW(synthetic.validate(), ConfigError) << "no network to train";
    StudySpec bad = ebsStudy();
    bad.ebs.budgets = {0.2, -1};
    EXPECT_THROW(bad.validate(), ConfigError);
    bad = ebsStudy();
    bad.ebs.candidates = {4, 2};
    EXPECT_THROW(bad.validate(), ConfigError);
    bad.ebs.candidates = {0, 2};
    EXPECT_THROW(bad.validate(), ConfigError);
    bad = ebsStudy();
    bad.ebs.steps = 0;
    EXPECT_THROW(bad.validate(), ConfigError);
    // The search loop itself has nothing to propose for it.
    EXPECT_EQ(makeStrategy("ebs")->name(), "ebs");
}

TEST(EbsStudy, SearchJobsProposeTargetTrialsAndTheirTimeCounts)
{
    test::TempDir dir;
    const std::string db = dir.file("s.db");
    StudySpec spec = ebsStudy();
    spec.measureBaselines = true; // measured first, then the search jobs
    spec.budgetTrials = 6;
    {
        StudyService service(db, spec, {});
        service.run({}, {});
        std::vector<TrialRow> trials = service.trials();
        ASSERT_EQ(trials.size(), 6u);
        for (size_t i = 0; i < 4; ++i)
            EXPECT_EQ(trials[i].reason, "measured baseline");
        const std::vector<TrialRow> baselines(trials.begin(), trials.begin() + 4);
        trials.erase(trials.begin(), trials.begin() + 4);
        StudyStore store = StudyStore::openForReading(db);
        const std::vector<EbsSearchJob> jobs = loadEbsSearchJobs(store, service.study());
        ASSERT_EQ(jobs.size(), 2u);
        // The automatic budgets: half-way, then a quarter of the way up the candidates' memory range.
        const StoredStudy& study = service.study();
        const size_t layers = study.layers.size();
        const double low = studyMemoryMB(study, BitConfig::uniform(1, layers));
        const double high = studyMemoryMB(study, BitConfig::uniform(8, layers));
        EXPECT_NEAR(jobs[0].budgetMB, low + 0.5 * (high - low), 1e-9);
        EXPECT_NEAR(jobs[1].budgetMB, low + 0.25 * (high - low), 1e-9);
        for (size_t i = 0; i < jobs.size(); ++i) {
            EXPECT_LE(jobs[i].memoryMB, jobs[i].budgetMB + 1e-9);
            EXPECT_GT(jobs[i].seconds, 0);
            EXPECT_FALSE(jobs[i].history.empty()) << "the strengths' evolution is stored";
            EXPECT_EQ(jobs[i].history.front().weight.size(), layers);
            EXPECT_EQ(jobs[i].trialId, trials[i].id);
            EXPECT_EQ(trials[i].bits, jobs[i].bits);
            EXPECT_EQ(trials[i].task, study.spec.targetTask());
            EXPECT_EQ(trials[i].status, TrialStatus::Done);
            EXPECT_EQ(trials[i].reason, ebsJobLabel(jobs[i]));
        }
        EXPECT_NEAR(service.runner().spentCost(),
                    spentInTrials(baselines) + spentInTrials(trials) + ebsSearchSeconds(jobs), 1e-6);
    }
    // Resumed: the jobs' time still counts, and a larger budget runs the next budget's job.
    StudyService service(db, spec, {});
    EXPECT_GT(service.runner().spentCost(), spentInTrials(service.trials()));
    service.extendBudget(7);
    service.step();
    StudyStore store = StudyStore::openForReading(db);
    const std::vector<EbsSearchJob> jobs = loadEbsSearchJobs(store, service.study());
    ASSERT_GE(jobs.size(), 3u);
    EXPECT_EQ(service.trials().size(), 7u);
}

TEST(EbsStudy, ListedBudgetsEndTheSweepAndACancelledJobLeavesNothing)
{
    test::TempDir dir;
    StudySpec spec = ebsStudy();
    spec.ebs.budgets = {0.3};
    spec.budgetTrials = 5;
    StudyService service(dir.file("s.db"), spec, {});

    CancelToken cancel;
    WorkControl control;
    control.cancel = &cancel;
    std::string phase;
    std::optional<std::string> runningSeen; // what `study status` in another process reads meanwhile
    control.progress = [&](const Progress& p) {
        if (p.phase.rfind("EBS search 1, budget 0.3 MB", 0) == 0) {
            phase = p.phase;
            StudyStore reader = StudyStore::openForReading(dir.file("s.db"));
            runningSeen = runningEbsSearchJob(reader, reader.loadStudy(spec.name));
            cancel.cancel();
        }
    };
    EXPECT_THROW(service.run(control, {}), Cancelled);
    EXPECT_EQ(runningSeen, phase);
    EXPECT_TRUE(service.trials().empty());
    StudyStore store = StudyStore::openForReading(dir.file("s.db"));
    EXPECT_TRUE(loadEbsSearchJobs(store, service.study()).empty());
    EXPECT_EQ(runningEbsSearchJob(store, service.study()), std::nullopt);

    service.run({}, {}); // one listed budget: one job, one trial, then the run ends short of 5 trials
    ASSERT_EQ(service.trials().size(), 1u);
    const std::vector<EbsSearchJob> jobs = loadEbsSearchJobs(store, service.study());
    ASSERT_EQ(jobs.size(), 1u);
    EXPECT_LE(jobs[0].memoryMB, 0.3);
    EXPECT_TRUE(service.step().empty());
}

} // namespace
} // namespace quantscope
