// The search strategies judged on a family of synthetic problems (SyntheticProblem::
// benchmarkFamily: cost ratios 1:3 to 1:100, strongly and weakly correlated budgets, a misleading
// budget, 6 to 12 layers), per-layer encoding, each problem's exact target-task front as the
// yardstick. A run's result is the front a person could deploy: the configurations it evaluated on
// the target task, ranked by its own estimate (posterior median, or the observed value for random
// search), scored with the true noise-free target accuracy. Costs are the problem's task costs.
//
// Usage: strategy_family [seeds] [OUT.csv or -] [strategies, e.g. nuq,ehvi] [problems, e.g. 0,2]
//                        [budget in target evaluations]
// Defaults: 10 seeds, no CSV, nuq,ehvi,ei,ucb,random, every problem, 30 target evaluations.
#include "search/candidates.h"
#include "search/pareto.h"
#include "search/search_loop.h"
#include "search/strategies.h"
#include "search/synthetic_problem.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

using namespace quantscope;

namespace {

constexpr int kMaxEvaluations = 300; // a guard for runs that would only ever buy the cheapest task
constexpr int kCandidates = 1000;

std::vector<std::string> splitList(const std::string& text)
{
    std::vector<std::string> out;
    std::stringstream list(text);
    for (std::string item; std::getline(list, item, ',');)
        out.push_back(item);
    return out;
}

/// Hypervolume of the front of the configurations `loop` evaluated on the target task.
double measuredFrontHypervolume(SearchLoop& loop, const SyntheticProblem& problem, const TradeOff& reference)
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
        estimated.push_back({problem.memoryMB(loop.pool().bits(candidate)), value});
    std::vector<TradeOff> truth;
    for (size_t i : paretoFront(estimated)) {
        const BitConfig& bits = loop.pool().bits(estimates[i].first);
        truth.push_back({problem.memoryMB(bits), problem.trueAccuracy(bits, problem.targetTask())});
    }
    return hypervolume(truth, reference);
}

double median(std::vector<double> values)
{
    std::sort(values.begin(), values.end());
    return values.empty() ? 0 : values[values.size() / 2];
}

struct Outcome {
    double costToReach = -1;              ///< in target evaluations; -1: never
    std::vector<double> fractionAt;       ///< at 1/3, 2/3 and all of the budget
    std::vector<int> trialsPerTask;
    double seconds = 0;
};

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
    const double budgetTargets = argc > 5 ? std::atof(argv[5]) : 30.0;

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
        const double targetCost = problem.tasks()[size_t(target)].cost;
        const TradeOff reference{problem.memoryMB(BitConfig::uniform(8, problem.layerCount())), 70.0};
        std::vector<TradeOff> exact;
        for (const BitConfig& bits : problem.paretoFront())
            exact.push_back({problem.memoryMB(bits), problem.trueAccuracy(bits, target)});
        const double best = hypervolume(exact, reference);
        const double budget = budgetTargets * targetCost;

        std::printf("\n### %s: %zu layers, task costs", spec.name.c_str(), problem.layerCount());
        for (const auto& task : problem.tasks())
            std::printf(" %.3g", task.cost);
        std::printf("; budget %.0f target evaluations, %d seeds\n\n", budgetTargets, seeds);
        std::printf("| strategy | reach 95 %% | median cost to 95 %% | fraction at 1/3 | at 2/3 | at budget (min-max) | "
                    "trials per task | s per run |\n|---|---:|---:|---:|---:|---:|---|---:|\n");
        for (const std::string& name : names) {
            const auto strategy = makeStrategy(name);
            std::vector<Outcome> outcomes;
            for (int seed = 0; seed < seeds; ++seed) {
                const auto started = std::chrono::steady_clock::now();
                SearchLoopOptions options;
                for (const auto& task : problem.tasks())
                    options.defaultTaskCosts.push_back(task.cost);
                options.fit.restarts = 2;
                options.seed = uint64_t(1000 + seed);
                if (strategy->multiTask())
                    options.initialDesign = {{0, encoding->dim() + 3}, {target, 2}};
                else if (strategy->usesModel())
                    options.initialDesign = {{target, 3}};
                options.costOf = [&problem](const BitConfig& bits) { return problem.memoryMB(bits); };
                if (strategy->usesModel())
                    options.paretoMutations = 2;
                SearchLoop loop(pool, *strategy, problem.taskCount(), options);
                std::mt19937_64 noise(uint64_t(seed) * 7919 + 17);
                const auto evaluate = [&](const BitConfig& bits, int task) {
                    return Evaluation{problem.observe(bits, task, noise), problem.tasks()[size_t(task)].cost};
                };
                Outcome outcome;
                outcome.trialsPerTask.assign(size_t(problem.taskCount()), 0);
                std::vector<double> checkpoints = {budget / 3, 2 * budget / 3, budget};
                double fraction = 0;
                int evaluations = 0;
                while (loop.spentCost() < budget && evaluations < kMaxEvaluations) {
                    const double before = loop.spentCost();
                    const Proposal proposal = loop.step(evaluate).front();
                    ++evaluations;
                    ++outcome.trialsPerTask[size_t(proposal.task)];
                    // Fractions change only when the target front does.
                    for (double c : checkpoints)
                        if (before < c && loop.spentCost() >= c && outcome.fractionAt.size() < 3 && c < budget)
                            outcome.fractionAt.push_back(fraction);
                    if (proposal.task == target)
                        fraction = measuredFrontHypervolume(loop, problem, reference) / best;
                    if (outcome.costToReach < 0 && fraction >= 0.95)
                        outcome.costToReach = loop.spentCost() / targetCost;
                    if (csv)
                        csv << '"' << spec.name << "\"," << name << ',' << seed << ',' << evaluations << ','
                            << proposal.task << ',' << loop.spentCost() / targetCost << ',' << fraction << '\n';
                }
                while (outcome.fractionAt.size() < 3)
                    outcome.fractionAt.push_back(fraction);
                outcome.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
                outcomes.push_back(outcome);
            }
            std::vector<double> reach, at[3], seconds;
            int reached = 0;
            std::vector<double> trials(size_t(problem.taskCount()), 0);
            for (const Outcome& o : outcomes) {
                reach.push_back(o.costToReach < 0 ? 1e300 : o.costToReach);
                reached += o.costToReach >= 0;
                for (int i = 0; i < 3; ++i)
                    at[i].push_back(o.fractionAt[size_t(i)]);
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
            std::printf("| %s | %d / %d | %s | %.3f | %.3f | %.3f (%.3f-%.3f) | %s | %.0f |\n", name.c_str(), reached,
                        seeds, reachText, median(at[0]), median(at[1]), median(at[2]),
                        *std::min_element(at[2].begin(), at[2].end()), *std::max_element(at[2].begin(), at[2].end()),
                        trialText.c_str(), median(seconds));
            std::fflush(stdout);
        }
    }
    return 0;
}
