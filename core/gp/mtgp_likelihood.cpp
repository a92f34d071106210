#include "gp/mtgp_likelihood.h"

#include "gp/dense_cholesky.h"
#include "gp/multitask_gp.h"

#include <cmath>

namespace quantscope {

Eigen::VectorXd MtgpParameterLayout::pack(const MtgpHyperparameters& h) const
{
    Eigen::VectorXd theta(size());
    int at = 0;
    theta.segment(at, inputDim) = h.kernel.lengthscales.array().log().matrix();
    at += inputDim;
    for (int t = 0; t < taskCount; ++t)
        for (int r = 0; r < rank; ++r)
            theta[at++] = h.taskFactor(t, r);
    theta.segment(at, taskCount) = h.taskDiagonal.array().log().matrix();
    at += taskCount;
    theta.segment(at, taskCount) = h.noiseVariance.array().log().matrix();
    at += taskCount;
    theta.segment(at, taskCount) = h.taskMean;
    return theta;
}

MtgpHyperparameters MtgpParameterLayout::unpack(const Eigen::VectorXd& theta) const
{
    MtgpHyperparameters h;
    int at = 0;
    h.kernel.kind = kernel;
    h.kernel.lengthscales = theta.segment(at, inputDim).array().exp().matrix();
    at += inputDim;
    h.taskFactor.resize(taskCount, rank);
    for (int t = 0; t < taskCount; ++t)
        for (int r = 0; r < rank; ++r)
            h.taskFactor(t, r) = theta[at++];
    h.taskDiagonal = theta.segment(at, taskCount).array().exp().matrix();
    at += taskCount;
    h.noiseVariance = theta.segment(at, taskCount).array().exp().matrix();
    at += taskCount;
    h.taskMean = theta.segment(at, taskCount);
    return h;
}

MtgpLikelihood::MtgpLikelihood(const MtgpData& data, const MtgpParameterLayout& layout) : data_(data), layout_(layout)
{
    const Eigen::Index n = data.size();
    for (Eigen::MatrixXd* m : {&r2_, &kx_, &factor_, &weights_, &q_})
        m->resize(n, n);
}

double MtgpLikelihood::operator()(const Eigen::VectorXd& theta, Eigen::VectorXd* gradient)
{
    const MtgpHyperparameters h = layout_.unpack(theta);
    const Eigen::MatrixXd b = h.taskCovariance();
    const Eigen::Index n = data_.size();
    const int d = layout_.inputDim;
    const int tasks = layout_.taskCount;
    const std::vector<int>& t = data_.tasks;

    // One pass over the pairs: kernel value k, its lengthscale factor g (kept in weights_ until
    // Q is known), B o k, and the covariance K = B o k + noise (factorised in place).
    h.kernel.scaledSquaredDistances(data_.inputs, data_.inputs, r2_);
    h.kernel.evaluate(r2_, kx_, weights_);
    Eigen::VectorXd residual = data_.targets;
    for (Eigen::Index k = 0; k < n; ++k) {
        for (Eigen::Index j = 0; j < n; ++j) {
            const double bjk = b(t[size_t(j)], t[size_t(k)]);
            factor_(j, k) = bjk * kx_(j, k);
            weights_(j, k) *= bjk; // g o B
        }
        residual[k] -= h.taskMean[t[size_t(k)]];
    }
    for (Eigen::Index j = 0; j < n; ++j)
        factor_(j, j) += h.noiseVariance[t[size_t(j)]];
    double jitter = 0;
    if (!choleskyInPlace(factor_)) {
        // Rare: rebuild K and let the jittered factorisation handle it.
        Eigen::MatrixXd cov(n, n);
        for (Eigen::Index k = 0; k < n; ++k)
            for (Eigen::Index j = 0; j < n; ++j)
                cov(j, k) = b(t[size_t(j)], t[size_t(k)]) * kx_(j, k) + (j == k ? h.noiseVariance[t[size_t(j)]] : 0.0);
        factor_ = choleskyWithJitter(cov, &jitter);
    }
    const Eigen::VectorXd alpha = choleskySolve(factor_, residual);
    const double nll =
        0.5 * residual.dot(alpha) + factor_.diagonal().array().log().sum() + 0.5 * double(n) * std::log(2 * M_PI);
    if (!gradient)
        return nll;

    // Q = K^-1 - alpha alpha^T
    q_ = factor_; // same size: copies into the existing buffer
    inverseFromCholesky(q_);
    q_.noalias() -= alpha * alpha.transpose();

    gradient->setZero(layout_.size());
    int at = 0;
    // Lengthscales: dK/d(log l_i) = B o g o (dx_i / l_i)^2, so the gradient is
    // (sum_jk M_jk (x_ji - x_ki)^2) / (2 l_i^2) with M = Q o B o g.
    weights_.array() *= q_.array();
    const Eigen::VectorXd rowSums = weights_.rowwise().sum();
    const Eigen::MatrixXd mx = weights_ * data_.inputs;
    for (int i = 0; i < d; ++i) {
        const auto xi = data_.inputs.col(i);
        const double sum = 2.0 * rowSums.dot(xi.cwiseProduct(xi)) - 2.0 * xi.dot(mx.col(i));
        (*gradient)[at + i] = 0.5 * sum / (h.kernel.lengthscales[i] * h.kernel.lengthscales[i]);
    }
    at += d;

    // Task covariance: G[a, b] = sum over pairs with tasks (a, b) of (Q o Kx) / 2; dB = G.
    Eigen::MatrixXd g = Eigen::MatrixXd::Zero(tasks, tasks);
    for (Eigen::Index k = 0; k < n; ++k)
        for (Eigen::Index j = 0; j < n; ++j)
            g(t[size_t(j)], t[size_t(k)]) += 0.5 * q_(j, k) * kx_(j, k);
    const Eigen::MatrixXd dW = 2.0 * g * h.taskFactor; // G symmetric
    for (int a = 0; a < tasks; ++a)
        for (int r = 0; r < layout_.rank; ++r)
            (*gradient)[at++] = dW(a, r);
    for (int a = 0; a < tasks; ++a)
        (*gradient)[at + a] = g(a, a) * h.taskDiagonal[a];
    at += tasks;

    // Noise and mean per task (jitter, if any, is treated as part of the noise).
    for (Eigen::Index j = 0; j < n; ++j) {
        const int a = t[size_t(j)];
        (*gradient)[at + a] += 0.5 * q_(j, j) * h.noiseVariance[a];
        (*gradient)[at + tasks + a] -= alpha[j];
    }
    return nll;
}

double mtgpNegativeLogLikelihood(const MtgpData& data, const MtgpParameterLayout& layout, const Eigen::VectorXd& theta,
                                 Eigen::VectorXd* gradient)
{
    MtgpLikelihood likelihood(data, layout);
    return likelihood(theta, gradient);
}

} // namespace quantscope
