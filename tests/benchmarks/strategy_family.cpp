// The search strategies judged on a family of synthetic problems (SyntheticProblem::
// benchmarkFamily: cost ratios 1:3 to 1:100, strongly and weakly correlated budgets, a misleading
// budget, 6 to 12 layers), per-layer encoding, each problem's exact target-task front as the
// yardstick. A run's result is the front a person could deploy: the configurations it evaluated on
// the target task, ranked by its own estimate (posterior median, or the observed value for random
// search), scored with the true noise-free target accuracy. Costs are the problem's task costs.
//
// Usage: strategy_family [seeds] [OUT.csv or -] [strategies, e.g. nuq,ehvi] [problems, e.g. 0,2]
//                        [budget in target evaluations] [most evaluations per run]
// Defaults: 10 seeds, no CSV, nuq,ehvi,ei,ucb,random, every problem, 60 target evaluations, 300
// evaluations (a guard for runs that buy mostly the cheapest task; the GP grows with each).
#include "search/candidates.h"
#include "search/pareto.h"
#include "search/search_loop.h"
#include "search/strategies.h"
#include "search/synthetic_problem.h"

#include "front_benchmark.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

using namespace quantscope;
using namespace quantscope::bench;

namespace {

constexpr int kCandidates = 1000;

} // namespace

int main(int argc, char** argv)
{
    const int seeds = argc > 1 ? std::atoi(argv[1]) : 10;
    const std::string csvPath = argc > 2 && std::string(argv[2]) != "-" ? argv[2] : "";
    const std::vector<std::string> names = splitList(argc > 3 ? argv[3] : "nuq,ehvi,ei,ucb,random");
    const auto family = SyntheticProblem::benchmarkFamily();
    std::vector<size_t> problems;
    if (argc > 4 && std::string(argv[4]) != "all")
        for (const std::string& p : splitList(argv[4]))
            problems.push_back(size_t(std::atoi(p.c_str())));
    else
        for (size_t p = 0; p < family.size(); ++p)
            problems.push_back(p);
    const double budgetTargets = argc > 5 ? std::atof(argv[5]) : 60.0;
    const int maxEvaluations = argc > 6 ? std::atoi(argv[6]) : 300;

    std::ofstream csv;
    if (!csvPath.empty()) {
        csv.open(csvPath);
        csv << "problem,strategy,seed,evaluation,task,cost_in_target_evaluations,fraction_of_true_front\n";
    }
    for (size_t p : problems) {
        const SyntheticProblemSpec& spec = family.at(p);
        const SyntheticProblem problem = SyntheticProblem::make(spec);
        const auto encoding = makeEncoding("per-layer", problem.layerCount());
        CandidatePool pool(*encoding);
        fillHalton(pool, kCandidates, 1, 8);
        const int target = problem.targetTask();
        const auto memory = [&problem](const BitConfig& bits) { return problem.memoryMB(bits); };
        const double targetCost = problem.tasks()[size_t(target)].cost;
        const TradeOff reference{problem.memoryMB(BitConfig::uniform(8, problem.layerCount())), 70.0};
        std::vector<TradeOff> exact;
        for (const BitConfig& bits : problem.paretoFront())
            exact.push_back({problem.memoryMB(bits), problem.trueAccuracy(bits, target)});
        const double best = hypervolume(exact, reference);
        const double budget = budgetTargets * targetCost;
        std::vector<TradeOff> poolPoints; // the best the initial pool allows, before it grows
        for (size_t c = 0; c < pool.size(); ++c)
            poolPoints.push_back({problem.memoryMB(pool.bits(c)), problem.trueAccuracy(pool.bits(c), target)});

        std::printf("\n### %s: %zu layers, task costs", spec.name.c_str(), problem.layerCount());
        for (const auto& task : problem.tasks())
            std::printf(" %.3g", task.cost);
        std::printf("; budget %.0f target evaluations, %d seeds; the initial %zu candidates' own front: %.3f\n\n",
                    budgetTargets, seeds, pool.size(), hypervolume(poolPoints, reference) / best);
        std::vector<double> costs;
        for (const auto& task : problem.tasks())
            costs.push_back(task.cost);
        const auto truth = [&](const BitConfig& bits) { return problem.trueAccuracy(bits, target); };
        compareStrategies(
            names, seeds, budgetTargets, [&](const Strategy& strategy, const std::string& name, int seed) {
                SearchLoopOptions options = benchmarkOptions(strategy, costs, seed, encoding->dim(), memory);
                if (strategy.usesModel())
                    options.paretoMutations = 2;
                SearchLoop loop(pool, strategy, problem.taskCount(), options);
                std::mt19937_64 noise(uint64_t(seed) * 7919 + 17);
                const auto evaluate = [&](const BitConfig& bits, int task) {
                    return Evaluation{problem.observe(bits, task, noise), problem.tasks()[size_t(task)].cost,
                                      std::nullopt};
                };
                return runToBudget(
                    loop, evaluate, budget, targetCost, maxEvaluations,
                    [&] { return measuredFrontHypervolume(loop, memory, truth, reference) / best; },
                    [&](int evaluation, int task, double cost, double fraction) {
                        if (csv)
                            csv << '"' << spec.name << "\"," << name << ',' << seed << ',' << evaluation << ',' << task
                                << ',' << cost << ',' << fraction << '\n';
                    });
            });
    }
    return 0;
}
