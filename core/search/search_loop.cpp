#include "search/search_loop.h"

#include "common/error.h"
#include "search/encoding.h"
#include "search/initial_design.h"
#include "search/pareto.h"

#include <algorithm>
#include <limits>
#include <numeric>

namespace quantscope {

SearchLoop::SearchLoop(CandidatePool pool, const Strategy& strategy, int taskCount, SearchLoopOptions options) :
    pool_(std::move(pool)), strategy_(strategy), taskCount_(taskCount), options_(std::move(options)),
    rng_(options_.seed)
{
    if (pool_.size() == 0)
        throw ConfigError("the search has no candidate configurations");
    if (int(options_.defaultTaskCosts.size()) != taskCount)
        throw ConfigError("give one default cost per task (" + std::to_string(taskCount) + ")");
    for (double cost : options_.defaultTaskCosts)
        if (!(cost > 0))
            throw ConfigError("task costs must be positive");
    target_ = options_.targetTask < 0 ? taskCount - 1 : options_.targetTask;
    if (target_ >= taskCount)
        throw ConfigError("target task " + std::to_string(target_) + " is not in 0.." + std::to_string(taskCount - 1));
    if (options_.paretoMutations > 0 && !options_.costOf)
        throw ConfigError("Pareto mutations need the cost axis of the front (costOf)");
    evaluated_.assign(size_t(taskCount), {});
    updateCandidateTables();
    std::vector<size_t> all(pool_.size());
    std::iota(all.begin(), all.end(), size_t{0});
    std::shuffle(all.begin(), all.end(), rng_);
    reference_.assign(all.begin(), all.begin() + long(std::min(options_.referenceSize, all.size())));
    design_ = planInitialDesign(pool_.inputs(), bitSums_, options_.initialDesign, taskCount);
    plannedDesignSize_ = design_.size();
    for (const auto& [bits, task] : options_.fixedEvaluations) {
        if (task < 0 || task >= taskCount)
            throw ConfigError("fixed evaluation task " + std::to_string(task) + " is not in 0.."
                              + std::to_string(taskCount - 1));
        const std::pair<size_t, int> entry{addCandidate(bits), task};
        if (std::find(design_.begin(), design_.end(), entry) == design_.end())
            design_.push_back(entry);
    }
}

void SearchLoop::updateCandidateTables()
{
    for (auto& flags : evaluated_)
        flags.resize(pool_.size(), 0);
    for (size_t c = bitSums_.size(); c < pool_.size(); ++c)
        bitSums_.push_back(bitSum(pool_.bits(c)));
    if (options_.costOf)
        for (size_t c = candidateCosts_.size(); c < pool_.size(); ++c)
            candidateCosts_.push_back(options_.costOf(pool_.bits(c)));
}

void SearchLoop::growAroundFront()
{
    if (options_.paretoMutations <= 0 || !model_ || proposals_ % std::max(1, options_.mutateEvery) != 0)
        return;
    const auto estimated = estimates();
    std::vector<TradeOff> points;
    for (const auto& [candidate, value] : estimated)
        points.push_back({candidateCosts_[candidate], value});
    std::vector<BitConfig> front;
    for (size_t i : paretoFront(points))
        front.push_back(pool_.bits(estimated[i].first));
    fillMutations(pool_, front, options_.paretoMutations, 1, 8, rng_);
    updateCandidateTables();
}

std::vector<double> SearchLoop::taskCosts() const
{
    std::vector<double> costs = options_.defaultTaskCosts;
    std::vector<double> sums(size_t(taskCount_), 0.0);
    std::vector<int> counts(size_t(taskCount_), 0);
    for (const SearchObservation& o : observations_) {
        sums[size_t(o.task)] += o.evaluation.cost;
        ++counts[size_t(o.task)];
    }
    for (size_t t = 0; t < costs.size(); ++t)
        if (counts[t] > 0 && sums[t] > 0)
            costs[t] = sums[t] / counts[t];
    return costs;
}

MtgpData SearchLoop::modelData() const
{
    MtgpData data;
    data.inputs.resize(0, pool_.encoding().dim());
    for (const SearchObservation& o : observations_) {
        if (!strategy_.multiTask() && o.task != target_)
            continue;
        data.append(pool_.input(o.candidate), modelTask(o.task), options_.transform.toLatent(o.evaluation.value));
    }
    return data;
}

void SearchLoop::refit()
{
    if (!strategy_.usesModel() || observations_.size() == fittedObservations_)
        return;
    const MtgpData data = modelData();
    fittedObservations_ = observations_.size();
    if (data.size() < 2)
        return;
    const int tasks = strategy_.multiTask() ? taskCount_ : 1;
    MtgpFitOptions fit = accuracyFitOptions(options_.transform, options_.fit);
    const bool full = !fitReport_ || fits_ % std::max(1, options_.fullRefitEvery) == 0;
    if (!full) {
        fit.warmStart = fitReport_->hyperparameters;
        fit.restarts = 0;
    }
    fit.seed = options_.seed + uint64_t(fits_);
    fitReport_ = fitMtgp(data, pool_.encoding().dim(), tasks, fit);
    ++fits_;
    model_ = std::make_unique<MultiTaskGP>(fitReport_->hyperparameters, data);
}

AcquisitionContext SearchLoop::context() const
{
    AcquisitionContext c;
    c.model = model_.get();
    c.pool = &pool_;
    c.bitSums = bitSums_;
    c.layerCount = pool_.encoding().layerCount();
    c.effectiveK = options_.effectiveK;
    c.iteration = proposals_ + 1;
    c.referenceSet = reference_;
    c.transform = options_.transform;
    c.candidateCosts = candidateCosts_;
    c.frontFloor = options_.frontFloor;
    const std::vector<double> costs = taskCosts();
    if (strategy_.multiTask()) {
        c.taskCosts = costs;
        c.targetTask = target_;
        c.excluded = evaluated_;
    } else {
        c.taskCosts = {costs[size_t(target_)]};
        c.targetTask = 0;
        c.excluded = {evaluated_[size_t(target_)]};
    }
    return c;
}

std::vector<Proposal> SearchLoop::propose(int q, const std::vector<std::pair<size_t, int>>& inFlight)
{
    // Evaluations under way count as evaluated while proposing, and only then.
    std::vector<std::pair<size_t, int>> marked;
    for (const auto& [c, task] : inFlight)
        if (task >= 0 && task < taskCount_ && c < pool_.size() && !evaluated_[size_t(task)][c]) {
            evaluated_[size_t(task)][c] = 1;
            marked.emplace_back(c, task);
        }
    const auto unmark = [&] {
        for (const auto& [c, task] : marked)
            evaluated_[size_t(task)][c] = 0;
    };
    try {
        std::vector<Proposal> proposals = proposeAvailable(q);
        unmark();
        return proposals;
    } catch (...) {
        unmark();
        throw;
    }
}

bool SearchLoop::designPending(const std::vector<std::pair<size_t, int>>& inFlight) const
{
    if (observations_.size() >= design_.size())
        return false;
    return std::any_of(design_.begin(), design_.end(), [&](const std::pair<size_t, int>& entry) {
        return !evaluated_[size_t(entry.second)][entry.first]
            && std::find(inFlight.begin(), inFlight.end(), entry) == inFlight.end();
    });
}

std::vector<Proposal> SearchLoop::proposeAvailable(int q)
{
    // The initial design comes first, while fewer evaluations than its size are in.
    std::vector<Proposal> proposals;
    if (observations_.size() < design_.size())
        for (size_t i = 0; i < design_.size(); ++i) {
            const auto [c, task] = design_[i];
            if (!evaluated_[size_t(task)][c] && int(proposals.size()) < q)
                proposals.push_back(
                    Proposal{c, task, 0.0, i < plannedDesignSize_ ? "initial design" : "measured baseline"});
        }
    if (!proposals.empty())
        return proposals;

    refit();
    growAroundFront();
    proposals = strategy_.propose(context(), q, rng_);
    proposals_ += q;
    if (!strategy_.multiTask())
        for (Proposal& p : proposals)
            p.task = target_;
    return proposals;
}

Eigen::VectorXd SearchLoop::acquisition()
{
    refit();
    return strategy_.acquisition(context());
}

std::optional<size_t> SearchLoop::find(const BitConfig& bits) const
{
    for (size_t c = 0; c < pool_.size(); ++c)
        if (pool_.bits(c) == bits)
            return c;
    return std::nullopt;
}

void SearchLoop::record(const Proposal& proposal, const Evaluation& evaluation)
{
    if (proposal.candidate >= pool_.size() || proposal.task < 0 || proposal.task >= taskCount_)
        throw ConfigError("recorded evaluation is outside the search space");
    observations_.push_back(SearchObservation{proposal.candidate, proposal.task, evaluation});
    evaluated_[size_t(proposal.task)][proposal.candidate] = 1;
    spent_ += evaluation.cost;
    if (evaluation.frontCost && proposal.candidate < candidateCosts_.size())
        candidateCosts_[proposal.candidate] = *evaluation.frontCost;
}

size_t SearchLoop::addCandidate(const BitConfig& bits)
{
    const size_t index = pool_.add(bits);
    updateCandidateTables();
    return index;
}

void SearchLoop::exclude(size_t candidate, int task)
{
    evaluated_.at(size_t(task)).at(candidate) = 1;
}

std::vector<Proposal> SearchLoop::step(const std::function<Evaluation(const BitConfig&, int task)>& evaluate, int q)
{
    const std::vector<Proposal> proposals = propose(q);
    for (const Proposal& p : proposals)
        record(p, evaluate(pool_.bits(p.candidate), p.task));
    return proposals;
}

std::vector<std::pair<size_t, double>> SearchLoop::estimates()
{
    std::vector<size_t> seen;
    for (const SearchObservation& o : observations_)
        if (strategy_.multiTask() || o.task == target_)
            seen.push_back(o.candidate);
    std::sort(seen.begin(), seen.end());
    seen.erase(std::unique(seen.begin(), seen.end()), seen.end());
    std::vector<std::pair<size_t, double>> out;
    if (strategy_.usesModel()) {
        refit();
    }
    if (model_) {
        const Eigen::MatrixXd inputs = pool_.inputs()(seen, Eigen::all);
        const Posterior p = model_->predict(inputs, std::vector<int>(seen.size(), modelTask(target_)));
        for (size_t i = 0; i < seen.size(); ++i)
            out.emplace_back(seen[i], options_.transform.toAccuracy(p.mean[Eigen::Index(i)]));
        return out;
    }
    for (size_t c : seen) {
        double sum = 0;
        int count = 0;
        for (const SearchObservation& o : observations_)
            if (o.candidate == c && o.task == target_) {
                sum += o.evaluation.value;
                ++count;
            }
        if (count > 0)
            out.emplace_back(c, sum / count);
    }
    return out;
}

} // namespace quantscope
