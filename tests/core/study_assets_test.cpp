// A torch study's network and data load once (issue 14, item 3): the service's in-process
// evaluator, sensitivity and export share one StudyAssets, and with parallel workers the service
// still has them for sensitivity and export.
#include "common/error.h"
#include "study/study_assets.h"
#include "study/study_service.h"
#include "study/torch_trial_evaluator.h"
#include "temp_dir.h"

#include <gtest/gtest.h>

#include <filesystem>

namespace quantscope {
namespace {

StudySpec smallTorchStudy(int workers)
{
    StudySpec spec = StudySpec::defaults();
    spec.name = "assets";
    spec.data.limit = 64;
    spec.tasks = {{"quantize only", 0, 1}, {"5 steps", 5, 2}};
    spec.budgetTrials = 2;
    spec.workers = workers;
    spec.threads = 1;
    return spec;
}

TEST(StudyAssets, AreTheSpecsNetworkAndSplits)
{
    const StudySpec spec = smallTorchStudy(1);
    const auto assets = StudyAssets::load(spec);
    EXPECT_EQ(assets->splits.search.size(), 64u);
    EXPECT_EQ(assets->splits.train->size(), 64u);
    TorchTrialEvaluator evaluator(spec, assets);
    EXPECT_EQ(evaluator.layers().size(), assets->network.layers().size());

    StudySpec synthetic = StudySpec::synthetic();
    EXPECT_THROW(StudyAssets::load(synthetic), ConfigError);
    StudySpec missing = spec;
    missing.model = "/nonexistent/model.pt";
    EXPECT_ANY_THROW(StudyAssets::load(missing));
}

TEST(StudyService, ParallelWorkersStillServeSensitivityAndExport)
{
    test::TempDir dir;
    StudyService service(dir.file("s.db"), smallTorchStudy(2), WorkerLaunch{QUANTSCOPE_CLI, dir.file("s.db")});
    while (!service.budgetSpent())
        service.step();
    EXPECT_EQ(service.trials().size(), 2u);
    const SensitivityReport report = service.computeSensitivity();
    EXPECT_EQ(report.layers.size(), service.study().layers.size());
    ASSERT_TRUE(service.storedSensitivity());

    StudyExport request;
    request.format = "torchscript";
    request.weights = "quantized";
    request.bits = service.study().parseConfig("4");
    request.path = dir.file("model.pt");
    service.exportTo(request);
    EXPECT_TRUE(std::filesystem::exists(request.path));
}

} // namespace
} // namespace quantscope
