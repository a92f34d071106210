// The ebs strategy's search jobs drawn (issue 18): each layer's expected width over the job's steps,
// the job's budget, result and cost, and what its trial measured.
#include "search_job_view.h"

#include <gtest/gtest.h>

namespace quantscope {
namespace {

StoredStudy threeLayerStudy(const std::string& strategy)
{
    StoredStudy study;
    study.spec = StudySpec::defaults();
    study.spec.strategy = strategy;
    study.spec.ebs.candidates = {2, 4, 8};
    study.layers.resize(3);
    study.layers[0].name = "conv0";
    study.layers[1].name = "conv1";
    study.layers[2].name = "fc";
    return study;
}

EbsSearchJob job(const StoredStudy& study)
{
    EbsSearchJob j;
    j.index = 1;
    j.budgetMB = 0.25;
    j.bits = study.parseConfig("8,4,2");
    j.memoryMB = 0.2481;
    j.lambda = 0.42;
    j.steps = 20;
    j.seconds = 12.5;
    j.trialId = 7;
    for (int64_t step : {0, 10, 20}) {
        EbsSnapshot s;
        s.step = step;
        const double moved = step / 20.0 * 0.6; // from equal strengths to a clear preference
        s.weight = {{(1 - moved) / 3, (1 - moved) / 3, (1 - moved) / 3 + moved},
                    {(1 - moved) / 3, (1 - moved) / 3 + moved, (1 - moved) / 3},
                    {(1 - moved) / 3 + moved, (1 - moved) / 3, (1 - moved) / 3}};
        s.activation = s.weight;
        j.history.push_back(s);
    }
    return j;
}

TEST(SearchJobView, DrawsEachLayersExpectedWidthOverTheJob)
{
    const StoredStudy study = threeLayerStudy("ebs");
    SearchJobView view;
    view.setStudy(study);
    EXPECT_EQ(view.curves(), 0);
    EXPECT_NE(view.summary().indexOf(QStringLiteral("No search job has finished yet")), -1);

    TrialRow trial;
    trial.id = 7;
    trial.task = study.spec.targetTask();
    trial.status = TrialStatus::Done;
    trial.accuracy = 91.25;
    view.setData({job(study)}, {trial});
    EXPECT_EQ(view.curves(), 3);
    EXPECT_EQ(view.pointsPerCurve(), 3);
    const std::string summary = view.summary().toStdString();
    EXPECT_NE(summary.find("at most 0.25 MB: 20 steps in 12.5 s"), std::string::npos) << summary;
    EXPECT_NE(summary.find("Found 8,4,2, 0.2481 MB; trial 7 measured 91.25 % top-1 on 600 steps"), std::string::npos)
        << summary;
    // Equal strengths expect (2 + 4 + 8) / 3 bits; at the end conv0 leans to 8: 0.4 / 3 * 14 + 0.6 * 8.
    const QString csv = view.csv();
    EXPECT_NE(csv.indexOf(QStringLiteral("0,conv0,4.6667")), -1) << csv.toStdString();
    EXPECT_NE(csv.indexOf(QStringLiteral("20,conv0,6.6667")), -1) << csv.toStdString();
    EXPECT_NE(csv.indexOf(QStringLiteral("20,fc,3.0667")), -1) << csv.toStdString();
}

TEST(SearchJobView, SaysWhenTheStrategyRunsNoSearchJobs)
{
    SearchJobView view;
    view.setStudy(threeLayerStudy("nuq"));
    EXPECT_EQ(view.curves(), 0);
    EXPECT_NE(view.summary().indexOf(QStringLiteral("(nuq) runs no search jobs")), -1);
}

} // namespace
} // namespace quantscope
