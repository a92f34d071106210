// What the strategy benchmarks share: the front a run would deploy, and one table row per
// strategy summarising its runs.
#pragma once

#include "search/pareto.h"
#include "search/search_loop.h"
#include "search/strategies.h"
#include "search/strategy.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

namespace quantscope::bench {

inline std::vector<std::string> splitList(const std::string& text)
{
    std::vector<std::string> out;
    std::stringstream list(text);
    for (std::string item; std::getline(list, item, ',');)
        out.push_back(item);
    return out;
}

inline double median(std::vector<double> values)
{
    std::sort(values.begin(), values.end());
    return values.empty() ? 0 : values[values.size() / 2];
}

using ConfigValue = std::function<double(const BitConfig&)>;

/// Hypervolume of the front a person could deploy from `loop`: the configurations it evaluated
/// on the target task, ranked by its own estimate, scored with `truth`.
inline double measuredFrontHypervolume(SearchLoop& loop, const ConfigValue& memory, const ConfigValue& truth,
                                       const TradeOff& reference)
{
    std::vector<char> onTarget(loop.pool().size(), 0);
    for (const SearchObservation& o : loop.observations())
        if (o.task == loop.targetTask())
            onTarget[o.candidate] = 1;
    std::vector<std::pair<size_t, double>> estimates;
    for (const auto& e : loop.estimates())
        if (onTarget[e.first])
            estimates.push_back(e);
    std::vector<TradeOff> estimated;
    for (const auto& [candidate, value] : estimates)
        estimated.push_back({memory(loop.pool().bits(candidate)), value});
    std::vector<TradeOff> scored;
    for (size_t i : paretoFront(estimated)) {
        const BitConfig& bits = loop.pool().bits(estimates[i].first);
        scored.push_back({memory(bits), truth(bits)});
    }
    return hypervolume(scored, reference);
}

/// The options every strategy run of the benchmarks starts from: the study runner's initial
/// design for the strategy (n + 3 cheapest and 2 target evaluations for multi-task strategies,
/// 3 target evaluations for single-task ones), two restarts per full refit, the front's memory.
inline SearchLoopOptions benchmarkOptions(const Strategy& strategy, std::vector<double> taskCosts, int seed,
                                          int encodingDim, ConfigValue memory)
{
    SearchLoopOptions options;
    const int target = int(taskCosts.size()) - 1;
    options.defaultTaskCosts = std::move(taskCosts);
    options.fit.restarts = 2;
    options.seed = uint64_t(1000 + seed);
    if (strategy.multiTask())
        options.initialDesign = {{0, encodingDim + 3}, {target, 2}};
    else if (strategy.usesModel())
        options.initialDesign = {{target, 3}};
    options.costOf = std::move(memory);
    return options;
}

/// One run: when it reached 95 % of the best hypervolume, where it stood at a third, two thirds
/// and all of its budget, and how many trials it spent per task.
struct RunOutcome {
    double costToReach = -1; ///< in target evaluations; -1: never
    std::vector<double> fractionAt;
    std::vector<int> trialsPerTask;
    double seconds = 0;
};

inline void printTableHeader()
{
    std::printf("| strategy | reach 95 %% | median cost to 95 %% | fraction at 1/3 | at 2/3 | at budget (min-max) | "
                "trials per task | s per run |\n|---|---:|---:|---:|---:|---:|---|---:|\n");
}

inline void printStrategyRow(const std::string& name, const std::vector<RunOutcome>& outcomes, double budgetTargets)
{
    std::vector<double> reach, at[3], seconds;
    int reached = 0;
    std::vector<double> trials(outcomes.front().trialsPerTask.size(), 0);
    for (const RunOutcome& o : outcomes) {
        reach.push_back(o.costToReach < 0 ? 1e300 : o.costToReach);
        reached += o.costToReach >= 0;
        for (size_t i = 0; i < 3; ++i)
            at[i].push_back(o.fractionAt.at(i));
        for (size_t t = 0; t < trials.size(); ++t)
            trials[t] += double(o.trialsPerTask[t]) / double(outcomes.size());
        seconds.push_back(o.seconds);
    }
    const double reachMedian = median(reach);
    char reachText[32];
    std::snprintf(reachText, sizeof reachText, reachMedian < 1e299 ? "%.1f" : "> %.0f",
                  reachMedian < 1e299 ? reachMedian : budgetTargets);
    std::string trialText;
    for (size_t t = 0; t < trials.size(); ++t) {
        char part[16];
        std::snprintf(part, sizeof part, "%s%.0f", t ? " / " : "", trials[t]);
        trialText += part;
    }
    std::printf("| %s | %d / %zu | %s | %.3f | %.3f | %.3f (%.3f-%.3f) | %s | %.0f |\n", name.c_str(), reached,
                outcomes.size(), reachText, median(at[0]), median(at[1]), median(at[2]),
                *std::min_element(at[2].begin(), at[2].end()), *std::max_element(at[2].begin(), at[2].end()),
                trialText.c_str(), median(seconds));
    std::fflush(stdout);
}

/// Runs `loop` until it has spent `budget` (or made `maxEvaluations`), tracking the deployable
/// front's share `fractionOf()` of the best hypervolume after every target-task evaluation.
/// `log(evaluation, task, cost, fraction)` sees every step.
inline RunOutcome runToBudget(SearchLoop& loop, const std::function<Evaluation(const BitConfig&, int)>& evaluate,
                              double budget, double targetCost, int maxEvaluations,
                              const std::function<double()>& fractionOf,
                              const std::function<void(int, int, double, double)>& log)
{
    RunOutcome outcome;
    const std::vector<double> checkpoints = {budget / 3, 2 * budget / 3};
    double fraction = 0;
    int evaluations = 0;
    while (loop.spentCost() < budget && evaluations < maxEvaluations) {
        const double before = loop.spentCost();
        const Proposal proposal = loop.step(evaluate).front();
        ++evaluations;
        if (outcome.trialsPerTask.size() <= size_t(proposal.task))
            outcome.trialsPerTask.resize(size_t(proposal.task) + 1, 0);
        ++outcome.trialsPerTask[size_t(proposal.task)];
        for (double c : checkpoints) // where the run stood when its spending crossed c
            if (before < c && loop.spentCost() >= c)
                outcome.fractionAt.push_back(fraction);
        if (proposal.task == loop.targetTask())
            fraction = fractionOf();
        if (outcome.costToReach < 0 && fraction >= 0.95)
            outcome.costToReach = loop.spentCost() / targetCost;
        log(evaluations, proposal.task, loop.spentCost() / targetCost, fraction);
    }
    while (outcome.fractionAt.size() < 3)
        outcome.fractionAt.push_back(fraction);
    outcome.trialsPerTask.resize(size_t(loop.targetTask()) + 1, 0);
    return outcome;
}

/// Every strategy of `names` for `seeds` runs, one table row each: `run(strategy, name, seed)`
/// makes one run, whose wall time is added here.
inline void compareStrategies(const std::vector<std::string>& names, int seeds, double budgetTargets,
                              const std::function<RunOutcome(const Strategy&, const std::string&, int)>& run)
{
    printTableHeader();
    for (const std::string& name : names) {
        const auto strategy = makeStrategy(name);
        std::vector<RunOutcome> outcomes;
        for (int seed = 0; seed < seeds; ++seed) {
            const auto started = std::chrono::steady_clock::now();
            outcomes.push_back(run(*strategy, name, seed));
            outcomes.back().seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
        }
        printStrategyRow(name, outcomes, budgetTargets);
    }
}

} // namespace quantscope::bench
