#include "search/front_strategy.h"

#include "common/error.h"
#include "search/front_improvement.h"
#include "search/strategies.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

namespace quantscope {
namespace {

// Gauss-Hermite nodes and weights for E[g(z)], z ~ N(0, 1).
constexpr double kNodes[] = {-2.856970013872806, -1.355626179974266, 0.0, 1.355626179974266, 2.856970013872806};
constexpr double kWeights[] = {0.011257411327721, 0.222075922005613, 0.533333333333333, 0.222075922005613,
                               0.011257411327721};

/// The target task's posterior at every candidate, the front of what was evaluated there, and
/// every available candidate's EHVI against it.
struct TargetFront {
    Eigen::VectorXd mean; ///< latent
    Eigen::VectorXd sd;
    Eigen::VectorXd ehvi; ///< 0 where not available
    FrontImprovement improvement;
};

TargetFront targetFront(const AcquisitionContext& context)
{
    const size_t n = context.pool->size();
    if (context.candidateCosts.size() != n)
        throw ConfigError("the ehvi strategy needs every candidate's cost (the front's memory or BOPs axis)");
    const Posterior p = context.model->predict(context.pool->inputs(), std::vector<int>(n, context.targetTask));
    std::vector<TradeOff> measured;
    double best = -std::numeric_limits<double>::infinity();
    for (size_t c = 0; c < n; ++c) {
        const double median = context.transform.toAccuracy(p.mean[Eigen::Index(c)]);
        best = std::max(best, median);
        if (!context.available(context.targetTask, c))
            measured.push_back({context.candidateCosts[c], median});
    }
    const double floor = std::isnan(context.frontFloor) ? best - 20.0 : context.frontFloor;
    const double costLimit = 1.1 * *std::max_element(context.candidateCosts.begin(), context.candidateCosts.end());
    TargetFront front{p.mean, p.variance.cwiseMax(0.0).cwiseSqrt(), Eigen::VectorXd::Zero(Eigen::Index(n)),
                      FrontImprovement(measured, {costLimit, floor})};
    for (size_t c = 0; c < n; ++c)
        if (context.available(context.targetTask, c))
            front.ehvi[Eigen::Index(c)] = front.improvement.expectedGain(
                context.candidateCosts[c], front.mean[Eigen::Index(c)], front.sd[Eigen::Index(c)], context.transform);
    return front;
}

/// Indices of the `count` largest entries of `scores` among those with `keep(i)` true.
template <typename Keep> std::vector<size_t> largest(const Eigen::VectorXd& scores, size_t count, Keep keep)
{
    std::vector<size_t> order;
    for (Eigen::Index i = 0; i < scores.size(); ++i)
        if (keep(size_t(i)))
            order.push_back(size_t(i));
    count = std::min(count, order.size());
    std::partial_sort(order.begin(), order.begin() + long(count), order.end(),
                      [&](size_t a, size_t b) { return scores[Eigen::Index(a)] > scores[Eigen::Index(b)]; });
    order.resize(count);
    return order;
}

struct Lookahead {
    size_t candidate = 0;
    double value = 0; ///< expected best target EHVI after observing y_t(candidate)
};

/// For cheap task `task`: the screened candidate whose observation most raises the best EHVI
/// among the `top` target candidates, in expectation over its outcome.
Lookahead bestLookahead(const AcquisitionContext& context, const TargetFront& front, const std::vector<size_t>& top,
                        int task, int screened)
{
    const MultiTaskGP& model = *context.model;
    const Eigen::MatrixXd& inputs = context.pool->inputs();
    const Eigen::Index n = inputs.rows();
    const Eigen::MatrixXd topInputs = inputs(top, Eigen::all);
    const std::vector<int> targetTasks(top.size(), context.targetTask);
    const std::vector<int> tasks(size_t(n), task);

    // Posterior covariance of f_T(top) with f_task(every candidate), and y_task's variance.
    const Eigen::MatrixXd whitenedTop = model.whitenedCrossCovariance(topInputs, targetTasks);
    const Eigen::MatrixXd whitened = model.whitenedCrossCovariance(inputs, tasks);
    Eigen::MatrixXd cross = model.priorCovariance(topInputs, targetTasks, inputs, tasks);
    if (whitened.rows() > 0)
        cross.noalias() -= whitenedTop.transpose() * whitened;
    const double prior = model.priorCovariance(inputs.topRows(1), {task}, inputs.topRows(1), {task})(0, 0);
    const double noise = model.hyperparameters().noiseVariance[task];
    Eigen::VectorXd observed(n);
    for (Eigen::Index c = 0; c < n; ++c)
        observed[c] = std::max(prior - (whitened.rows() > 0 ? whitened.col(c).squaredNorm() : 0.0), 0.0) + noise;

    // Screen by the EHVI-weighted share of the top candidates' variance an observation removes.
    Eigen::VectorXd screen = Eigen::VectorXd::Zero(n);
    for (Eigen::Index c = 0; c < n; ++c)
        for (size_t k = 0; k < top.size(); ++k) {
            const double var = std::max(front.sd[Eigen::Index(top[k])] * front.sd[Eigen::Index(top[k])], 1e-300);
            screen[c] += front.ehvi[Eigen::Index(top[k])] * cross(Eigen::Index(k), c) * cross(Eigen::Index(k), c)
                / (observed[c] * var);
        }
    Lookahead best;
    for (size_t c : largest(screen, size_t(screened), [&](size_t i) { return context.available(task, i); })) {
        const Eigen::Index x = Eigen::Index(c);
        // Per quadrature node, the best EHVI over the top candidates once y_task(x) is known.
        double bestGain[std::size(kNodes)] = {};
        for (size_t k = 0; k < top.size(); ++k) {
            const Eigen::Index t = Eigen::Index(top[k]);
            const double shift = cross(Eigen::Index(k), x) / std::sqrt(observed[x]);
            const double sd = std::sqrt(std::max(front.sd[t] * front.sd[t] - shift * shift, 0.0));
            for (size_t j = 0; j < std::size(kNodes); ++j)
                bestGain[j] =
                    std::max(bestGain[j],
                             front.improvement.expectedGain(context.candidateCosts[top[k]],
                                                            front.mean[t] + shift * kNodes[j], sd, context.transform));
        }
        double expected = 0;
        for (size_t j = 0; j < std::size(kNodes); ++j)
            expected += kWeights[j] * bestGain[j];
        if (expected > best.value)
            best = {c, expected};
    }
    return best;
}

} // namespace

Proposal FrontStrategy::proposeOne(const AcquisitionContext& context, std::mt19937_64& rng) const
{
    if (!context.model) {
        std::vector<size_t> open;
        for (size_t c = 0; c < context.pool->size(); ++c)
            if (context.available(0, c))
                open.push_back(c);
        if (open.empty())
            throw ConfigError("every candidate has been evaluated on task 0");
        return Proposal{open[std::uniform_int_distribution<size_t>(0, open.size() - 1)(rng)], 0, 0.0,
                        "no model yet: random configuration on the cheapest task"};
    }
    const TargetFront front = targetFront(context);
    const int target = context.targetTask;
    const std::vector<size_t> top = largest(front.ehvi, size_t(lookahead_), [&](size_t c) {
        return context.available(target, c) && front.ehvi[Eigen::Index(c)] > 0;
    });
    if (top.empty()) // the model sees nothing left to gain: explore by GP-UCB instead
        return ucbProposal(context);

    // EHVI through the same quadrature the look-ahead uses, so that the gains compare.
    const double now = front.ehvi[Eigen::Index(top.front())];
    const double targetCost = context.taskCosts[size_t(target)];
    char reason[160];
    std::snprintf(reason, sizeof reason, "expected hypervolume improvement of the target front: %.4g", now);
    Proposal best{top.front(), target, now / targetCost, reason};
    for (int task = 0; task < context.taskCount(); ++task) {
        const double cost = context.taskCosts[size_t(task)];
        if (task == target || cost >= targetCost)
            continue;
        const Lookahead ahead = bestLookahead(context, front, top, task, screened_);
        const double rate = std::max(ahead.value, now) / (cost + targetCost);
        if (rate > best.score) {
            std::snprintf(
                reason, sizeof reason,
                "look-ahead: the best target-task EHVI rises by %.1f %% for %.1f %% of a target evaluation's cost",
                100 * (ahead.value / now - 1), 100 * cost / targetCost);
            best = {ahead.candidate, task, rate, reason};
        }
    }
    return best;
}

Eigen::VectorXd FrontStrategy::acquisition(const AcquisitionContext& context) const
{
    if (!context.model)
        return {};
    return targetFront(context).ehvi;
}

} // namespace quantscope
