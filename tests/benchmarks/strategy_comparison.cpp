// Hypervolume of the recommended accuracy-vs-memory front against cumulative evaluation cost,
// for NUQ's multi-task strategy, expected improvement, single-task GP-UCB and random search, on
// the synthetic problem over many seeds.
//
// Usage: strategy_comparison [encoding] [seeds] [budget] [csv-path or -] [strategies, e.g. nuq,ucb] [model]
// model: lmc (the default fit: logit accuracies, task-specific kernel), icm (one kernel) or
// identity (accuracies as they are).
//   encoding: bezier2 (default; a full grid of candidates) or per-layer (Halton samples)
//   budget:   total cost per run (default 610: 40 evaluations of the 15-epoch target task)
//
// A run's recommendation is the Pareto front, over memory, of the configurations it evaluated,
// ranked by its own estimate of target-task accuracy (posterior mean, or the observed value for
// random search); the front is scored with the problem's true, noise-free target accuracy.
#include "search/candidates.h"
#include "search/pareto.h"
#include "search/search_loop.h"
#include "search/strategies.h"
#include "search/synthetic_problem.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

using namespace quantscope;

namespace {

struct Run {
    std::vector<double> cost;
    std::vector<double> hypervolume;
};

double recommendedHypervolume(SearchLoop& loop, const SyntheticProblem& problem, const TradeOff& reference)
{
    const CandidatePool& pool = loop.pool();
    const auto estimates = loop.estimates();
    std::vector<TradeOff> estimated;
    for (const auto& [candidate, value] : estimates)
        estimated.push_back({problem.memoryMB(pool.bits(candidate)), value});
    std::vector<TradeOff> truth;
    for (size_t i : paretoFront(estimated)) {
        const BitConfig& bits = pool.bits(estimates[i].first);
        truth.push_back({problem.memoryMB(bits), problem.trueAccuracy(bits, problem.targetTask())});
    }
    return hypervolume(truth, reference);
}

/// First cost at which the run reaches `level`, or a negative number if it never does.
double costToReach(const Run& run, double level)
{
    for (size_t i = 0; i < run.cost.size(); ++i)
        if (run.hypervolume[i] >= level)
            return run.cost[i];
    return -1;
}

} // namespace

int main(int argc, char** argv)
{
    const std::string encodingName = argc > 1 ? argv[1] : "bezier2";
    const int seeds = argc > 2 ? std::atoi(argv[2]) : 20;
    const double budget = argc > 3 ? std::atof(argv[3]) : 610.0;
    const std::string csvPath = argc > 4 && std::string(argv[4]) != "-" ? argv[4] : "";
    std::vector<std::string> names = {"nuq", "ei", "ucb", "random"};
    if (argc > 5) { // a comma-separated subset
        names.clear();
        std::stringstream list(argv[5]);
        for (std::string name; std::getline(list, name, ',');)
            names.push_back(name);
    }

    const std::string model = argc > 6 ? argv[6] : "lmc";
    if (model != "lmc" && model != "icm" && model != "identity") {
        std::fprintf(stderr, "unknown model '%s': expected lmc, icm or identity\n", model.c_str());
        return 2;
    }

    const SyntheticProblem problem = SyntheticProblem::standard(9, 0);
    const auto encoding = makeEncoding(encodingName, problem.layerCount());
    CandidatePool pool(*encoding);
    if (encoding->name() == "per-layer")
        fillHalton(pool, 2000, 1, 8);
    else
        fillGrid(pool, encoding->dim() <= 2 ? 33 : 17);

    // The best-known front: for curve encodings the best the candidate grid allows; for the
    // per-layer encoding, which can reach any configuration, the problem's exact front.
    std::vector<TradeOff> all;
    const bool perLayer = encoding->name() == "per-layer";
    const std::vector<BitConfig> bestConfigs = perLayer ? problem.paretoFront() : std::vector<BitConfig>{};
    for (size_t c = 0; c < (perLayer ? bestConfigs.size() : pool.size()); ++c) {
        const BitConfig& bits = perLayer ? bestConfigs[c] : pool.bits(c);
        all.push_back({problem.memoryMB(bits), problem.trueAccuracy(bits, problem.targetTask())});
    }
    const TradeOff reference{problem.memoryMB(BitConfig::uniform(8, problem.layerCount())), 70.0};
    const double best = hypervolume(all, reference);

    std::printf("synthetic problem: %zu layers, tasks with costs", problem.layerCount());
    for (const auto& task : problem.tasks())
        std::printf(" %.2f", task.cost);
    std::printf("; encoding %s, %zu candidates; %d seeds; budget %.0f\n", encoding->name().c_str(), pool.size(), seeds,
                budget);
    std::printf("hypervolume reference (%.4f MB, %.0f %%), best-known hypervolume %.4f\n\n", reference.cost,
                reference.value, best);

    std::ofstream csv;
    if (!csvPath.empty()) {
        csv.open(csvPath);
        csv << "strategy,seed,cost,hypervolume,fraction_of_best\n";
    }
    std::vector<std::vector<double>> reachCosts(names.size());
    std::vector<std::vector<double>> finalFractions(names.size());
    for (size_t s = 0; s < names.size(); ++s) {
        const auto strategy = makeStrategy(names[s]);
        for (int seed = 0; seed < seeds; ++seed) {
            SearchLoopOptions options;
            for (const auto& task : problem.tasks())
                options.defaultTaskCosts.push_back(task.cost);
            options.fit.restarts = 2;
            if (model == "icm")
                options.fit.specificKernel = false;
            if (model == "identity")
                options.transform = AccuracyTransform(AccuracyTransform::Kind::Identity);
            options.seed = uint64_t(1000 + seed);
            // The study runner's default design (StudySpec::initialCheap, initialTarget).
            const int cheap = pool.encoding().dim() + 3;
            if (strategy->multiTask())
                options.initialDesign = {{0, cheap}, {problem.targetTask(), 2}};
            else if (strategy->usesModel())
                options.initialDesign = {{problem.targetTask(), 3}};
            if (perLayer && strategy->usesModel()) {
                // Model-based searches also explore around their current front.
                options.paretoMutations = 2;
                options.costOf = [&problem](const BitConfig& bits) { return problem.memoryMB(bits); };
            }
            SearchLoop loop(pool, *strategy, problem.taskCount(), options);
            std::mt19937_64 noise(uint64_t(seed) * 7919 + 17);
            const auto evaluate = [&](const BitConfig& bits, int task) {
                return Evaluation{problem.observe(bits, task, noise), problem.tasks()[size_t(task)].cost, std::nullopt};
            };
            Run run;
            while (loop.spentCost() < budget) {
                loop.step(evaluate);
                run.cost.push_back(loop.spentCost());
                run.hypervolume.push_back(recommendedHypervolume(loop, problem, reference));
                if (csv)
                    csv << names[s] << ',' << seed << ',' << run.cost.back() << ',' << run.hypervolume.back() << ','
                        << run.hypervolume.back() / best << '\n';
            }
            reachCosts[s].push_back(costToReach(run, 0.95 * best));
            finalFractions[s].push_back(run.hypervolume.back() / best);
        }
        std::fprintf(stderr, "%s done\n", names[s].c_str());
    }

    std::printf("| strategy | runs reaching 95 %% | median cost to 95 %% | mean cost to 95 %% (reached) | median HV / "
                "best at budget |\n");
    std::printf("|---|---:|---:|---:|---:|\n");
    std::vector<double> medians(names.size(), -1);
    for (size_t s = 0; s < names.size(); ++s) {
        std::vector<double> costs = reachCosts[s];
        // Runs that never reach count as infinitely expensive.
        for (double& c : costs)
            if (c < 0)
                c = 1e300;
        std::sort(costs.begin(), costs.end());
        const double median = costs[costs.size() / 2];
        medians[s] = median < 1e299 ? median : -1;
        double sum = 0;
        int reached = 0;
        for (double c : reachCosts[s])
            if (c >= 0) {
                sum += c;
                ++reached;
            }
        std::vector<double> fractions = finalFractions[s];
        std::sort(fractions.begin(), fractions.end());
        char medianText[32];
        std::snprintf(medianText, sizeof medianText, medians[s] >= 0 ? "%.1f" : "> %.0f",
                      medians[s] >= 0 ? medians[s] : budget);
        std::printf("| %s | %d / %d | %s | %.1f | %.4f |\n", names[s].c_str(), reached, seeds, medianText,
                    reached ? sum / reached : 0.0, fractions[fractions.size() / 2]);
    }
    if (names.front() == "nuq" && medians[0] > 0) {
        std::printf("\nmedian cost to 95 %% of the best-known hypervolume, relative to nuq:");
        for (size_t s = 1; s < names.size(); ++s) {
            if (medians[s] > 0)
                std::printf(" %s %.2fx", names[s].c_str(), medians[s] / medians[0]);
            else
                std::printf(" %s > %.2fx", names[s].c_str(), budget / medians[0]);
        }
        std::printf("\n");
    }
    return 0;
}
