#pragma once

#include "gp/mtgp_fit.h"
#include "gp/multitask_gp.h"
#include "search/candidates.h"
#include "search/initial_design.h"
#include "search/strategy.h"

#include <functional>
#include <limits>
#include <memory>
#include <optional>
#include <random>
#include <utility>
#include <vector>

namespace quantscope {

/// The outcome of one evaluation: the measured value (accuracy) and what it cost (e.g. seconds).
struct Evaluation {
    double value = 0;
    double cost = 0;
    /// The configuration's place on the front's cost axis as the evaluator reported it (e.g. an
    /// external evaluator's memory); replaces `SearchLoopOptions::costOf`'s estimate from then on.
    std::optional<double> frontCost;
};

struct SearchObservation {
    size_t candidate = 0;
    int task = 0;
    Evaluation evaluation;
};

struct SearchLoopOptions {
    std::vector<double> defaultTaskCosts; ///< lambda per task until evaluations are measured
    int targetTask = -1;                  ///< -1: the last task
    double effectiveK = 1.0;
    size_t referenceSize = 64;                ///< |G| for NUQ's information gain
    MtgpFitOptions fit;                       ///< restarts for full refits
    int fullRefitEvery = 10;                  ///< between them, refits start from the last fit only
    std::vector<InitialDesign> initialDesign; ///< evaluations before the strategy takes over
    /// Given configurations evaluated right after the initial design (e.g. measured uniform
    /// baselines on the target task); added to the pool when missing.
    std::vector<std::pair<BitConfig, int>> fixedEvaluations;
    /// How the model sees the evaluated values (accuracies in percent): logit by default.
    AccuracyTransform transform;
    uint64_t seed = 0;
    /// Growing the pool around the current estimated Pareto front (per-layer encodings): every
    /// `mutateEvery` proposals, each front member adds this many 1-2 layer, +-1 bit mutations.
    int paretoMutations = 0;
    int mutateEvery = 5;
    /// The cost axis of the front (e.g. memory in MB); Pareto mutations and the "ehvi" strategy
    /// need it.
    std::function<double(const BitConfig&)> costOf;
    /// The lowest target accuracy worth a place on the front (AcquisitionContext::frontFloor).
    double frontFloor = std::numeric_limits<double>::quiet_NaN();
};

/// Propose, evaluate, record, refit: the search as a step function over a candidate pool (its
/// own copy, which may grow around the Pareto front). Task costs are the mean measured cost of
/// each task's evaluations once there are some.
class SearchLoop {
public:
    SearchLoop(CandidatePool pool, const Strategy& strategy, int taskCount, SearchLoopOptions options);

    const CandidatePool& pool() const { return pool_; }

    /// The next `q` evaluations (fits the model first when new data arrived). `inFlight`:
    /// (candidate, task) pairs under evaluation now, not proposed again (asynchronous workers).
    std::vector<Proposal> propose(int q = 1, const std::vector<std::pair<size_t, int>>& inFlight = {});
    void record(const Proposal& proposal, const Evaluation& evaluation);
    /// Whether propose() would still hand out the initial design or a fixed evaluation, with
    /// `inFlight` under way (strategies whose configurations come from elsewhere ask first).
    bool designPending(const std::vector<std::pair<size_t, int>>& inFlight = {}) const;
    /// Index of `bits` in the pool, adding it if new (e.g. trials replayed from a store).
    size_t addCandidate(const BitConfig& bits);
    /// Never propose (candidate, task) again, without an observation (a failed evaluation).
    void exclude(size_t candidate, int task);
    /// propose + evaluate + record; returns what was evaluated.
    std::vector<Proposal> step(const std::function<Evaluation(const BitConfig&, int task)>& evaluate, int q = 1);

    double spentCost() const { return spent_; }
    const std::vector<SearchObservation>& observations() const { return observations_; }
    std::vector<double> taskCosts() const;
    int targetTask() const { return target_; }
    /// The model the strategy last used (nullptr before the first fit); in single-task
    /// strategies its only task is the target task.
    const MultiTaskGP* model() const { return model_.get(); }
    /// The fit model() comes from (with hyperparameter samples when `SearchLoopOptions::fit` asks
    /// for them); empty before the first fit.
    const std::optional<MtgpFitReport>& fitReport() const { return fitReport_; }
    /// Refits when observations arrived since the last fit (propose() and acquisition() do it too),
    /// so that the model covers every observation. Nothing for strategies without a model.
    void fitModel() { refit(); }
    /// The strategy's acquisition value of every candidate in the pool (refits first when new
    /// data arrived); empty when the strategy has none.
    Eigen::VectorXd acquisition();
    /// Index of `bits` in the pool, if it is there.
    std::optional<size_t> find(const BitConfig& bits) const;
    /// Target-task estimate for every evaluated configuration: posterior median where the
    /// strategy has a model, else the mean observed target value. (candidate, estimate) pairs.
    std::vector<std::pair<size_t, double>> estimates();

private:
    void refit();
    void growAroundFront();
    void updateCandidateTables();
    MtgpData modelData() const;
    int modelTask(int task) const { return strategy_.multiTask() ? task : 0; }
    AcquisitionContext context() const;

    CandidatePool pool_;
    const Strategy& strategy_;
    int taskCount_;
    int target_;
    SearchLoopOptions options_;
    std::mt19937_64 rng_;
    std::vector<size_t> reference_;
    std::vector<double> bitSums_;
    std::vector<double> candidateCosts_;         ///< costOf per candidate, when given
    std::vector<std::pair<size_t, int>> design_; ///< (candidate, task) of the initial design, in order
    size_t plannedDesignSize_ = 0;               ///< design_'s first entries planned; fixedEvaluations follow
    std::vector<SearchObservation> observations_;
    std::vector<Proposal> proposeAvailable(int q);

    std::vector<std::vector<char>> evaluated_; ///< [task][candidate]
    std::unique_ptr<MultiTaskGP> model_;
    std::optional<MtgpFitReport> fitReport_;
    size_t fittedObservations_ = 0;
    int fits_ = 0;
    int proposals_ = 0;
    double spent_ = 0;
};

} // namespace quantscope
