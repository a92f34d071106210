#include "gp/mtgp_likelihood.h"

#include "gp/dense_cholesky.h"
#include "gp/multitask_gp.h"

#include <cmath>

namespace quantscope {
namespace {

void packKernel(const ArdKernel& kernel, bool warping, Eigen::VectorXd& theta, int& at)
{
    const Eigen::Index d = kernel.lengthscales.size();
    theta.segment(at, d) = kernel.lengthscales.array().log().matrix();
    at += int(d);
    if (warping) {
        const Eigen::VectorXd ones = Eigen::VectorXd::Ones(d); // Kumaraswamy(1, 1): no warp
        theta.segment(at, d) = (kernel.warped() ? kernel.warpA : ones).array().log().matrix();
        theta.segment(at + d, d) = (kernel.warped() ? kernel.warpB : ones).array().log().matrix();
        at += 2 * int(d);
    }
}

ArdKernel unpackKernel(KernelKind kind, int d, bool warping, const Eigen::VectorXd& theta, int& at)
{
    ArdKernel kernel;
    kernel.kind = kind;
    kernel.lengthscales = theta.segment(at, d).array().exp().matrix();
    at += d;
    if (warping) {
        kernel.warpA = theta.segment(at, d).array().exp().matrix();
        kernel.warpB = theta.segment(at + d, d).array().exp().matrix();
        at += 2 * d;
    }
    return kernel;
}

/// The gradient of the NLL over one kernel's parameters into gradient[at...], given
/// M = Q o C o g (C the task covariance the kernel is multiplied with, g its lengthscale factor).
/// Lengthscales: dK/d(log l_i) = C o g o (du_i / l_i)^2 on the (warped) inputs u, so the gradient
/// is (sum_jk M_jk (u_ji - u_ki)^2) / (2 l_i^2). A warp parameter c moves u_i by s = du_i/dc:
/// dK/dc = -C o g o du_i (s_j - s_k) / l_i^2, gradient -(sum_j rowSum_j u_ji s_j - u_i^T M s) / l_i^2.
void kernelGradient(const ArdKernel& kernel, const Eigen::MatrixXd& inputs, const Eigen::MatrixXd& m, bool warping,
                    Eigen::VectorXd& gradient, int& at)
{
    const int d = int(kernel.lengthscales.size());
    const Eigen::VectorXd rowSums = m.rowwise().sum();
    const Eigen::MatrixXd warpedInputs = kernel.warped() ? kernel.warp(inputs) : Eigen::MatrixXd();
    const Eigen::MatrixXd& u = kernel.warped() ? warpedInputs : inputs; // no copy of the inputs unwarped
    const Eigen::MatrixXd mu = m * u;
    const Eigen::ArrayXd l2 = kernel.lengthscales.array().square();
    for (int i = 0; i < d; ++i) {
        const auto ui = u.col(i);
        gradient[at + i] = (rowSums.dot(ui.cwiseProduct(ui)) - ui.dot(mu.col(i))) / l2[i];
    }
    at += d;
    if (!warping)
        return;
    Eigen::MatrixXd byLogA, byLogB;
    kernel.warpDerivatives(inputs, byLogA, byLogB);
    const Eigen::MatrixXd msA = m * byLogA;
    const Eigen::MatrixXd msB = m * byLogB;
    for (int i = 0; i < d; ++i) {
        const auto ui = u.col(i);
        gradient[at + i] = -(rowSums.dot(ui.cwiseProduct(byLogA.col(i))) - ui.dot(msA.col(i))) / l2[i];
        gradient[at + d + i] = -(rowSums.dot(ui.cwiseProduct(byLogB.col(i))) - ui.dot(msB.col(i))) / l2[i];
    }
    at += 2 * d;
}

} // namespace

Eigen::VectorXd MtgpParameterLayout::pack(const MtgpHyperparameters& h) const
{
    Eigen::VectorXd theta(size());
    int at = 0;
    packKernel(h.kernel, inputWarping, theta, at);
    if (specificKernel)
        packKernel(h.taskSpecificKernel(), false, theta, at); // starts as plain ICM without one
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
    h.kernel = unpackKernel(kernel, inputDim, inputWarping, theta, at);
    if (specificKernel)
        h.specificKernel = unpackKernel(kernel, inputDim, false, theta, at);
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
    if (layout.specificKernel)
        for (Eigen::MatrixXd* m : {&specificKx_, &specificWeights_})
            m->resize(n, n);
}

double MtgpLikelihood::operator()(const Eigen::VectorXd& theta, Eigen::VectorXd* gradient)
{
    const MtgpHyperparameters h = layout_.unpack(theta);
    const Eigen::MatrixXd b = h.taskCovariance();
    const Eigen::Index n = data_.size();
    const int tasks = layout_.taskCount;
    const bool specific = layout_.specificKernel;
    const std::vector<int>& t = data_.tasks;
    // The task covariance the shared kernel multiplies: B, or W W^T when the diagonal part v has
    // its own kernel.
    Eigen::MatrixXd shared = b;
    if (specific)
        shared.diagonal() -= h.taskDiagonal;

    // One pass over the pairs: kernel values, their lengthscale factors g (weighted by their task
    // covariances and kept in weights_ until Q is known), and the covariance K = shared o k
    // (+ diag(v) o k_s) + noise (factorised in place).
    h.kernel.scaledSquaredDistances(data_.inputs, data_.inputs, r2_);
    h.kernel.evaluate(r2_, kx_, weights_);
    if (specific) {
        h.specificKernel.scaledSquaredDistances(data_.inputs, data_.inputs, r2_);
        h.specificKernel.evaluate(r2_, specificKx_, specificWeights_);
    }
    Eigen::VectorXd residual = data_.targets;
    for (Eigen::Index k = 0; k < n; ++k) {
        const int tk = t[size_t(k)];
        for (Eigen::Index j = 0; j < n; ++j) {
            const int tj = t[size_t(j)];
            const double cjk = shared(tj, tk);
            factor_(j, k) = cjk * kx_(j, k);
            weights_(j, k) *= cjk;
            if (specific) {
                const double vjk = tj == tk ? h.taskDiagonal[tk] : 0.0;
                factor_(j, k) += vjk * specificKx_(j, k);
                specificWeights_(j, k) *= vjk;
            }
        }
        residual[k] -= h.taskMean[tk];
    }
    for (Eigen::Index j = 0; j < n; ++j)
        factor_(j, j) += h.noiseVariance[t[size_t(j)]];
    double jitter = 0;
    if (!choleskyInPlace(factor_)) {
        // Rare: rebuild K and let the jittered factorisation handle it.
        Eigen::MatrixXd cov(n, n);
        for (Eigen::Index k = 0; k < n; ++k)
            for (Eigen::Index j = 0; j < n; ++j) {
                const int tj = t[size_t(j)], tk = t[size_t(k)];
                cov(j, k) = shared(tj, tk) * kx_(j, k) + (j == k ? h.noiseVariance[tj] : 0.0);
                if (specific && tj == tk)
                    cov(j, k) += h.taskDiagonal[tk] * specificKx_(j, k);
            }
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
    weights_.array() *= q_.array();
    if (specific) {
        specificWeights_.array() *= q_.array();
        kernelGradient(h.kernel, data_.inputs, weights_, layout_.inputWarping, *gradient, at);
        kernelGradient(h.specificKernel, data_.inputs, specificWeights_, false, *gradient, at);
    } else {
        kernelGradient(h.kernel, data_.inputs, weights_, layout_.inputWarping, *gradient, at);
    }

    // Task covariance: G[a, b] = sum over pairs with tasks (a, b) of (Q o k) / 2, with k the
    // kernel the entry multiplies; dW = 2 G W (G symmetric), d(log v_a) = G_s[a, a] v_a.
    Eigen::MatrixXd g = Eigen::MatrixXd::Zero(tasks, tasks);
    Eigen::VectorXd gSpecific = Eigen::VectorXd::Zero(tasks);
    for (Eigen::Index k = 0; k < n; ++k)
        for (Eigen::Index j = 0; j < n; ++j) {
            const int tj = t[size_t(j)], tk = t[size_t(k)];
            g(tj, tk) += 0.5 * q_(j, k) * kx_(j, k);
            if (tj == tk)
                gSpecific[tk] += 0.5 * q_(j, k) * (specific ? specificKx_(j, k) : kx_(j, k));
        }
    const Eigen::MatrixXd dW = 2.0 * g * h.taskFactor;
    for (int a = 0; a < tasks; ++a)
        for (int r = 0; r < layout_.rank; ++r)
            (*gradient)[at++] = dW(a, r);
    for (int a = 0; a < tasks; ++a)
        (*gradient)[at + a] = gSpecific[a] * h.taskDiagonal[a];
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
