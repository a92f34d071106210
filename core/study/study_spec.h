#pragma once

#include "data/data_settings.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace quantscope {

/// Where tasks lie on the GP's budget axis and which of them are alike (MtgpFitOptions::taskPositions,
/// taskGroups), from each task's fine-tuning steps: log(1 + steps), and quantization alone (0
/// steps) apart from the fine-tuned budgets, where the steps tell every task apart; else the tasks'
/// indices (tasks are listed from the cheapest budget to the target) and one group.
struct BudgetAxis {
    std::vector<double> positions;
    std::vector<int> groups;
};
BudgetAxis budgetAxis(const std::vector<int64_t>& taskSteps);

/// One fine-tuning budget of a study (a task of the multi-task GP).
struct StudyTask {
    std::string name;
    int64_t steps = 0; ///< fine-tuning optimizer steps; 0 = quantize only
    double cost = 1.0; ///< default cost (seconds) until evaluations are measured
};

/// How a study's trials run as Slurm jobs (`executor` "slurm", docs/slurm.md).
struct SlurmSettings {
    std::string partition;               ///< sbatch --partition (empty: the cluster's default)
    std::string timeLimit;               ///< sbatch --time, e.g. "01:00:00" (empty: the partition's)
    int cpus = 0;                        ///< --cpus-per-task (0: the study's evaluation threads, at least 1)
    std::string memory;                  ///< --mem, e.g. "8G" (empty: the partition's default)
    std::string gres;                    ///< --gres, e.g. "gpu:1"
    std::vector<std::string> sbatchArgs; ///< more sbatch arguments, passed as given
    std::vector<std::string> setup;      ///< shell lines each job runs first (module loads, environments)
    std::string jobsFolder;              ///< shared folder for requests and results (empty: next to the study file)
    std::string program;                 ///< quantscope-cli on the compute nodes (empty: the runner's own)
    int maxRequeues = 2;                 ///< resubmissions of a trial after preemption or node failure
    double pollSeconds = 10;             ///< one squeue for all of the study's jobs this often
};

/// The "ebs" strategy's search jobs (docs/ebs.md): each searches per-layer widths for one memory
/// budget in one training run; the study then evaluates the result on its target task.
struct EbsSweepSettings {
    /// Memory budgets in MB, one search job each, in order; empty: spread over the range between
    /// every layer at the lowest candidate and every layer at the highest, halving the gaps
    /// (1/2, 1/4, 3/4, 1/8, ... of the way) until the study's budget is spent.
    std::vector<double> budgets;
    std::vector<int> candidates = {1, 2, 3, 4, 8}; ///< each layer's widths (weights and input together)
    int64_t steps = 300;                           ///< optimizer steps of each search job
};

/// Everything that defines a study: what is searched, how it is evaluated, and the budget.
/// Read from and written to JSON (docs/studies.md).
struct StudySpec {
    std::string name = "default";
    std::string evaluator = "torch"; ///< torch, synthetic or command

    // What is quantized (torch evaluator).
    std::string model;            ///< model file (Quantscope's or TorchScript); empty: the shipped model
    std::vector<float> inputMean; ///< TorchScript models: per-channel normalisation (x - mean) / std
    std::vector<float> inputStd;
    /// The data set, its splits and, for an image folder, how it is read (docs/data.md). Its
    /// fields are stored flat in the JSON ("dataset", "data_dir", "resize", ...).
    DataSettings data;
    std::string quantizer = "dsconv";
    bool quantizeImageInput = false;
    int threads = 0; ///< compute threads of each evaluation (0: LibTorch's default)
    int workers = 1; ///< evaluations run at once (worker processes, docs/studies.md)
    /// Where trials run: "local" (this machine) or "slurm" (one job per trial, `workers` jobs at once).
    std::string executor = "local";
    SlurmSettings slurm;

    // The synthetic evaluator.
    int syntheticLayers = 9;
    uint64_t syntheticSeed = 0;
    double syntheticDelay = 0; ///< seconds each synthetic evaluation sleeps (tests, demos)

    // The external-command evaluator.
    std::vector<std::string> command;
    double commandTimeout = 3600;

    // The search.
    std::vector<StudyTask> tasks;
    /// The task whose accuracy the study reports and optimises: the last, most expensive one
    /// (validate() guarantees there is one).
    int targetTask() const { return int(tasks.size()) - 1; }
    const StudyTask& target() const { return tasks.back(); }
    std::string encoding = "bezier2";
    std::string strategy = "ehvi";    ///< docs/search.md; the benchmarks in docs/benchmarks.md chose it
    EbsSweepSettings ebs;             ///< the "ebs" strategy's search jobs
    int batch = 1;                    ///< proposals per step (parallel evaluations)
    std::optional<int> budgetTrials;  ///< stop after this many completed trials...
    std::optional<double> budgetCost; ///< ...or this much cost (seconds)
    double effectiveK = 1.0;
    uint64_t seed = 0;
    /// The initial design before the strategy takes over (docs/search.md): space-filling
    /// configurations on the cheapest task, both ends included (0: automatic, the encoding's
    /// dimension + 3), then this many of them on the target task.
    int initialCheap = 0;
    int initialTarget = 2;
    /// Evaluate uniform 8/4/3/2-bit on the target task after the initial design, so that the
    /// front is compared with measured baselines (NUQ's Table 1). On in defaults().
    bool measureBaselines = false;

    /// The default study: the shipped model on Fashion-MNIST, NUQ's tasks and strategy.
    static StudySpec defaults();
    /// The default study on the synthetic problem (docs/search.md): its four tasks, in nominal cost
    /// units (quantize only, 1, 2 and 15 epochs).
    static StudySpec synthetic();
    /// The initial design's size on the cheapest task, for an encoding of `encodingDim` inputs.
    int initialCheapCount(int encodingDim) const { return initialCheap > 0 ? initialCheap : encodingDim + 3; }
    /// The task with the lowest default cost (the first of equals).
    int cheapestTask() const;
    /// The tasks on the GP's budget axis (budgetAxis of their steps).
    BudgetAxis taskAxis() const;
    /// Compute threads of one evaluation: `threads`, or with several workers and `threads` 0 the
    /// machine's cores shared out among them; 0 means LibTorch's default.
    int evaluationThreads() const;
    /// The fine-tuning seed of trial `trialId`: what the runner evaluates with and a "trial"
    /// export re-runs with.
    uint64_t trialSeed(int64_t trialId) const { return seed + uint64_t(trialId); }
    /// Throws ConfigError naming the first invalid field.
    void validate() const;
    std::string toJson() const;
    /// Parses and validates; fields left out keep their defaults. ConfigError naming the field.
    static StudySpec fromJson(const std::string& json);
};

} // namespace quantscope
