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

/// Evaluations whose length depends on the task, as fine-tuning budgets do: the target task's
/// takes 20 times as long. Records when each one ran.
class TaskTimedEvaluator final : public TrialEvaluator {
public:
    using Clock = std::chrono::steady_clock;
    struct Span {
        int task;
        Clock::time_point start, end;
    };
    TaskTimedEvaluator(const StudySpec& spec, std::mutex& mutex, std::vector<Span>& spans) :
        inner_(spec), target_(spec.targetTask()), mutex_(mutex), spans_(spans)
    {
    }
    std::vector<LayerInfo> layers() const override { return inner_.layers(); }
    TrialResult evaluate(const TrialRequest& request, const WorkControl& control) override
    {
        const Clock::time_point start = Clock::now();
        std::this_thread::sleep_for(std::chrono::milliseconds(request.task == target_ ? 400 : 20));
        const TrialResult result = inner_.evaluate(request, control);
        const std::lock_guard<std::mutex> lock(mutex_);
        spans_.push_back({request.task, start, Clock::now()});
        return result;
    }

private:
    SyntheticTrialEvaluator inner_;
    int target_;
    std::mutex& mutex_;
    std::vector<Span>& spans_;
};

// A run does not wait for a batch's slowest trial: a worker that finishes gets the next proposal
// while the other still fine-tunes for the target task, and what is running is not proposed again.
TEST(ParallelRunner, AWorkerThatFinishesGetsTheNextTrialAtOnce)
{
    test::TempDir dir;
    StudyStore store(dir.file("p.db"));
    const StudySpec spec = parallelSpec(14, 1);
    std::mutex mutex;
    std::vector<TaskTimedEvaluator::Span> spans;
    TaskTimedEvaluator first(spec, mutex, spans), second(spec, mutex, spans);
    store.createStudy(spec, first.layers());
    StudyRunner runner(store, "parallel", std::vector<TrialEvaluator*>{&first, &second});
    runner.run();
    ASSERT_EQ(spans.size(), 14u);
    // Short trials that ran entirely inside a long one: none in lock-step batches.
    int inside = 0;
    for (const auto& longOne : spans)
        for (const auto& shortOne : spans)
            inside += longOne.task == spec.targetTask() && shortOne.task != spec.targetTask()
                && shortOne.start > longOne.start + std::chrono::milliseconds(30) && shortOne.end < longOne.end;
    EXPECT_GE(inside, 2);
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
