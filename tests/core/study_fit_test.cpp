// One GP fit per study step (issue 14): the search's fit serves the acquisition values and the
// results' posterior, so the views never show values from one model beside means from another.
#include "gp/mtgp_fit.h"
#include "gp/multitask_gp.h"
#include "study/study_results.h"
#include "study/study_runner.h"
#include "study/study_store.h"
#include "study/study_surrogate.h"
#include "study/synthetic_trial_evaluator.h"
#include "temp_dir.h"

#include <gtest/gtest.h>

namespace quantscope {
namespace {

/// Runs a synthetic study to its budget the way the workbench does (step, then results and
/// acquisition values for the views) and returns how many steps had a fitted posterior; every step
/// must fit exactly once.
int checkOneFitPerStep(const std::string& strategy)
{
    test::TempDir dir;
    StudySpec spec = StudySpec::synthetic();
    spec.name = "fits";
    spec.strategy = strategy;
    spec.budgetTrials = 14;
    SyntheticTrialEvaluator evaluator(spec);
    StudyStore store(dir.file("fits.db"));
    const int64_t id = store.createStudy(spec, evaluator.layers());
    StudyRunner runner(store, spec.name, evaluator);
    int fittedSteps = 0;
    while (!runner.budgetSpent()) {
        const uint64_t before = fitMtgpCalls();
        runner.step();
        const std::vector<TrialRow> trials = store.trials(id);
        const std::shared_ptr<const StudySurrogate> surrogate = runner.surrogate(trials);
        const StudyResults results = computeStudyResults(store.loadStudy(spec.name), trials, 10, surrogate);
        std::vector<BitConfig> ranked;
        for (const ResultPoint& p : results.ranking)
            ranked.push_back(p.bits);
        runner.acquisition(ranked);
        const uint64_t fits = fitMtgpCalls() - before;
        EXPECT_EQ(results.surrogate, surrogate);
        if (!surrogate->fitted()) {
            EXPECT_EQ(fits, 0u) << strategy << ", " << trials.size() << " trials";
            continue;
        }
        ++fittedSteps;
        EXPECT_EQ(fits, 1u) << strategy << ", " << trials.size() << " trials";
        const MultiTaskGP* searchModel = runner.loop().model();
        if (searchModel && runner.loop().fitReport()) { // the search's own model: the same fit
            EXPECT_TRUE(surrogate->gp()->hyperparameters().taskCorrelation().isApprox(
                searchModel->hyperparameters().taskCorrelation()))
                << strategy;
            EXPECT_EQ(surrogate->gp()->data().size(), searchModel->data().size());
        }
    }
    return fittedSteps;
}

TEST(StudyFit, OneFitPerStepServesTheSearchAndTheViews)
{
    EXPECT_GE(checkOneFitPerStep("ehvi"), 8);
    EXPECT_GE(checkOneFitPerStep("nuq"), 8);
}

TEST(StudyFit, ModelFreeStrategiesFitOncePerStepForTheViews)
{
    EXPECT_GE(checkOneFitPerStep("random"), 8);
}

} // namespace
} // namespace quantscope
