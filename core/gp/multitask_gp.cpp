#include "gp/multitask_gp.h"

#include "common/error.h"
#include "gp/dense_cholesky.h"

#include <cmath>

namespace quantscope {

Eigen::MatrixXd choleskyWithJitter(const Eigen::MatrixXd& matrix, double* jitterUsed)
{
    const double scale = matrix.rows() > 0 ? std::max(matrix.diagonal().mean(), 1e-300) : 1.0;
    double jitter = 0;
    for (int attempt = 0; attempt < 9; ++attempt) {
        Eigen::MatrixXd factor = matrix;
        factor.diagonal().array() += jitter;
        if (choleskyInPlace(factor)) {
            if (jitterUsed)
                *jitterUsed = jitter;
            return factor;
        }
        jitter = scale * std::pow(10.0, -10 + attempt);
    }
    throw NumericalError("GP covariance matrix is not positive definite, even with jitter of 1e-3 of its diagonal");
}

Eigen::VectorXd choleskySolve(const Eigen::MatrixXd& lower, const Eigen::VectorXd& b)
{
    const auto l = lower.triangularView<Eigen::Lower>();
    return l.transpose().solve(l.solve(b));
}

MultiTaskGP::MultiTaskGP(MtgpHyperparameters hyperparameters, MtgpData data) : h_(std::move(hyperparameters))
{
    h_.validate();
    taskCovariance_ = h_.taskCovariance();
    setData(std::move(data));
}

void MultiTaskGP::setHyperparameters(MtgpHyperparameters hyperparameters)
{
    hyperparameters.validate();
    if (hyperparameters.inputDim() != h_.inputDim() || hyperparameters.taskCount() != h_.taskCount())
        throw ConfigError("new GP hyperparameters change the input dimension or the number of tasks");
    h_ = std::move(hyperparameters);
    taskCovariance_ = h_.taskCovariance();
    condition();
}

void MultiTaskGP::setData(MtgpData data)
{
    if (data.size() == 0)
        data.inputs.resize(0, h_.inputDim());
    data.validate(h_.inputDim(), h_.taskCount());
    data_ = std::move(data);
    condition();
}

Eigen::MatrixXd MultiTaskGP::priorCovariance(const Eigen::MatrixXd& inputsA, const std::vector<int>& tasksA,
                                             const Eigen::MatrixXd& inputsB, const std::vector<int>& tasksB) const
{
    Eigen::MatrixXd k = h_.kernel.matrix(inputsA, inputsB);
    if (!h_.hasSpecificKernel()) {
        for (Eigen::Index i = 0; i < k.rows(); ++i)
            for (Eigen::Index j = 0; j < k.cols(); ++j)
                k(i, j) *= taskCovariance_(tasksA[size_t(i)], tasksB[size_t(j)]);
        return k;
    }
    const Eigen::MatrixXd specific = h_.specificKernel.matrix(inputsA, inputsB);
    for (Eigen::Index i = 0; i < k.rows(); ++i) {
        for (Eigen::Index j = 0; j < k.cols(); ++j) {
            const int a = tasksA[size_t(i)], b = tasksB[size_t(j)];
            k(i, j) = (taskCovariance_(a, b) - (a == b ? h_.taskDiagonal[a] : 0.0)) * k(i, j)
                + (a == b ? h_.taskDiagonal[a] * specific(i, j) : 0.0);
        }
    }
    return k;
}

Eigen::VectorXd MultiTaskGP::residuals() const
{
    Eigen::VectorXd r = data_.targets;
    for (Eigen::Index j = 0; j < r.size(); ++j)
        r[j] -= h_.taskMean[data_.tasks[size_t(j)]];
    return r;
}

void MultiTaskGP::condition()
{
    const Eigen::Index n = data_.size();
    if (n == 0) {
        cholesky_.resize(0, 0);
        alpha_.resize(0);
        jitter_ = 0;
        return;
    }
    Eigen::MatrixXd k = priorCovariance(data_.inputs, data_.tasks, data_.inputs, data_.tasks);
    for (Eigen::Index j = 0; j < n; ++j)
        k(j, j) += h_.noiseVariance[data_.tasks[size_t(j)]];
    cholesky_ = choleskyWithJitter(k, &jitter_);
    alpha_ = choleskySolve(cholesky_, residuals());
}

void MultiTaskGP::addObservation(const Eigen::VectorXd& x, int task, double y)
{
    MtgpData extended = data_;
    extended.append(x, task, y);
    extended.validate(h_.inputDim(), h_.taskCount());
    const Eigen::Index n = data_.size();
    const Eigen::MatrixXd point = x.transpose();
    const Eigen::VectorXd cross = priorCovariance(data_.inputs, data_.tasks, point, {task}).col(0);
    const double self = taskCovariance_(task, task) + h_.noiseVariance[task] + jitter_;
    const Eigen::VectorXd l =
        n > 0 ? Eigen::VectorXd(cholesky_.triangularView<Eigen::Lower>().solve(cross)) : Eigen::VectorXd();
    const double pivot = self - l.squaredNorm();
    data_ = std::move(extended);
    if (!(pivot > 1e-12 * self)) { // the new point is (numerically) a duplicate: refactor with jitter
        condition();
        return;
    }
    cholesky_.conservativeResize(n + 1, n + 1);
    cholesky_.row(n).head(n) = l.transpose();
    cholesky_.col(n).setZero();
    cholesky_(n, n) = std::sqrt(pivot);
    alpha_ = choleskySolve(cholesky_, residuals());
}

Eigen::MatrixXd MultiTaskGP::whitenedCrossCovariance(const Eigen::MatrixXd& inputs, const std::vector<int>& tasks) const
{
    if (data_.size() == 0)
        return Eigen::MatrixXd(0, inputs.rows());
    const Eigen::MatrixXd cross = priorCovariance(data_.inputs, data_.tasks, inputs, tasks);
    return cholesky_.triangularView<Eigen::Lower>().solve(cross);
}

Posterior MultiTaskGP::predict(const Eigen::MatrixXd& inputs, const std::vector<int>& tasks) const
{
    if (Eigen::Index(tasks.size()) != inputs.rows())
        throw ConfigError("GP prediction: " + std::to_string(inputs.rows()) + " inputs but "
                          + std::to_string(tasks.size()) + " tasks");
    for (int t : tasks) {
        if (t < 0 || t >= taskCount())
            throw ConfigError("GP prediction: task " + std::to_string(t) + " is not in 0.."
                              + std::to_string(taskCount() - 1));
    }
    Posterior posterior;
    posterior.mean.resize(inputs.rows());
    posterior.variance.resize(inputs.rows());
    for (Eigen::Index i = 0; i < inputs.rows(); ++i) {
        posterior.mean[i] = h_.taskMean[tasks[size_t(i)]];
        posterior.variance[i] = taskCovariance_(tasks[size_t(i)], tasks[size_t(i)]); // k(x, x) = 1
    }
    if (data_.size() == 0)
        return posterior;
    const Eigen::MatrixXd cross = priorCovariance(data_.inputs, data_.tasks, inputs, tasks);
    posterior.mean += cross.transpose() * alpha_;
    const Eigen::MatrixXd v = cholesky_.triangularView<Eigen::Lower>().solve(cross);
    posterior.variance -= v.colwise().squaredNorm().transpose();
    posterior.variance = posterior.variance.cwiseMax(0.0);
    return posterior;
}

Eigen::MatrixXd MultiTaskGP::posteriorCovariance(const Eigen::MatrixXd& inputsA, const std::vector<int>& tasksA,
                                                 const Eigen::MatrixXd& inputsB, const std::vector<int>& tasksB) const
{
    Eigen::MatrixXd covariance = priorCovariance(inputsA, tasksA, inputsB, tasksB);
    if (data_.size() == 0)
        return covariance;
    covariance.noalias() -=
        whitenedCrossCovariance(inputsA, tasksA).transpose() * whitenedCrossCovariance(inputsB, tasksB);
    return covariance;
}

Posterior MultiTaskGP::leaveOneOut() const
{
    Eigen::MatrixXd inverse = cholesky_;
    inverseFromCholesky(inverse);
    Posterior loo;
    loo.variance = inverse.diagonal().cwiseInverse();
    loo.mean = data_.targets - alpha_.cwiseProduct(loo.variance);
    return loo;
}

double MultiTaskGP::logMarginalLikelihood() const
{
    const Eigen::Index n = data_.size();
    if (n == 0)
        return 0;
    return -0.5 * residuals().dot(alpha_) - cholesky_.diagonal().array().log().sum()
        - 0.5 * double(n) * std::log(2 * M_PI);
}

namespace {

std::vector<Posterior> posteriorParts(const std::vector<MultiTaskGP>& models, const Eigen::MatrixXd& inputs,
                                      const std::vector<int>& tasks, bool withNoise)
{
    std::vector<Posterior> parts;
    for (const MultiTaskGP& model : models) {
        Posterior p = model.predict(inputs, tasks);
        if (withNoise)
            for (size_t i = 0; i < tasks.size(); ++i)
                p.variance[Eigen::Index(i)] += model.hyperparameters().noiseVariance[tasks[i]];
        parts.push_back(std::move(p));
    }
    return parts;
}

std::vector<Posterior> leaveOneOutParts(const std::vector<MultiTaskGP>& models)
{
    std::vector<Posterior> parts;
    for (const MultiTaskGP& model : models)
        parts.push_back(model.leaveOneOut());
    return parts;
}

std::vector<NormalMixture> mixtures(const std::vector<Posterior>& parts)
{
    if (parts.empty())
        throw ConfigError("averaging a posterior needs at least one model");
    const Eigen::Index queries = parts.front().mean.size();
    std::vector<NormalMixture> out;
    out.reserve(size_t(queries));
    Eigen::VectorXd means(Eigen::Index(parts.size()));
    Eigen::VectorXd variances(means.size());
    for (Eigen::Index i = 0; i < queries; ++i) {
        for (size_t k = 0; k < parts.size(); ++k) {
            means[Eigen::Index(k)] = parts[k].mean[i];
            // A leave-one-out variance can round to zero or below on a nearly noiseless fit.
            variances[Eigen::Index(k)] = std::max(parts[k].variance[i], 1e-12);
        }
        out.emplace_back(means, variances);
    }
    return out;
}

} // namespace

std::vector<NormalMixture> predictiveMixtures(const std::vector<MultiTaskGP>& models, const Eigen::MatrixXd& inputs,
                                              const std::vector<int>& tasks, bool withNoise)
{
    return mixtures(posteriorParts(models, inputs, tasks, withNoise));
}

std::vector<NormalMixture> leaveOneOutMixtures(const std::vector<MultiTaskGP>& models)
{
    return mixtures(leaveOneOutParts(models));
}

} // namespace quantscope
