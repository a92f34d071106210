#include "search/strategies.h"

#include "common/error.h"
#include "search/acquisition.h"
#include "search/front_strategy.h"

#include <cmath>
#include <sstream>

namespace quantscope {
namespace {

Proposal randomAvailable(const AcquisitionContext& context, int task, std::mt19937_64& rng, const std::string& reason)
{
    std::vector<size_t> open;
    for (size_t c = 0; c < context.pool->size(); ++c)
        if (context.available(task, c))
            open.push_back(c);
    if (open.empty())
        throw ConfigError("every candidate has been evaluated on task " + std::to_string(task));
    std::uniform_int_distribution<size_t> pick(0, open.size() - 1);
    return Proposal{open[pick(rng)], task, 0.0, reason};
}

std::string formatScore(const char* what, double value)
{
    std::ostringstream out;
    out.precision(4);
    out << what << " " << value;
    return out.str();
}

} // namespace

Proposal ucbProposal(const AcquisitionContext& context)
{
    const EffectivePosterior e = effectivePosterior(context, context.targetTask);
    const double beta = ucbBeta(context.pool->size(), context.iteration);
    const Eigen::VectorXd ucb = e.quantile(std::sqrt(beta));
    const long best = argmaxAvailable(context, context.targetTask, ucb);
    if (best < 0)
        throw ConfigError("every candidate has been evaluated on the target task");
    return Proposal{size_t(best), context.targetTask, ucb[best],
                    formatScore("GP-UCB of effective accuracy on the target task:", ucb[best])};
}

Proposal NuqStrategy::proposeOne(const AcquisitionContext& context, std::mt19937_64& rng) const
{
    if (!context.model)
        return randomAvailable(context, 0, rng, "no model yet: random configuration on the cheapest task");
    if (context.iteration % ucbEvery_ == 0)
        return ucbProposal(context);
    Proposal best;
    best.score = -1;
    const Eigen::MatrixXd information = informationAboutTarget(context);
    for (int task = 0; task < context.taskCount(); ++task) {
        const Eigen::VectorXd perCost = information.row(task).transpose() / context.taskCosts[size_t(task)];
        const long c = argmaxAvailable(context, task, perCost);
        if (c >= 0 && perCost[c] > best.score) {
            best.candidate = size_t(c);
            best.task = task;
            best.score = perCost[c];
        }
    }
    if (best.score < 0)
        throw ConfigError("every candidate has been evaluated on every task");
    best.reason = formatScore("information about the target task per unit cost:", best.score);
    return best;
}

Eigen::VectorXd NuqStrategy::acquisition(const AcquisitionContext& context) const
{
    if (!context.model)
        return {};
    const Eigen::MatrixXd information = informationAboutTarget(context);
    Eigen::VectorXd best = Eigen::VectorXd::Zero(information.cols());
    for (int task = 0; task < context.taskCount(); ++task)
        best = best.cwiseMax(information.row(task).transpose() / context.taskCosts[size_t(task)]);
    return best;
}

Proposal ExpectedImprovementStrategy::proposeOne(const AcquisitionContext& context, std::mt19937_64& rng) const
{
    if (!context.model)
        return randomAvailable(context, context.targetTask, rng, "no model yet: random configuration");
    const EffectivePosterior e = effectivePosterior(context, context.targetTask);
    const Eigen::VectorXd median = e.quantile(0);
    double incumbent = -std::numeric_limits<double>::infinity();
    for (size_t c = 0; c < context.pool->size(); ++c)
        if (!context.available(context.targetTask, c))
            incumbent = std::max(incumbent, median[Eigen::Index(c)]);
    if (!std::isfinite(incumbent))
        incumbent = median.maxCoeff();
    const Eigen::VectorXd ei = e.expectedImprovement(incumbent);
    const long best = argmaxAvailable(context, context.targetTask, ei);
    if (best < 0)
        throw ConfigError("every candidate has been evaluated on the target task");
    return Proposal{size_t(best), context.targetTask, ei[best],
                    formatScore("expected improvement of effective accuracy:", ei[best])};
}

Proposal SingleTaskUcbStrategy::proposeOne(const AcquisitionContext& context, std::mt19937_64& rng) const
{
    if (!context.model)
        return randomAvailable(context, context.targetTask, rng, "no model yet: random configuration");
    return ucbProposal(context);
}

Proposal RandomStrategy::proposeOne(const AcquisitionContext& context, std::mt19937_64& rng) const
{
    return randomAvailable(context, context.targetTask, rng, "random configuration");
}

std::vector<Proposal> Strategy::propose(const AcquisitionContext& context, int q, std::mt19937_64& rng) const
{
    if (q < 1)
        throw ConfigError("batch size must be at least 1, got " + std::to_string(q));
    std::vector<Proposal> proposals;
    AcquisitionContext current = context;
    std::unique_ptr<MultiTaskGP> fantasy;
    for (int i = 0; i < q; ++i) {
        Proposal p = proposeOne(current, rng);
        proposals.push_back(p);
        current.excluded[size_t(p.task)][p.candidate] = 1;
        ++current.iteration;
        if (current.model && i + 1 < q) {
            if (!fantasy)
                fantasy = std::make_unique<MultiTaskGP>(*context.model);
            const Eigen::VectorXd x = context.pool->input(p.candidate);
            const double believed = fantasy->predict(x.transpose(), {p.task}).mean[0];
            fantasy->addObservation(x, p.task, believed);
            current.model = fantasy.get();
        }
    }
    return proposals;
}

Proposal SearchJobStrategy::proposeOne(const AcquisitionContext&, std::mt19937_64&) const
{
    throw ConfigError("the ebs strategy's configurations come from its search jobs (a study of a network), not "
                      "from a candidate pool");
}

std::unique_ptr<Strategy> makeStrategy(const std::string& name)
{
    if (name == "nuq")
        return std::make_unique<NuqStrategy>();
    if (name == "ei")
        return std::make_unique<ExpectedImprovementStrategy>();
    if (name == "ucb")
        return std::make_unique<SingleTaskUcbStrategy>();
    if (name == "random")
        return std::make_unique<RandomStrategy>();
    if (name == "ehvi")
        return std::make_unique<FrontStrategy>();
    if (name == "ebs")
        return std::make_unique<SearchJobStrategy>();
    throw ConfigError("unknown strategy '" + name + "': expected nuq, ehvi, ei, ucb, random or ebs");
}

} // namespace quantscope
