// The search strategies on real evaluations: replays the recorded evaluations of the shipped model
// (record_evaluations; docs/calibration.md) as the study's evaluator. The candidates are the
// configurations recorded at every budget; an evaluation returns a recorded accuracy (repeats in
// turn, from a seed-dependent start) and costs the task's mean recorded seconds. The yardstick is
// the front of the candidates' mean 600-step accuracies. A run's result is the front of what it
// evaluated at 600 steps, ranked by its own estimate, scored with those means (front_benchmark.h).
//
// Usage: strategy_replay EVALUATIONS.csv [seeds] [OUT.csv or -] [strategies] [budget in target evaluations]
// Defaults: 10 seeds, no CSV, nuq,ehvi,ei,ucb,random, 12 target evaluations.
#include "model/default_model.h"
#include "model/network.h"
#include "quant/cost_model.h"
#include "quant/quantizer.h"
#include "search/candidates.h"
#include "search/search_loop.h"
#include "search/strategies.h"
#include "search/trial_csv.h"

#include "front_benchmark.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <string>

using namespace quantscope;
using namespace quantscope::bench;

namespace {

constexpr int kTasks = 4;
constexpr int kTarget = kTasks - 1;

struct Recorded {
    std::vector<double> accuracies[kTasks];
    double seconds[kTasks] = {};
};

/// config -> what was recorded for it; `taskSeconds` gets each task's mean recorded seconds.
std::map<std::string, Recorded> readRecording(const std::string& path, std::vector<double>& taskSeconds)
{
    std::ifstream in(path);
    std::string line;
    std::getline(in, line);
    const std::vector<std::string> header = splitCsvLine(line);
    const auto column = [&](const std::string& name) {
        const auto found = std::find(header.begin(), header.end(), name);
        if (found == header.end()) {
            std::fprintf(stderr, "%s has no '%s' column\n", path.c_str(), name.c_str());
            std::exit(2);
        }
        return size_t(found - header.begin());
    };
    const size_t config = column("config"), task = column("task"), accuracy = column("accuracy"),
                 seconds = column("seconds");
    std::map<std::string, Recorded> out;
    std::vector<double> sums(kTasks, 0), counts(kTasks, 0);
    while (std::getline(in, line)) {
        const std::vector<std::string> fields = splitCsvLine(line);
        const int t = std::atoi(fields.at(task).c_str());
        Recorded& r = out[fields.at(config)];
        r.accuracies[t].push_back(std::atof(fields.at(accuracy).c_str()));
        sums[size_t(t)] += std::atof(fields.at(seconds).c_str());
        ++counts[size_t(t)];
    }
    taskSeconds.resize(kTasks);
    for (int t = 0; t < kTasks; ++t)
        taskSeconds[size_t(t)] = sums[size_t(t)] / std::max(1.0, counts[size_t(t)]);
    return out;
}

} // namespace

int main(int argc, char** argv)
{
    if (argc < 2) {
        std::fprintf(stderr, "usage: strategy_replay EVALUATIONS.csv [seeds] [OUT.csv or -] [strategies] [budget]\n");
        return 2;
    }
    const int seeds = argc > 2 ? std::atoi(argv[2]) : 10;
    const std::string csvPath = argc > 3 && std::string(argv[3]) != "-" ? argv[3] : "";
    const std::vector<std::string> names = splitList(argc > 4 ? argv[4] : "nuq,ehvi,ei,ucb,random");
    const double budgetTargets = argc > 5 ? std::atof(argv[5]) : 12.0;

    std::vector<double> taskSeconds;
    const std::map<std::string, Recorded> recording = readRecording(argv[1], taskSeconds);
    const Network network = Network::load(defaultModelPath());
    const std::vector<std::string> layerNames = network.layerNames();
    const auto quantizer = makeQuantizer(parseQuantizerKind("dsconv"));
    const auto memory = [&](const BitConfig& bits) { return computeCost(network.layers(), bits, *quantizer).memoryMB; };

    const auto encoding = makeEncoding("per-layer", layerNames.size());
    CandidatePool pool(*encoding);
    std::map<std::string, const Recorded*> byConfig; // BitConfig::toString() -> recording
    std::map<std::string, double> truthOf;
    for (const auto& [config, recorded] : recording) {
        bool complete = true;
        for (int t = 0; t < kTasks; ++t)
            complete = complete && !recorded.accuracies[t].empty();
        if (!complete)
            continue;
        const BitConfig bits = BitConfig::parse(config, layerNames);
        pool.add(bits);
        byConfig[bits.toString()] = &recorded;
        const auto& target = recorded.accuracies[kTarget];
        truthOf[bits.toString()] = std::accumulate(target.begin(), target.end(), 0.0) / double(target.size());
    }
    const auto truth = [&](const BitConfig& bits) { return truthOf.at(bits.toString()); };
    double largest = 0;
    std::vector<TradeOff> all;
    for (size_t c = 0; c < pool.size(); ++c) {
        all.push_back({memory(pool.bits(c)), truth(pool.bits(c))});
        largest = std::max(largest, all.back().cost);
    }
    const TradeOff reference{largest * 1.001, 80.0};
    const double best = hypervolume(all, reference);
    const double targetCost = taskSeconds[kTarget];
    const double budget = budgetTargets * targetCost;
    std::printf("%zu configurations recorded at every budget; mean seconds per task %.1f / %.1f / %.1f / %.1f; "
                "budget %.0f target evaluations, %d seeds; reference (%.4f MB, %.0f %%), best hypervolume %.5f\n\n",
                pool.size(), taskSeconds[0], taskSeconds[1], taskSeconds[2], taskSeconds[3], budgetTargets, seeds,
                reference.cost, reference.value, best);

    std::ofstream csv;
    if (!csvPath.empty()) {
        csv.open(csvPath);
        csv << "strategy,seed,evaluation,task,cost_in_target_evaluations,fraction_of_best\n";
    }
    compareStrategies(names, seeds, budgetTargets, [&](const Strategy& strategy, const std::string& name, int seed) {
        // The pool stays fixed (no mutations): only recorded configurations can be evaluated.
        const SearchLoopOptions options = benchmarkOptions(strategy, taskSeconds, seed, encoding->dim(), memory);
        SearchLoop loop(pool, strategy, kTasks, options);
        std::map<std::pair<std::string, int>, size_t> drawn;
        const auto evaluate = [&](const BitConfig& bits, int task) {
            const std::vector<double>& values = byConfig.at(bits.toString())->accuracies[task];
            const size_t turn = drawn[{bits.toString(), task}]++;
            return Evaluation{values[(size_t(seed) + turn) % values.size()], taskSeconds[size_t(task)], std::nullopt};
        };
        return runToBudget(
            loop, evaluate, budget, targetCost, int(pool.size()) * kTasks,
            [&] { return measuredFrontHypervolume(loop, memory, truth, reference) / best; },
            [&](int evaluation, int task, double cost, double fraction) {
                if (csv)
                    csv << name << ',' << seed << ',' << evaluation << ',' << task << ',' << cost << ',' << fraction
                        << '\n';
            });
    });
    return 0;
}
