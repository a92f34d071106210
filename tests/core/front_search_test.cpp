// The front-targeted search: exact hypervolume gains, their expectation under the posterior, and
// the multi-fidelity rule that buys a cheaper budget only when it pays for itself.
#include "common/error.h"
#include "search/candidates.h"
#include "search/front_improvement.h"
#include "search/front_strategy.h"
#include "search/search_loop.h"
#include "search/synthetic_problem.h"

#include <gtest/gtest.h>

#include <random>

namespace quantscope {
namespace {

std::vector<TradeOff> randomPoints(std::mt19937_64& rng, int count)
{
    std::uniform_real_distribution<double> cost(0.0, 10.0), value(40.0, 95.0);
    std::vector<TradeOff> points;
    for (int i = 0; i < count; ++i)
        points.push_back({cost(rng), value(rng)});
    return points;
}

TEST(FrontImprovement, GainIsTheHypervolumeAPointAdds)
{
    std::mt19937_64 rng(3);
    const TradeOff reference{9.0, 50.0};
    for (int trial = 0; trial < 50; ++trial) {
        const std::vector<TradeOff> points = randomPoints(rng, 1 + trial % 12);
        const FrontImprovement improvement(points, reference);
        for (const TradeOff& p : randomPoints(rng, 10)) {
            std::vector<TradeOff> with = points;
            with.push_back(p);
            EXPECT_NEAR(improvement.gain(p.cost, p.value),
                        hypervolume(with, reference) - hypervolume(points, reference), 1e-9);
        }
    }
    const FrontImprovement empty({}, reference);
    EXPECT_DOUBLE_EQ(empty.gain(4.0, 60.0), 5.0 * 10.0);
    EXPECT_DOUBLE_EQ(empty.gain(9.5, 90.0), 0.0); // beyond the worst cost
    EXPECT_DOUBLE_EQ(empty.gain(1.0, 45.0), 0.0); // below the floor
}

TEST(FrontImprovement, ExpectedGainMatchesMonteCarlo)
{
    std::mt19937_64 rng(8);
    const FrontImprovement improvement(randomPoints(rng, 8), {9.0, 50.0});
    for (const auto kind : {AccuracyTransform::Kind::Logit, AccuracyTransform::Kind::Identity}) {
        const AccuracyTransform transform(kind);
        for (const auto& [cost, accuracy, sd] : {std::tuple{2.0, 80.0, 0.4}, std::tuple{5.0, 90.0, 0.8},
                                                 std::tuple{0.5, 60.0, 1.5}, std::tuple{7.0, 94.0, 0.1}}) {
            const double mean = transform.toLatent(accuracy);
            const double latentSd = kind == AccuracyTransform::Kind::Identity ? 10 * sd : sd;
            std::normal_distribution<double> normal(mean, latentSd);
            double sum = 0;
            const int samples = 200000;
            for (int i = 0; i < samples; ++i)
                sum += improvement.gain(cost, transform.toAccuracy(normal(rng)));
            const double expected = improvement.expectedGain(cost, mean, latentSd, transform);
            EXPECT_NEAR(expected, sum / samples, 0.01 * sum / samples + 1e-3) << cost << " " << accuracy;
        }
        EXPECT_DOUBLE_EQ(improvement.expectedGain(9.0, 3.0, 1.0, transform), 0.0);
    }
}

/// The standard problem's surface on the per-layer encoding, with the cheaper tasks' costs set
/// to `cheapCosts` (the target keeps 15.25).
struct FrontSearch {
    SyntheticProblem problem;
    std::unique_ptr<Encoding> encoding = makeEncoding("per-layer", 5);
    CandidatePool pool{*encoding};
    std::mt19937_64 noise{11};

    explicit FrontSearch(std::vector<double> costs) : problem(SyntheticProblem::make({"test", 5, 2, std::move(costs)}))
    {
        fillHalton(pool, 300, 1, 8);
    }

    SearchLoopOptions options() const
    {
        SearchLoopOptions o;
        for (const auto& task : problem.tasks())
            o.defaultTaskCosts.push_back(task.cost);
        o.fit.restarts = 1;
        o.fit.maxIterations = 60;
        o.initialDesign = {{0, 6}, {3, 2}};
        o.seed = 4;
        o.costOf = [this](const BitConfig& bits) { return problem.memoryMB(bits); };
        return o;
    }

    /// Tasks of the first `steps` proposals after the initial design.
    std::vector<int> run(int steps, std::vector<double>* targetMemory = nullptr)
    {
        FrontStrategy strategy;
        SearchLoop loop(pool, strategy, problem.taskCount(), options());
        std::vector<int> tasks;
        for (int i = 0; i < 8 + steps; ++i)
            for (const Proposal& p : loop.step([this](const BitConfig&bits, int task) {
                     return Evaluation{problem.observe(bits, task, noise), problem.tasks()[size_t(task)].cost,
                                       std::nullopt};
                 })) {
                if (i < 8)
                    continue;
                tasks.push_back(p.task);
                EXPECT_FALSE(p.reason.empty());
                if (targetMemory && p.task == 3)
                    targetMemory->push_back(problem.memoryMB(loop.pool().bits(p.candidate)));
            }
        return tasks;
    }
};

TEST(FrontStrategy, BuysCheapBudgetsOnlyWhenTheyPay)
{
    // Barely cheaper budgets never pay for the look-ahead (it would need to raise the best
    // target EHVI by 66-87 %); a quantize-only evaluation at 1/1500 of the cost does.
    const std::vector<int> dear = FrontSearch({10, 11, 13, 15.25}).run(6);
    EXPECT_EQ(std::count(dear.begin(), dear.end(), 3), 6);
    const std::vector<int> cheap = FrontSearch({0.01, 1.25, 2.25, 15.25}).run(6);
    EXPECT_GE(std::count(cheap.begin(), cheap.end(), 0), 2);
}

TEST(FrontStrategy, TargetsTheWholeFront)
{
    std::vector<double> memory;
    FrontSearch search({10, 11, 13, 15.25});
    search.run(10, &memory);
    ASSERT_EQ(memory.size(), 10u);
    const double all8 = search.problem.memoryMB(BitConfig::uniform(8, 5));
    // Target trials spread over the memory axis instead of crowding into one corner.
    EXPECT_GE(std::count_if(memory.begin(), memory.end(), [&](double m) { return m < all8 / 3; }), 2);
    EXPECT_GE(std::count_if(memory.begin(), memory.end(), [&](double m) { return m > all8 / 3; }), 2);
}

TEST(FrontStrategy, NeedsTheFrontsCostAxis)
{
    FrontSearch search({0.25, 1.25, 2.25, 15.25});
    SearchLoopOptions options = search.options();
    options.costOf = nullptr;
    FrontStrategy strategy;
    SearchLoop loop(search.pool, strategy, search.problem.taskCount(), options);
    const auto evaluate = [&](const BitConfig& bits, int task) {
        return Evaluation{search.problem.observe(bits, task, search.noise), 1.0, std::nullopt};
    };
    for (int i = 0; i < 8; ++i)
        loop.step(evaluate);
    try {
        loop.step(evaluate);
        FAIL() << "expected a ConfigError";
    } catch (const ConfigError& e) {
        EXPECT_NE(std::string(e.what()).find("cost"), std::string::npos) << e.what();
    }
}

TEST(SyntheticProblem, FamilyVariantsKeepTheTargetAndChangeTheCheapTasks)
{
    const auto family = SyntheticProblem::benchmarkFamily();
    ASSERT_GE(family.size(), 5u);
    const SyntheticProblemSpec& misleading =
        *std::find_if(family.begin(), family.end(), [](const auto& s) { return s.misleadingTask >= 0; });
    const SyntheticProblem problem = SyntheticProblem::make(misleading);
    const SyntheticProblem plain = SyntheticProblem::standard(misleading.layers, misleading.seed);
    const size_t n = misleading.layers;
    std::vector<LayerBits> early(n, {3, 3}), late(n, {3, 3});
    early.front() = {8, 8};
    late.back() = {8, 8};
    const int target = problem.targetTask();
    EXPECT_DOUBLE_EQ(problem.trueAccuracy(BitConfig(early), target), plain.trueAccuracy(BitConfig(early), target));
    // The target rewards bits in early layers, the misleading task in late ones.
    EXPECT_GT(problem.trueAccuracy(BitConfig(early), target), problem.trueAccuracy(BitConfig(late), target));
    EXPECT_LT(problem.trueAccuracy(BitConfig(early), misleading.misleadingTask),
              problem.trueAccuracy(BitConfig(late), misleading.misleadingTask));
    EXPECT_DOUBLE_EQ(problem.tasks().back().cost, misleading.costs.back());
}

} // namespace
} // namespace quantscope
