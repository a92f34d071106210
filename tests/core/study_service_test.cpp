// The study service (issue 14): what the workbench and `study run` both drive.
#include "common/error.h"
#include "study/study_runner.h"
#include "study/study_service.h"
#include "study/study_surrogate.h"
#include "temp_dir.h"

#include <gtest/gtest.h>

#include <filesystem>

namespace quantscope {
namespace {

StudySpec serviceSpec()
{
    StudySpec spec = StudySpec::synthetic();
    spec.name = "service";
    spec.budgetTrials = 12;
    return spec;
}

TEST(StudyService, OpensOrCreatesAndServesEveryOperation)
{
    test::TempDir dir;
    const std::string db = dir.file("s.db");
    {
        StudyService service(db, serviceSpec(), {});
        EXPECT_EQ(service.study().spec.name, "service");
        while (!service.budgetSpent())
            service.step();
        const StudySnapshot snapshot = service.snapshot();
        EXPECT_EQ(snapshot.trials.size(), 12u);
        ASSERT_TRUE(snapshot.results.hasSurrogate);
        int withAcquisition = 0;
        for (const ResultPoint& p : snapshot.results.ranking)
            withAcquisition += p.acquisition.has_value();
        EXPECT_GT(withAcquisition, 0); // the strategy's values, from the snapshot's fit
        // The posterior view's maps come with it, computed here: every task, the whole plane, a
        // slice through the best-ranked configuration, each cell the surrogate's own prediction.
        const PosteriorPlane& plane = snapshot.results.plane;
        const StudySurrogate& surrogate = *snapshot.results.surrogate;
        ASSERT_EQ(plane.median.size(), size_t(surrogate.taskCount()));
        ASSERT_EQ(plane.sd.size(), plane.median.size());
        const int cells = PosteriorPlane::kSide * PosteriorPlane::kSide;
        EXPECT_EQ(plane.median.back().size(), cells);
        ASSERT_TRUE(plane.slicedAt);
        EXPECT_EQ(*plane.slicedAt, snapshot.results.ranking.front().bits);
        const int i = 7, j = 33, task = surrogate.taskCount() - 1;
        Eigen::MatrixXd input = plane.base.transpose();
        input(0, 0) = PosteriorPlane::coordinate(i);
        input(0, 1) = PosteriorPlane::coordinate(j);
        Eigen::VectorXd median, sd;
        surrogate.predict(input, task, median, sd);
        EXPECT_DOUBLE_EQ(plane.median[size_t(task)][i * PosteriorPlane::kSide + j], median[0]);
        EXPECT_DOUBLE_EQ(plane.sd[size_t(task)][i * PosteriorPlane::kSide + j], sd[0]);

        EXPECT_THROW(service.addUserTrial(BitConfig::uniform(4, service.study().layers.size()), 9), ConfigError);
        service.extendBudget(13);
        service.addUserTrial(BitConfig::uniform(4, service.study().layers.size()), 0);
        EXPECT_EQ(service.step().size(), 1u);
        EXPECT_EQ(service.trials().back().bits, BitConfig::uniform(4, service.study().layers.size()));
        EXPECT_THROW(service.computeSensitivity(), ConfigError); // synthetic: no network
        EXPECT_FALSE(service.storedSensitivity());
    }
    // Reopened by name: the stored definition wins over the spec given.
    StudySpec other = serviceSpec();
    other.strategy = "random";
    StudyService again(db, other, {});
    EXPECT_EQ(again.study().spec.strategy, serviceSpec().strategy);
    EXPECT_EQ(again.trials().size(), 13u);
}

TEST(StudyService, AFailedCreateLeavesNoFile)
{
    test::TempDir dir;
    StudySpec spec = serviceSpec();
    spec.workers = 2; // parallel workers need the quantscope-cli program, not given here
    EXPECT_THROW(StudyService(dir.file("s.db"), spec, {}), ConfigError);
    EXPECT_FALSE(std::filesystem::exists(dir.file("s.db")));
}

} // namespace
} // namespace quantscope
