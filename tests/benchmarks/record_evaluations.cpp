// Records real evaluations of the shipped model (or another network of the zoo) on Fashion-MNIST,
// the default study's setting (DSConv, search split of 2,000 images, NUQ's fine-tuning), for
// judging the GP on data it did not shape (docs/calibration.md). A fixed, seeded list of jobs:
// one configuration, a set of budgets (0 = quantize only, 50, 150, 600 steps: the default study's
// tasks) and a fine-tuning seed. Each job quantizes once and scores every budget on the way
// through one fine-tuning run (evaluateAtBudgets; identical to separate evaluations under NUQ's
// constant learning rate).
//
// Usage: record_evaluations OUT.csv [threads] [max-jobs] [MODEL.pt]
// (max-jobs 0: all; MODEL.pt: another network instead of the shipped one, e.g. ResNet-20: the same
// jobs, sized to its layers.)
// Appends one row per (job, budget) and flushes after each job; rerunning resumes after the jobs
// already in OUT.csv. Columns: job, design, config, task, steps, seed, accuracy, seconds (the
// cost of a separate evaluation of that budget).
#include "benchmark_main.h"
#include "data/dataset.h"
#include "model/default_model.h"
#include "model/network.h"
#include "search/candidates.h"
#include "search/encoding.h"
#include "search/initial_design.h"
#include "search/trial_csv.h"
#include "study/study_spec.h"
#include "train/device.h"
#include "train/quantized_evaluation.h"

#include <algorithm>
#include <chrono>
#include <numeric>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <random>
#include <set>
#include <string>
#include <vector>

using namespace quantscope;

namespace {

const std::vector<int64_t> kTaskSteps = {0, 50, 150, 600}; // StudySpec::defaults()' tasks

struct Job {
    std::string design;
    BitConfig bits;
    size_t budgets = 1; // the first `budgets` of kTaskSteps
    uint64_t seed = 0;
};

BitConfig fromLevels(const std::vector<int>& levels)
{
    std::vector<LayerBits> layers;
    for (int b : levels)
        layers.push_back({b, b});
    return BitConfig(std::move(layers));
}

/// Bits falling (or rising) linearly with depth from `first` to `last`: NUQ's "more bits early".
BitConfig ramp(int first, int last, size_t layers)
{
    std::vector<int> levels;
    for (size_t i = 0; i < layers; ++i)
        levels.push_back(int(std::lround(first + (last - first) * double(i) / double(layers - 1))));
    return fromLevels(levels);
}

/// Configurations of the study's quadratic Bezier family at Halton points [start, start + count).
std::vector<BitConfig> bezierPoints(const Encoding& bezier2, uint64_t start, int count)
{
    std::vector<BitConfig> out;
    for (uint64_t i = start; i < start + uint64_t(count); ++i)
        out.push_back(
            bezier2.decode(Eigen::Vector3d(radicalInverse(i, 2), radicalInverse(i, 3), radicalInverse(i, 5))));
    return out;
}

std::vector<BitConfig> randomConfigs(size_t layers, int count, std::mt19937_64& rng)
{
    std::uniform_int_distribution<int> bit(1, 8);
    std::vector<BitConfig> out;
    for (int c = 0; c < count; ++c) {
        std::vector<int> levels;
        for (size_t i = 0; i < layers; ++i)
            levels.push_back(bit(rng));
        out.push_back(fromLevels(levels));
    }
    return out;
}

/// Takes one from each design in turn, so that a partial recording is balanced.
void interleave(std::vector<Job>& jobs, std::vector<std::vector<Job>> designs)
{
    for (size_t round = 0;; ++round) {
        bool any = false;
        for (const auto& design : designs)
            if (round < design.size()) {
                jobs.push_back(design[round]);
                any = true;
            }
        if (!any)
            return;
    }
}

std::vector<Job> makeJobs(size_t layers)
{
    const auto bezier2 = makeEncoding("bezier2", layers);
    std::mt19937_64 rng(20261201);
    const auto asJobs = [](const std::string& design, const std::vector<BitConfig>& configs, size_t budgets) {
        std::vector<Job> out;
        for (const BitConfig& c : configs)
            out.push_back({design, c, budgets, 0});
        return out;
    };
    std::vector<Job> jobs;

    // 1. Quantize only: every uniform width, every linear ramp, space-filling Bezier curves, random.
    std::vector<BitConfig> uniform, ramps;
    for (int b = 8; b >= 1; --b)
        uniform.push_back(BitConfig::uniform(b, layers));
    for (int a = 1; a <= 8; ++a)
        for (int b = 1; b <= 8; ++b)
            if (a != b)
                ramps.push_back(ramp(a, b, layers));
    interleave(jobs,
               {asJobs("uniform", uniform, 1), asJobs("ramp", ramps, 1),
                asJobs("bezier2", bezierPoints(*bezier2, 1, 120), 1),
                asJobs("random", randomConfigs(layers, 120, rng), 1)});

    // 2. All four budgets (the target included), with two configurations repeated under other seeds.
    std::vector<Job> target;
    interleave(
        target,
        {asJobs("uniform", {uniform[0], uniform[4], uniform[5], uniform[6], uniform[7]}, 4),
         asJobs("ramp",
                {ramp(8, 2, layers), ramp(2, 8, layers), ramp(6, 3, layers), ramp(3, 6, layers), ramp(7, 4, layers)},
                4),
         asJobs("bezier2", bezierPoints(*bezier2, 200, 18), 4), asJobs("random", randomConfigs(layers, 12, rng), 4)});
    jobs.insert(jobs.end(), target.begin(), target.begin() + 20);
    for (const BitConfig& c : {uniform[5], ramp(6, 3, layers)})
        for (int r = 0; r < 2; ++r)
            jobs.push_back({"repeat", c, 4, 0});
    jobs.insert(jobs.end(), target.begin() + 20, target.end());

    // 3. The short budgets only, and three configurations repeated there.
    interleave(
        jobs,
        {asJobs("ramp",
                {ramp(8, 1, layers), ramp(1, 8, layers), ramp(5, 2, layers), ramp(2, 5, layers), ramp(8, 4, layers),
                 ramp(4, 8, layers), ramp(6, 1, layers), ramp(1, 6, layers), ramp(7, 3, layers), ramp(3, 7, layers)},
                3),
         asJobs("bezier2", bezierPoints(*bezier2, 300, 30), 3), asJobs("random", randomConfigs(layers, 20, rng), 3)});
    for (const BitConfig& c : {uniform[6], ramp(5, 2, layers), ramp(8, 2, layers)})
        for (int r = 0; r < 2; ++r)
            jobs.push_back({"repeat", c, 3, 0});

    // 4. The default study's initial design, wherever the jobs above lack it, so that tests can
    //    replay a fresh default study from recorded data. Run first (see main).
    const StudySpec spec = StudySpec::defaults();
    CandidatePool grid(*bezier2);
    fillStudyCandidates(grid);
    std::vector<double> sums;
    for (size_t c = 0; c < grid.size(); ++c)
        sums.push_back(bitSum(grid.bits(c)));
    const std::vector<InitialDesign> design = {{spec.cheapestTask(), spec.initialCheapCount(bezier2->dim())},
                                               {int(spec.tasks.size()) - 1, spec.initialTarget}};
    for (const auto& [c, task] : planInitialDesign(grid.inputs(), sums, design, 4)) {
        const size_t budgets = size_t(task) + 1;
        const bool covered = std::any_of(jobs.begin(), jobs.end(), [&, c = c](const Job& j) {
            return j.bits == grid.bits(c) && j.budgets >= budgets && j.design != "repeat";
        });
        const auto same = std::find_if(jobs.begin(), jobs.end(), [&, c = c](const Job& j) {
            return j.design == "design" && j.bits == grid.bits(c);
        });
        if (covered)
            continue;
        if (same != jobs.end())
            same->budgets = std::max(same->budgets, budgets);
        else
            jobs.push_back({"design", grid.bits(c), budgets, 0});
    }

    // Each job fine-tunes with its own seed, as a study's trials do.
    for (size_t j = 0; j < jobs.size(); ++j)
        jobs[j].seed = 1000 + j;
    return jobs;
}

std::set<size_t> recordedJobs(const std::string& path)
{
    std::set<size_t> done;
    std::ifstream in(path);
    std::string line;
    std::getline(in, line); // header
    while (std::getline(in, line))
        if (!line.empty())
            done.insert(size_t(std::stoull(splitCsvLine(line).at(0))));
    return done;
}

int record(int argc, char** argv)
{
    if (argc < 2) {
        std::fprintf(stderr, "usage: record_evaluations OUT.csv [threads] [max-jobs] [MODEL.pt]\n");
        return 2;
    }
    const std::string path = argv[1];
    setComputeThreads(argc > 2 ? std::atoi(argv[2]) : 2);
    const size_t maxJobs = argc > 3 && std::atoll(argv[3]) > 0 ? size_t(std::atoll(argv[3])) : size_t(-1);

    const Network base = Network::load(argc > 4 ? std::string(argv[4]) : defaultModelPath());
    const Dataset data = loadDataset(DatasetKind::FashionMnist);
    const DataSplits splits = splitDataset(data); // the default study's split: 2,000 search images, seed 0
    const EvaluationData evaluation = EvaluationData::of(splits, splits.search);
    const std::vector<Job> jobs = makeJobs(base.layers().size());
    const std::set<size_t> done = recordedJobs(path);

    const bool fresh = done.empty() && !std::ifstream(path).good();
    std::ofstream out(path, std::ios::app);
    if (!out) {
        std::fprintf(stderr, "cannot write %s\n", path.c_str());
        return 1;
    }
    if (fresh)
        out << "job,design,config,task,steps,seed,accuracy,seconds\n";
    std::fprintf(stderr, "%zu jobs, %zu already recorded in %s\n", jobs.size(), done.size(), path.c_str());
    // The default study's design first: tests need it whole.
    std::vector<size_t> order(jobs.size());
    std::iota(order.begin(), order.end(), size_t{0});
    std::stable_partition(order.begin(), order.end(), [&](size_t j) { return jobs[j].design == "design"; });
    size_t ran = 0;
    for (size_t j : order) {
        if (ran >= maxJobs)
            break;
        if (done.count(j))
            continue;
        const Job& job = jobs[j];
        const std::vector<int64_t> budgets(kTaskSteps.begin(), kTaskSteps.begin() + long(job.budgets));
        const std::vector<EvaluationResult> results =
            evaluateAtBudgets(base, evaluation, job.bits, QuantSettings{}, budgets, job.seed);
        for (size_t t = 0; t < results.size(); ++t) {
            char row[256];
            std::snprintf(row, sizeof row, "%zu,%s,\"%s\",%zu,%lld,%llu,%.2f,%.3f\n", j, job.design.c_str(),
                          job.bits.toString().c_str(), t, static_cast<long long>(budgets[t]),
                          static_cast<unsigned long long>(job.seed), results[t].accuracy, results[t].seconds);
            out << row;
        }
        out.flush();
        std::fprintf(stderr, "job %zu/%zu %-8s %s: %s\n", j + 1, jobs.size(), job.design.c_str(),
                     job.bits.toString().c_str(),
                     [&] {
                         std::string s;
                         for (const EvaluationResult& r : results)
                             s += std::to_string(r.accuracy).substr(0, 5) + " ";
                         return s;
                     }()
                         .c_str());
        ++ran;
    }
    return 0;
}

} // namespace

int main(int argc, char** argv)
{
    return runReportingErrors("record_evaluations", record, argc, argv);
}
