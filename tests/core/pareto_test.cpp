#include "search/pareto.h"

#include <gtest/gtest.h>

#include <random>

namespace quantscope {
namespace {

TEST(Pareto, FrontKeepsNonDominatedPointsByCost)
{
    const std::vector<TradeOff> points = {{1, 50}, {2, 60}, {2, 55}, {3, 58}, {4, 70}, {0.5, 10}, {4, 70}};
    EXPECT_EQ(paretoFront(points), (std::vector<size_t>{5, 0, 1, 4}));
}

TEST(Pareto, HypervolumeMatchesHandComputedArea)
{
    // Points (1, 3) and (2, 5) against reference (4, 0): [1,4]x[0,3] union [2,4]x[0,5] = 9 + 4.
    EXPECT_DOUBLE_EQ(hypervolume({{1, 3}, {2, 5}}, {4, 0}), 13.0);
    EXPECT_DOUBLE_EQ(hypervolume({{1, 3}, {2, 5}, {3, 4}}, {4, 0}), 13.0); // dominated point adds nothing
    EXPECT_DOUBLE_EQ(hypervolume({{5, 9}, {1, -1}}, {4, 0}), 0.0);         // outside the reference box
    EXPECT_DOUBLE_EQ(hypervolume({}, {4, 0}), 0.0);
}

TEST(Pareto, HypervolumeAgreesWithGridCount)
{
    std::mt19937_64 rng(1);
    std::uniform_int_distribution<int> coordinate(0, 19);
    std::vector<TradeOff> points;
    for (int i = 0; i < 30; ++i)
        points.push_back({double(coordinate(rng)), double(coordinate(rng))});
    const TradeOff reference{20, 0};
    int cells = 0; // unit cells [x, x+1] x [y, y+1] dominated by some point
    for (int x = 0; x < 20; ++x)
        for (int y = 0; y < 20; ++y)
            for (const TradeOff& p : points)
                if (p.cost <= x && p.value >= y + 1) {
                    ++cells;
                    break;
                }
    EXPECT_DOUBLE_EQ(hypervolume(points, reference), double(cells));
}

TEST(Pareto, EffectiveAccuracyIsNuqFormula)
{
    // 10 layers at 4 bits: no adjustment; 5 extra bits cost 5 points at k = 1, 0.05 at k = 100.
    EXPECT_DOUBLE_EQ(effectiveAccuracy(90.0, 40, 10), 90.0);
    EXPECT_DOUBLE_EQ(effectiveAccuracy(90.0, 45, 10), 85.0);
    EXPECT_DOUBLE_EQ(effectiveAccuracy(90.0, 45, 10, 100.0), 89.95);
}

} // namespace
} // namespace quantscope
