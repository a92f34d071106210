#include "gp/mtgp_likelihood.h"

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

double mtgpNegativeLogLikelihood(const MtgpData& data, const MtgpParameterLayout& layout, const Eigen::VectorXd& theta,
                                 Eigen::VectorXd* gradient)
{
    const MtgpHyperparameters h = layout.unpack(theta);
    const Eigen::MatrixXd b = h.taskCovariance();
    const Eigen::Index n = data.size();
    const int d = layout.inputDim;
    const int tasks = layout.taskCount;
    const std::vector<int>& t = data.tasks;

    const Eigen::MatrixXd r2 = h.kernel.scaledSquaredDistances(data.inputs, data.inputs);
    const Eigen::MatrixXd kx = h.kernel.value(r2);
    Eigen::MatrixXd bt(n, n); // B[t_j, t_k]
    for (Eigen::Index j = 0; j < n; ++j)
        for (Eigen::Index k = 0; k < n; ++k)
            bt(j, k) = b(t[size_t(j)], t[size_t(k)]);
    Eigen::MatrixXd cov = bt.cwiseProduct(kx);
    Eigen::VectorXd residual = data.targets;
    for (Eigen::Index j = 0; j < n; ++j) {
        cov(j, j) += h.noiseVariance[t[size_t(j)]];
        residual[j] -= h.taskMean[t[size_t(j)]];
    }
    const Eigen::MatrixXd l = choleskyWithJitter(cov);
    const auto lower = l.triangularView<Eigen::Lower>();
    const Eigen::VectorXd alpha = choleskySolve(l, residual);
    const double nll = 0.5 * residual.dot(alpha) + l.diagonal().array().log().sum() + 0.5 * double(n) * std::log(2 * M_PI);
    if (!gradient)
        return nll;

    // Q = K^-1 - alpha alpha^T
    Eigen::MatrixXd q = Eigen::MatrixXd::Identity(n, n);
    lower.solveInPlace(q);
    lower.transpose().solveInPlace(q);
    q.noalias() -= alpha * alpha.transpose();

    gradient->setZero(layout.size());
    int at = 0;
    // Lengthscales: dK/d(log l_i) = B o g o (dx_i / l_i)^2, so the gradient is
    // (sum_jk M_jk (x_ji - x_ki)^2) / (2 l_i^2) with M = Q o B o g.
    const Eigen::MatrixXd m = q.cwiseProduct(bt).cwiseProduct(h.kernel.lengthscaleFactor(r2));
    const Eigen::VectorXd rowSums = m.rowwise().sum();
    const Eigen::MatrixXd mx = m * data.inputs;
    for (int i = 0; i < d; ++i) {
        const auto xi = data.inputs.col(i);
        const double sum = 2.0 * rowSums.dot(xi.cwiseProduct(xi)) - 2.0 * xi.dot(mx.col(i));
        (*gradient)[at + i] = 0.5 * sum / (h.kernel.lengthscales[i] * h.kernel.lengthscales[i]);
    }
    at += d;

    // Task covariance: G[a, b] = sum over pairs with tasks (a, b) of (Q o Kx) / 2; dB = G.
    Eigen::MatrixXd g = Eigen::MatrixXd::Zero(tasks, tasks);
    for (Eigen::Index j = 0; j < n; ++j)
        for (Eigen::Index k = 0; k < n; ++k)
            g(t[size_t(j)], t[size_t(k)]) += 0.5 * q(j, k) * kx(j, k);
    const Eigen::MatrixXd dW = 2.0 * g * h.taskFactor; // G symmetric
    for (int a = 0; a < tasks; ++a)
        for (int r = 0; r < layout.rank; ++r)
            (*gradient)[at++] = dW(a, r);
    for (int a = 0; a < tasks; ++a)
        (*gradient)[at + a] = g(a, a) * h.taskDiagonal[a];
    at += tasks;

    // Noise and mean per task.
    for (Eigen::Index j = 0; j < n; ++j) {
        const int a = t[size_t(j)];
        (*gradient)[at + a] += 0.5 * q(j, j) * h.noiseVariance[a];
        (*gradient)[at + tasks + a] -= alpha[j];
    }
    return nll;
}

} // namespace quantscope
