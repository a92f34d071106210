// Persistent parallel workers (issue 14): one `study evaluate --serve` process per worker serves
// every trial with the results the in-process evaluator gives, and a worker that dies, hangs or is
// cancelled fails only its trial and is started again.
#include "common/error.h"
#include "study/study_store.h"
#include "study/synthetic_trial_evaluator.h"
#include "study/worker_trial_evaluator.h"
#include "temp_dir.h"

#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <thread>

namespace quantscope {
namespace {

TrialRequest requestFor(const std::vector<LayerInfo>& layers, const std::string& bits, int task, int64_t steps)
{
    TrialRequest request;
    request.trialId = 1;
    request.study = "w";
    for (const LayerInfo& l : layers)
        request.layerNames.push_back(l.name);
    request.bits = BitConfig::parse(bits, request.layerNames);
    request.task = task;
    request.steps = steps;
    return request;
}

std::string failureOf(WorkerTrialEvaluator& worker, const TrialRequest& request, const WorkControl& control = {})
{
    try {
        worker.evaluate(request, control);
    } catch (const EvaluationFailed& e) {
        return e.what();
    }
    return "no failure";
}

TEST(WorkerEvaluator, OneServedProcessGivesTheInProcessResults)
{
    test::TempDir dir;
    StudySpec spec = StudySpec::synthetic();
    spec.name = "w";
    spec.budgetTrials = 10;
    SyntheticTrialEvaluator local(spec);
    StudyStore(dir.file("w.db")).createStudy(spec, local.layers());
    WorkerTrialEvaluator worker(
        {QUANTSCOPE_CLI, "study", "evaluate", "--serve", "--db", dir.file("w.db"), "--name", "w"}, 60, local.layers());
    for (const auto& [bits, task] :
         std::vector<std::pair<std::string, int>>{{"8", 0}, {"2,3,4,5,6,7,8,2,3", 3}, {"4", 1}}) {
        const TrialRequest request = requestFor(local.layers(), bits, task, spec.tasks[size_t(task)].steps);
        const TrialResult served = worker.evaluate(request, {});
        const TrialResult inProcess = local.evaluate(request, {});
        EXPECT_DOUBLE_EQ(served.accuracy, inProcess.accuracy) << bits;
        EXPECT_DOUBLE_EQ(served.memoryMB, inProcess.memoryMB) << bits;
    }
    EXPECT_EQ(worker.workerStarts(), 1); // start-up paid once
    // A request the worker refuses fails that trial only; the same process serves the next.
    TrialRequest wrongStudy = requestFor(local.layers(), "8", 0, 0);
    wrongStudy.layerNames.pop_back();
    wrongStudy.bits = BitConfig::parse("8", wrongStudy.layerNames);
    EXPECT_EQ(failureOf(worker, wrongStudy),
              "trial request: \"config\": bit configuration has 8 entries but the network has 9 quantizable layers");
    EXPECT_NO_THROW(worker.evaluate(requestFor(local.layers(), "6", 0, 0), {}));
    EXPECT_EQ(worker.workerStarts(), 1);
}

// A stand-in worker: answers the first request, then prints a reason and exits with status 3.
std::vector<std::string> oneShotWorker()
{
    return {
        "sh", "-c",
        R"(read line; echo '{"accuracy": 50, "memory_mb": 1, "bops": 1}'; read line; echo "out of memory" >&2; exit 3)"};
}

TEST(WorkerEvaluator, ADeadWorkerFailsItsTrialAndIsStartedAgain)
{
    const std::vector<LayerInfo> layers = SyntheticTrialEvaluator(StudySpec::synthetic()).layers();
    const TrialRequest request = requestFor(layers, "8", 0, 0);
    WorkerTrialEvaluator worker(oneShotWorker(), 10, layers);
    EXPECT_DOUBLE_EQ(worker.evaluate(request, {}).accuracy, 50);
    EXPECT_EQ(failureOf(worker, request), "worker exited with status 3: out of memory");
    EXPECT_DOUBLE_EQ(worker.evaluate(request, {}).accuracy, 50);
    EXPECT_EQ(worker.workerStarts(), 2);

    WorkerTrialEvaluator missing({"/nonexistent/quantscope-cli"}, 10, layers);
    EXPECT_EQ(failureOf(missing, request), "worker could not be started (/nonexistent/quantscope-cli not found)");
}

TEST(WorkerEvaluator, AHungWorkerTimesOutAndIsStoppedWithWhatItStarted)
{
    test::TempDir dir;
    const std::vector<LayerInfo> layers = SyntheticTrialEvaluator(StudySpec::synthetic()).layers();
    const std::string pidFile = dir.file("grandchild.pid");
    // The worker starts a grandchild that would outlive it, then never answers.
    WorkerTrialEvaluator worker({"sh", "-c", "sleep 60 & echo $! > " + pidFile + "; read line; sleep 60"}, 0.5, layers);
    const auto start = std::chrono::steady_clock::now();
    EXPECT_EQ(failureOf(worker, requestFor(layers, "8", 0, 0)), "worker timed out after 0.5 s");
    EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(), 5);
    std::ifstream in(pidFile);
    pid_t grandchild = 0;
    ASSERT_TRUE(in >> grandchild);
    // Gone, or a zombie waiting for whoever inherited it (kill(pid, 0) succeeds on zombies).
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    std::ifstream stat("/proc/" + std::to_string(grandchild) + "/stat");
    std::string pid, name, state;
    if (stat >> pid >> name >> state) {
        EXPECT_EQ(state, "Z") << "the worker's own child kept running";
    }
}

TEST(WorkerEvaluator, CancelStopsTheWorkerAtOnce)
{
    const std::vector<LayerInfo> layers = SyntheticTrialEvaluator(StudySpec::synthetic()).layers();
    WorkerTrialEvaluator worker({"sh", "-c", "read line; sleep 60"}, 60, layers);
    CancelToken cancel;
    WorkControl control;
    control.cancel = &cancel;
    std::thread canceller([&] {
        std::this_thread::sleep_for(std::chrono::milliseconds(300));
        cancel.cancel();
    });
    const auto start = std::chrono::steady_clock::now();
    EXPECT_THROW(worker.evaluate(requestFor(layers, "8", 0, 0), control), Cancelled);
    EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(), 5);
    canceller.join();
}

} // namespace
} // namespace quantscope
