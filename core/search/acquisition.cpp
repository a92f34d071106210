#include "search/acquisition.h"

#include <cmath>
#include <limits>

namespace quantscope {

EffectivePosterior effectivePosterior(const AcquisitionContext& context, int task)
{
    const size_t n = context.pool->size();
    const Posterior p = context.model->predict(context.pool->inputs(), std::vector<int>(n, task));
    EffectivePosterior out;
    out.latentMean = p.mean;
    out.latentSd = p.variance.cwiseMax(0.0).cwiseSqrt();
    out.penalty.resize(Eigen::Index(n));
    for (size_t c = 0; c < n; ++c)
        out.penalty[Eigen::Index(c)] = (context.bitSums[c] - 4.0 * double(context.layerCount)) / context.effectiveK;
    out.transform = context.transform;
    return out;
}

Eigen::VectorXd EffectivePosterior::quantile(double kappa) const
{
    Eigen::VectorXd out(latentMean.size());
    for (Eigen::Index c = 0; c < out.size(); ++c)
        out[c] = transform.toAccuracy(latentMean[c] + kappa * latentSd[c]) - penalty[c];
    return out;
}

Eigen::VectorXd EffectivePosterior::expectedImprovement(double best) const
{
    Eigen::VectorXd out(latentMean.size());
    for (Eigen::Index c = 0; c < out.size(); ++c)
        out[c] = transform.expectedExcess(latentMean[c], latentSd[c], best + penalty[c]);
    return out;
}

double ucbBeta(size_t candidates, int iteration, double delta)
{
    const double t = std::max(1, iteration);
    return 2.0 * std::log(double(candidates) * t * t * M_PI * M_PI / (6.0 * delta)) / 5.0;
}

Eigen::MatrixXd informationAboutTarget(const AcquisitionContext& context)
{
    const MultiTaskGP& model = *context.model;
    const Eigen::MatrixXd& inputs = context.pool->inputs();
    const Eigen::Index n = inputs.rows();
    const Eigen::MatrixXd reference = inputs(context.referenceSet, Eigen::all);
    const std::vector<int> targetTasks(context.referenceSet.size(), context.targetTask);

    // Posterior covariances from whitened cross-covariances, each set whitened once:
    // S_GG = prior_GG - W_G^T W_G, S_Gx = prior_Gx - W_G^T W_x, s2(x) = prior_xx - |W_x|^2 + noise.
    // The reference set's part is the same for every task.
    const Eigen::MatrixXd whitenedReference = model.whitenedCrossCovariance(reference, targetTasks);
    Eigen::MatrixXd referenceCovariance = model.priorCovariance(reference, targetTasks, reference, targetTasks);
    referenceCovariance.noalias() -= whitenedReference.transpose() * whitenedReference;
    referenceCovariance.diagonal().array() += 1e-9 * referenceCovariance.diagonal().mean() + 1e-12;
    const Eigen::MatrixXd referenceFactor = choleskyWithJitter(referenceCovariance);

    Eigen::MatrixXd information(context.taskCount(), n);
    for (int task = 0; task < context.taskCount(); ++task) {
        const std::vector<int> tasks(size_t(n), task);
        const Eigen::MatrixXd whitenedCandidates = model.whitenedCrossCovariance(inputs, tasks);
        Eigen::MatrixXd cross = model.priorCovariance(reference, targetTasks, inputs, tasks);
        cross.noalias() -= whitenedReference.transpose() * whitenedCandidates;
        referenceFactor.triangularView<Eigen::Lower>().solveInPlace(cross);

        const double prior = model.hyperparameters().taskCovariance()(task, task); // k(x, x) = 1
        const double noise = model.hyperparameters().noiseVariance[task];
        const Eigen::VectorXd variance =
            (prior + noise - whitenedCandidates.colwise().squaredNorm().array()).max(noise).matrix().transpose();
        const Eigen::VectorXd reduction = cross.colwise().squaredNorm().transpose();
        for (Eigen::Index c = 0; c < n; ++c) {
            const double conditional = std::max(variance[c] - reduction[c], 1e-12 * variance[c]);
            information(task, c) = 0.5 * std::log(variance[c]) - 0.5 * std::log(conditional);
        }
    }
    return information;
}

long argmaxAvailable(const AcquisitionContext& context, int task, const Eigen::VectorXd& scores)
{
    long best = -1;
    double bestScore = -std::numeric_limits<double>::infinity();
    for (Eigen::Index c = 0; c < scores.size(); ++c) {
        if (context.available(task, size_t(c)) && scores[c] > bestScore) {
            bestScore = scores[c];
            best = long(c);
        }
    }
    return best;
}

} // namespace quantscope
