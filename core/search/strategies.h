#pragma once

#include "search/strategy.h"

namespace quantscope {

/// NUQ's strategy: every `ucbEvery`-th proposal evaluates the target task at the GP-UCB
/// maximiser of effective accuracy; the others choose the (configuration, task) with the most
/// information about the target task per unit cost (Song et al.'s low-fidelity search).
/// Unlike NUQ's public code, the argmax is taken for the task that is chosen.
class NuqStrategy final : public Strategy {
public:
    explicit NuqStrategy(int ucbEvery = 5) : ucbEvery_(ucbEvery) {}
    std::string name() const override { return "nuq"; }
    Proposal proposeOne(const AcquisitionContext& context, std::mt19937_64& rng) const override;
    Eigen::VectorXd acquisition(const AcquisitionContext& context) const override;

private:
    int ucbEvery_;
};

/// Expected improvement of effective accuracy on the target task over the best posterior mean
/// among configurations already evaluated there. Uses every task's data through the model.
class ExpectedImprovementStrategy final : public Strategy {
public:
    std::string name() const override { return "ei"; }
    Proposal proposeOne(const AcquisitionContext& context, std::mt19937_64& rng) const override;
};

/// The single-task baseline: GP-UCB of effective accuracy on the target task, with a model
/// that sees only target-task evaluations.
class SingleTaskUcbStrategy final : public Strategy {
public:
    std::string name() const override { return "ucb"; }
    bool multiTask() const override { return false; }
    Proposal proposeOne(const AcquisitionContext& context, std::mt19937_64& rng) const override;
};

/// Uniform random configurations on the target task.
class RandomStrategy final : public Strategy {
public:
    std::string name() const override { return "random"; }
    bool multiTask() const override { return false; }
    bool usesModel() const override { return false; }
    Proposal proposeOne(const AcquisitionContext& context, std::mt19937_64& rng) const override;
};

/// EBS (docs/ebs.md): its configurations come from search jobs that train the network, which
/// the study runner runs (EbsSweep), not from the candidate pool; in the search loop it proposes
/// only the initial design and fixed evaluations (the measured baselines).
class SearchJobStrategy final : public Strategy {
public:
    std::string name() const override { return "ebs"; }
    bool multiTask() const override { return false; }
    bool usesModel() const override { return false; }
    bool runsSearchJobs() const override { return true; }
    /// Throws ConfigError: the pool has no proposal of this strategy's.
    Proposal proposeOne(const AcquisitionContext& context, std::mt19937_64& rng) const override;
};

/// GP-UCB on the target task, shared by NUQ's strategy and the single-task baseline.
Proposal ucbProposal(const AcquisitionContext& context);

} // namespace quantscope
