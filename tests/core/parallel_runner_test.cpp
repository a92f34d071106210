// StudyRunner with several evaluators: a step's batch is evaluated at once, failures and
// cancellation behave as in sequential runs, and the store stays consistent.
#include "common/error.h"
#include "study/study_runner.h"
#include "study/study_store.h"
#include "study/synthetic_trial_evaluator.h"
#include "temp_dir.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <set>
#include <thread>

namespace quantscope {
namespace {

StudySpec parallelSpec(int budget, int batch)
{
    StudySpec spec = StudySpec::synthetic();
    spec.name = "parallel";
    spec.budgetTrials = budget;
    spec.batch = batch;
    return spec;
}

/// Wraps the synthetic evaluator: sleeps, counts how many evaluations overlap, can fail or wait
/// for cancellation.
class SlowEvaluator final : public TrialEvaluator {
public:
    SlowEvaluator(const StudySpec& spec, std::atomic<int>& active, std::atomic<int>& peak) :
        inner_(spec), active_(active), peak_(peak)
    {
    }
    std::vector<LayerInfo> layers() const override { return inner_.layers(); }
    TrialResult evaluate(const TrialRequest& request, const WorkControl& control) override
    {
        const int now = ++active_;
        for (int seen = peak_.load(); now > seen && !peak_.compare_exchange_weak(seen, now);) {}
        struct Leave {
            std::atomic<int>& active;
            ~Leave() { --active; }
        } leave{active_};
        for (int i = 0; i < 15; ++i) {
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
            control.checkCancelled();
        }
        if (fail)
            throw EvaluationFailed("device unplugged");
        return inner_.evaluate(request, control);
    }
    bool fail = false;

private:
    SyntheticTrialEvaluator inner_;
    std::atomic<int>& active_;
    std::atomic<int>& peak_;
};

struct Pool {
    Pool(const StudySpec& spec, int n)
    {
        for (int i = 0; i < n; ++i)
            owned.push_back(std::make_unique<SlowEvaluator>(spec, active, peak));
        for (auto& e : owned)
            pointers.push_back(e.get());
    }
    std::atomic<int> active{0}, peak{0};
    std::vector<std::unique_ptr<SlowEvaluator>> owned;
    std::vector<TrialEvaluator*> pointers;
};

TEST(ParallelRunner, EvaluatesOneTrialPerEvaluatorAtOnce)
{
    test::TempDir dir;
    StudyStore store(dir.file("p.db"));
    const StudySpec spec = parallelSpec(9, 1); // batch 1: the runner still proposes one per evaluator
    Pool pool(spec, 3);
    store.createStudy(spec, pool.owned.front()->layers());
    StudyRunner runner(store, "parallel", pool.pointers);
    runner.run();
    EXPECT_EQ(pool.peak.load(), 3);
    const std::vector<TrialRow> trials = store.trials(store.loadStudy("parallel").id);
    ASSERT_EQ(trials.size(), 9u);
    std::set<std::pair<std::string, int>> pairs;
    for (const TrialRow& t : trials) {
        EXPECT_EQ(t.status, TrialStatus::Done);
        pairs.insert({t.bits.toString(), t.task});
    }
    EXPECT_EQ(pairs.size(), 9u);
    EXPECT_EQ(runner.completedTrials(), 9);
}

/// Evaluations whose cost depends on the task, as fine-tuning budgets do: the first target-task
/// evaluation lasts until two other evaluations have finished meanwhile (at most 10 s), the rest
/// take 20 ms. With lock-step batches the other worker would idle instead, and it times out.
class SlowTargetEvaluator final : public TrialEvaluator {
public:
    struct Shared {
        std::mutex mutex;
        std::condition_variable finishedOne;
        int finished = 0;
        bool longOneStarted = false;
        bool othersFinishedDuringIt = false;
    };
    SlowTargetEvaluator(const StudySpec& spec, Shared& shared) :
        inner_(spec), target_(spec.targetTask()), shared_(shared)
    {
    }
    std::vector<LayerInfo> layers() const override { return inner_.layers(); }
    TrialResult evaluate(const TrialRequest& request, const WorkControl& control) override
    {
        std::unique_lock<std::mutex> lock(shared_.mutex);
        if (request.task == target_ && !shared_.longOneStarted) {
            shared_.longOneStarted = true;
            const int before = shared_.finished;
            shared_.othersFinishedDuringIt = shared_.finishedOne.wait_for(
                lock, std::chrono::seconds(10), [&] { return shared_.finished >= before + 2; });
        } else {
            lock.unlock();
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
            lock.lock();
        }
        ++shared_.finished;
        shared_.finishedOne.notify_all();
        lock.unlock();
        return inner_.evaluate(request, control);
    }

private:
    SyntheticTrialEvaluator inner_;
    int target_;
    Shared& shared_;
};

// A run does not wait for a batch's slowest trial: a worker that finishes gets the next proposal
// while the other still fine-tunes for the target task, and what is running is not proposed again.
TEST(ParallelRunner, AWorkerThatFinishesGetsTheNextTrialAtOnce)
{
    test::TempDir dir;
    StudyStore store(dir.file("p.db"));
    const StudySpec spec = parallelSpec(14, 1);
    SlowTargetEvaluator::Shared shared;
    SlowTargetEvaluator first(spec, shared), second(spec, shared);
    store.createStudy(spec, first.layers());
    StudyRunner runner(store, "parallel", std::vector<TrialEvaluator*>{&first, &second});
    runner.run();
    ASSERT_TRUE(shared.longOneStarted);
    EXPECT_TRUE(shared.othersFinishedDuringIt);
    std::set<std::pair<std::string, int>> pairs;
    for (const TrialRow& t : store.trials(store.loadStudy("parallel").id))
        pairs.insert({t.bits.toString(), t.task});
    EXPECT_EQ(pairs.size(), 14u);
}

TEST(ParallelRunner, AFailingWorkerFailsItsTrialOnly)
{
    test::TempDir dir;
    StudyStore store(dir.file("p.db"));
    const StudySpec spec = parallelSpec(6, 2);
    Pool pool(spec, 2);
    pool.owned[1]->fail = true;
    store.createStudy(spec, pool.owned.front()->layers());
    StudyRunner runner(store, "parallel", pool.pointers);
    const std::vector<TrialRow> finished = runner.step();
    ASSERT_EQ(finished.size(), 2u);
    int failed = 0;
    for (const TrialRow& t : finished)
        if (t.status == TrialStatus::Failed) {
            ++failed;
            EXPECT_EQ(t.error, "device unplugged");
        }
    EXPECT_EQ(failed, 1);
    EXPECT_EQ(runner.completedTrials(), 1);
}

TEST(ParallelRunner, CancelRequeuesEveryRunningTrial)
{
    test::TempDir dir;
    StudyStore store(dir.file("p.db"));
    const StudySpec spec = parallelSpec(6, 3);
    Pool pool(spec, 3);
    store.createStudy(spec, pool.owned.front()->layers());
    const int64_t id = store.loadStudy("parallel").id;
    CancelToken cancel;
    WorkControl control;
    control.cancel = &cancel;
    std::thread canceller([&] {
        while (pool.active.load() < 3)
            std::this_thread::sleep_for(std::chrono::milliseconds(2));
        cancel.cancel();
    });
    {
        StudyRunner runner(store, "parallel", pool.pointers);
        EXPECT_THROW(runner.step(control), Cancelled);
    }
    canceller.join();
    const std::vector<TrialRow> trials = store.trials(id);
    ASSERT_EQ(trials.size(), 3u);
    for (const TrialRow& t : trials)
        EXPECT_EQ(t.status, TrialStatus::Pending);
    // A new run picks them up: nothing lost, nothing proposed twice.
    StudyRunner resumed(store, "parallel", pool.pointers);
    resumed.run();
    EXPECT_EQ(store.trials(id).size(), 6u);
    EXPECT_EQ(resumed.completedTrials(), 6);
}

} // namespace
} // namespace quantscope
