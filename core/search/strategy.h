#pragma once

#include "gp/accuracy_transform.h"
#include "gp/multitask_gp.h"
#include "search/candidates.h"

#include <limits>
#include <memory>
#include <random>
#include <string>
#include <vector>

namespace quantscope {

/// What a strategy sees when it proposes. Tasks are the model's task indices.
struct AcquisitionContext {
    const MultiTaskGP* model = nullptr; ///< conditioned on what the strategy may use; null: no data yet
    const CandidatePool* pool = nullptr;
    std::vector<double> bitSums; ///< sum of bits per candidate, for effective accuracy
    size_t layerCount = 0;
    double effectiveK = 1.0;       ///< E = a - (sum b - 4 n) / k
    std::vector<double> taskCosts; ///< lambda_l per task, in the budget's unit
    int targetTask = 0;
    int iteration = 1;                       ///< 1-based number of the proposal being made
    std::vector<std::vector<char>> excluded; ///< [task][candidate]: already evaluated or pending
    std::vector<size_t> referenceSet;        ///< candidates forming NUQ's reference grid G
    AccuracyTransform transform;             ///< how the model's targets relate to accuracy
    /// The front's cost axis per candidate (memory in MB, or BOPs); empty when the search has none.
    std::vector<double> candidateCosts;
    /// The lowest target accuracy worth a place on the front (the hypervolume's reference);
    /// NaN: 20 points below the best target estimate so far.
    double frontFloor = std::numeric_limits<double>::quiet_NaN();

    int taskCount() const { return int(taskCosts.size()); }
    bool available(int task, size_t candidate) const { return !excluded[size_t(task)][candidate]; }
};

/// A (configuration, task) to evaluate next and why.
struct Proposal {
    size_t candidate = 0;
    int task = 0;
    double score = 0;
    std::string reason;
};

/// A pluggable "propose next (configuration, task)" step.
class Strategy {
public:
    virtual ~Strategy() = default;
    virtual std::string name() const = 0;
    /// Whether the model may use every task's data; single-task strategies see the target task only.
    virtual bool multiTask() const { return true; }
    /// Whether the strategy needs a model at all.
    virtual bool usesModel() const { return true; }
    /// Whether its configurations come from search jobs the study runner runs (EbsSweep) rather
    /// than from the candidate pool.
    virtual bool runsSearchJobs() const { return false; }

    /// The best next evaluation; throws ConfigError when no (candidate, task) is left.
    virtual Proposal proposeOne(const AcquisitionContext& context, std::mt19937_64& rng) const = 0;

    /// The value the strategy maximises, per candidate (for NUQ: the best information about the
    /// target per unit cost over the tasks). Empty when it has none (random, or no model yet).
    virtual Eigen::VectorXd acquisition(const AcquisitionContext& /*context*/) const { return {}; }
    /// `q` distinct proposals for parallel evaluation: after each pick the model is told the
    /// posterior mean there as if observed ("kriging believer"), so the next pick looks elsewhere.
    std::vector<Proposal> propose(const AcquisitionContext& context, int q, std::mt19937_64& rng) const;
};

/// "nuq" (information about the target task per unit cost, GP-UCB every k-th step), "ehvi"
/// (multi-fidelity expected hypervolume improvement of the target front, FrontStrategy), "ei",
/// "ucb" (single-task GP-UCB on the target task), "random" or "ebs" (SearchJobStrategy).
/// ConfigError otherwise.
std::unique_ptr<Strategy> makeStrategy(const std::string& name);

} // namespace quantscope
