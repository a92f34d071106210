#include "common/error.h"
#include "search/candidates.h"
#include "search/search_loop.h"
#include "search/strategies.h"
#include "search/synthetic_problem.h"

#include <gtest/gtest.h>

#include <set>

namespace quantscope {
namespace {

struct Fixture {
    SyntheticProblem problem = SyntheticProblem::standard(6, 3);
    std::unique_ptr<Encoding> encoding = makeEncoding("bezier2", 6);
    CandidatePool pool{*encoding};
    std::mt19937_64 noise{5};

    Fixture() { fillGrid(pool, 9); }

    SearchLoopOptions options() const
    {
        SearchLoopOptions o;
        for (const auto& task : problem.tasks())
            o.defaultTaskCosts.push_back(task.cost);
        o.fit.restarts = 1;
        o.fit.maxIterations = 60;
        o.initialDesign = {{0, 4}, {3, 1}};
        o.referenceSize = 32;
        o.seed = 7;
        o.costOf = [this](const BitConfig& bits) { return problem.memoryMB(bits); };
        return o;
    }

    std::function<Evaluation(const BitConfig&, int)> evaluator()
    {
        return [this](const BitConfig& bits, int task) {
            return Evaluation{problem.observe(bits, task, noise), problem.tasks()[size_t(task)].cost, std::nullopt};
        };
    }
};

TEST(SyntheticProblem, TasksAreOrderedAndEarlyBitsMatterMore)
{
    const SyntheticProblem problem = SyntheticProblem::standard(9, 0);
    const std::vector<std::string> names(9, "x");
    const BitConfig two = BitConfig::uniform(2, 9);
    for (int t = 1; t < problem.taskCount(); ++t)
        EXPECT_GT(problem.trueAccuracy(two, t), problem.trueAccuracy(two, t - 1));
    EXPECT_GT(problem.trueAccuracy(BitConfig::uniform(8, 9), 0), problem.trueAccuracy(BitConfig::uniform(3, 9), 0));
    const BitConfig early = BitConfig::parse("6,6,5,5,4,4,3,3,3", names);
    const BitConfig late = BitConfig::parse("3,3,3,4,4,5,5,6,6", names);
    EXPECT_GT(problem.trueAccuracy(early, 0), problem.trueAccuracy(late, 0));
    EXPECT_LT(problem.memoryMB(early), problem.memoryMB(late));
}

TEST(Candidates, GridCollapsesDuplicatesAndSamplersStayInRange)
{
    Fixture f;
    EXPECT_GT(f.pool.size(), 20u);
    EXPECT_LT(f.pool.size(), 9u * 9 * 9);
    std::set<std::string> distinct;
    for (size_t c = 0; c < f.pool.size(); ++c)
        distinct.insert(f.pool.bits(c).toString());
    EXPECT_EQ(distinct.size(), f.pool.size());

    const auto perLayer = makeEncoding("per-layer", 6);
    CandidatePool pool(*perLayer);
    std::mt19937_64 rng(1);
    CandidateOptions options;
    options.haltonSamples = 100;
    options.randomSamples = 100;
    options.minBits = 2;
    options.maxBits = 6;
    options.parents = {BitConfig::uniform(4, 6)};
    options.mutationsPerParent = 10;
    fillCandidates(pool, options, rng);
    EXPECT_GT(pool.size(), 150u);
    for (size_t c = 0; c < pool.size(); ++c)
        for (const LayerBits& b : pool.bits(c).layers())
            EXPECT_TRUE(b.weight >= 2 && b.weight <= 6);
    EXPECT_GE(pool.find(BitConfig::uniform(4, 6)), -1);
    EXPECT_NEAR(radicalInverse(5, 2), 0.625, 1e-15); // 5 = 101b -> 0.101b
}

TEST(SearchLoop, EveryStrategyRunsWithoutRepeatsAndIsDeterministic)
{
    for (const std::string name : {"nuq", "ehvi", "ei", "ucb", "random"}) {
        std::vector<std::pair<size_t, int>> runs[2];
        for (int run = 0; run < 2; ++run) {
            Fixture f;
            const auto strategy = makeStrategy(name);
            SearchLoop loop(f.pool, *strategy, f.problem.taskCount(), f.options());
            for (int i = 0; i < 12; ++i)
                for (const Proposal& p : loop.step(f.evaluator()))
                    runs[run].emplace_back(p.candidate, p.task);
            std::set<std::pair<size_t, int>> unique(runs[run].begin(), runs[run].end());
            EXPECT_EQ(unique.size(), runs[run].size()) << name;
            EXPECT_GT(loop.spentCost(), 0);
            EXPECT_FALSE(loop.estimates().empty()) << name;
        }
        EXPECT_EQ(runs[0], runs[1]) << name;
    }
}

TEST(SearchLoop, NuqUsesCheapTasksAndTheTargetEveryFifthStep)
{
    Fixture f;
    NuqStrategy strategy;
    SearchLoop loop(f.pool, strategy, f.problem.taskCount(), f.options());
    std::vector<int> tasks;
    for (int i = 0; i < 15; ++i)
        for (const Proposal& p : loop.step(f.evaluator()))
            tasks.push_back(p.task);
    // After the 5 initial evaluations, proposals 5 and 10 of the strategy are UCB steps on task 3.
    EXPECT_EQ(tasks[5 + 4], 3);
    EXPECT_EQ(tasks[5 + 9], 3);
    EXPECT_GT(std::count_if(tasks.begin() + 5, tasks.end(), [](int t) { return t < 3; }), 4);
    // Measured costs replace the defaults.
    EXPECT_DOUBLE_EQ(loop.taskCosts()[0], f.problem.tasks()[0].cost);
    const Eigen::MatrixXd correlation = loop.model()->hyperparameters().taskCorrelation();
    EXPECT_GT(correlation(2, 3), 0.5);
}

TEST(SearchLoop, BatchProposalsAreDistinct)
{
    Fixture f;
    ExpectedImprovementStrategy strategy;
    SearchLoop loop(f.pool, strategy, f.problem.taskCount(), f.options());
    for (int i = 0; i < 5; ++i)
        loop.step(f.evaluator());
    const std::vector<Proposal> batch = loop.propose(4);
    ASSERT_EQ(batch.size(), 4u);
    std::set<size_t> candidates;
    for (const Proposal& p : batch)
        candidates.insert(p.candidate);
    EXPECT_EQ(candidates.size(), 4u);
}

TEST(SearchLoop, RejectsBadSettings)
{
    Fixture f;
    RandomStrategy strategy;
    SearchLoopOptions options = f.options();
    options.defaultTaskCosts = {1, 2};
    EXPECT_THROW(SearchLoop(f.pool, strategy, 4, options), ConfigError);
    options = f.options();
    options.defaultTaskCosts[1] = 0;
    EXPECT_THROW(SearchLoop(f.pool, strategy, 4, options), ConfigError);
    EXPECT_THROW(makeStrategy("bayes"), ConfigError);
}

} // namespace
} // namespace quantscope

namespace quantscope {
namespace {

TEST(SyntheticProblem, ExactFrontDominatesSampledConfigurations)
{
    const SyntheticProblem problem = SyntheticProblem::standard(5, 2);
    const std::vector<BitConfig> front = problem.paretoFront();
    ASSERT_GT(front.size(), 10u);
    std::mt19937_64 rng(4);
    std::uniform_int_distribution<int> bit(1, 8);
    for (int trial = 0; trial < 300; ++trial) {
        std::vector<LayerBits> layers;
        for (int i = 0; i < 5; ++i) {
            const int b = bit(rng);
            layers.push_back({b, b});
        }
        const BitConfig sample(layers);
        // Some front member is at least as small and at least as accurate.
        const bool dominated = std::any_of(front.begin(), front.end(), [&](const BitConfig& f) {
            return problem.memoryMB(f) <= problem.memoryMB(sample) + 1e-12
                && problem.trueAccuracy(f, 3) >= problem.trueAccuracy(sample, 3) - 1e-12;
        });
        EXPECT_TRUE(dominated) << sample.toString();
    }
}

TEST(SearchLoop, GrowsThePoolAroundTheFront)
{
    const SyntheticProblem problem = SyntheticProblem::standard(6, 1);
    const auto encoding = makeEncoding("per-layer", 6);
    CandidatePool pool(*encoding);
    fillHalton(pool, 50, 1, 8);
    ExpectedImprovementStrategy strategy;
    SearchLoopOptions options;
    for (const auto& task : problem.tasks())
        options.defaultTaskCosts.push_back(task.cost);
    options.fit.restarts = 0;
    options.initialDesign = {{3, 3}};
    options.paretoMutations = 3;
    options.mutateEvery = 2;
    options.costOf = [&](const BitConfig& bits) { return problem.memoryMB(bits); };
    SearchLoop loop(pool, strategy, problem.taskCount(), options);
    std::mt19937_64 noise(1);
    for (int i = 0; i < 8; ++i)
        loop.step([&](const BitConfig& bits, int task) {
            return Evaluation{problem.observe(bits, task, noise), 1.0, std::nullopt};
        });
    EXPECT_GT(loop.pool().size(), pool.size());
    options.costOf = nullptr;
    EXPECT_THROW(SearchLoop(pool, strategy, problem.taskCount(), options), ConfigError);
}

} // namespace
} // namespace quantscope

namespace quantscope {
namespace {

/// Two layers, two tasks and a pool of uniform 2, 4 and 8 bits: small enough to count proposals.
struct TinySearch {
    std::unique_ptr<Encoding> encoding = makeEncoding("per-layer", 2);
    CandidatePool pool{*encoding};
    RandomStrategy strategy;
    SearchLoopOptions options;

    TinySearch()
    {
        for (int b : {2, 4, 8})
            pool.add(BitConfig::uniform(b, 2));
        options.defaultTaskCosts = {1.0, 2.0};
    }
};

TEST(SearchLoop, InitialDesignStaysDistinctAndEndsOnASmallPool)
{
    TinySearch tiny;
    tiny.options.initialDesign = {{0, 5}};
    SearchLoop loop(tiny.pool, tiny.strategy, 2, tiny.options);
    const std::vector<Proposal> batch = loop.propose(4);
    ASSERT_EQ(batch.size(), 3u); // only three candidates exist
    std::set<size_t> distinct;
    for (const Proposal& p : batch)
        distinct.insert(p.candidate);
    EXPECT_EQ(distinct.size(), 3u);
}

TEST(SearchLoop, MeasuredBaselinesFollowTheDesignAndSaySo)
{
    TinySearch tiny;
    tiny.options.initialDesign = {{0, 2}};
    tiny.options.fixedEvaluations = {{BitConfig::uniform(3, 2), 1}};
    SearchLoop loop(tiny.pool, tiny.strategy, 2, tiny.options);
    const std::vector<Proposal> batch = loop.propose(3);
    ASSERT_EQ(batch.size(), 3u);
    EXPECT_EQ(batch[0].reason, "initial design");
    EXPECT_EQ(batch[1].reason, "initial design");
    EXPECT_EQ(batch[2].reason, "measured baseline");
    EXPECT_EQ(batch[2].task, 1);
    EXPECT_EQ(loop.pool().bits(batch[2].candidate), BitConfig::uniform(3, 2)); // added to the pool
}

} // namespace
} // namespace quantscope
