#pragma once

#include "gp/mtgp_data.h"
#include "gp/mtgp_hyperparameters.h"
#include "gp/normal_mixture.h"

#include <Eigen/Dense>

#include <vector>

namespace quantscope {

/// Posterior mean and variance of the latent task functions f_t (observation noise excluded).
struct Posterior {
    Eigen::VectorXd mean;
    Eigen::VectorXd variance;
};

/// The ICM multi-task Gaussian process conditioned on data, for fixed hyperparameters
/// (fit them with `fitMtgp`). Covariance of observations j, k:
/// K[j, k] = B[t_j, t_k] k(x_j, x_k) + delta_jk sigma2_{t_j}. One Cholesky factor per
/// conditioning, triangular solves for every query; a failed factorisation is retried with
/// growing jitter on the diagonal.
class MultiTaskGP {
public:
    MultiTaskGP(MtgpHyperparameters hyperparameters, MtgpData data = {});

    void setHyperparameters(MtgpHyperparameters hyperparameters);
    void setData(MtgpData data);
    /// Adds one observation in O(N^2) by extending the Cholesky factor; no refit.
    void addObservation(const Eigen::VectorXd& x, int task, double y);

    const MtgpHyperparameters& hyperparameters() const { return h_; }
    const MtgpData& data() const { return data_; }
    int inputDim() const { return h_.inputDim(); }
    int taskCount() const { return h_.taskCount(); }
    double jitter() const { return jitter_; } ///< added to the diagonal at the last factorisation

    /// Posterior of f_{tasks[i]} at row i of `inputs`.
    Posterior predict(const Eigen::MatrixXd& inputs, const std::vector<int>& tasks) const;
    /// Posterior covariance between (inputsA[i], tasksA[i]) and (inputsB[j], tasksB[j]).
    Eigen::MatrixXd posteriorCovariance(const Eigen::MatrixXd& inputsA, const std::vector<int>& tasksA,
                                        const Eigen::MatrixXd& inputsB, const std::vector<int>& tasksB) const;
    /// log p(y | X, hyperparameters).
    double logMarginalLikelihood() const;
    /// Leave-one-out predictive mean and variance of each observation (noise included), from the
    /// closed form y_i - alpha_i / [K^-1]_ii and 1 / [K^-1]_ii: no refits.
    Posterior leaveOneOut() const;

    /// L^-1 K(data, queries) with L the Cholesky factor of the data covariance: posterior
    /// covariances are prior - W_a^T W_b, so acquisition functions whiten each set once.
    /// Empty (0 rows) without data.
    Eigen::MatrixXd whitenedCrossCovariance(const Eigen::MatrixXd& inputs, const std::vector<int>& tasks) const;

    /// Prior covariance B[t_a, t_b] k(x_a, x_b) between two sets of (input, task) pairs.
    Eigen::MatrixXd priorCovariance(const Eigen::MatrixXd& inputsA, const std::vector<int>& tasksA,
                                    const Eigen::MatrixXd& inputsB, const std::vector<int>& tasksB) const;

private:
    void condition();
    Eigen::VectorXd residuals() const;

    MtgpHyperparameters h_;
    Eigen::MatrixXd taskCovariance_;
    MtgpData data_;
    Eigen::MatrixXd cholesky_; ///< lower-triangular L with L L^T = K + jitter I
    Eigen::VectorXd alpha_;    ///< K^-1 (y - mu)
    double jitter_ = 0;
};

/// A posterior averaged over GPs conditioned on the same data with sampled hyperparameters (equal
/// weights), per query the mixture of their normals; `withNoise` adds each model's task noise
/// first (the predictive distribution of a new observation). Its quantiles make the intervals
/// the views show (docs/calibration.md); one model gives its own posterior exactly.
std::vector<NormalMixture> predictiveMixtures(const std::vector<MultiTaskGP>& models, const Eigen::MatrixXd& inputs,
                                              const std::vector<int>& tasks, bool withNoise);
/// The same for leave-one-out predictions of every observation (noise included).
std::vector<NormalMixture> leaveOneOutMixtures(const std::vector<MultiTaskGP>& models);

/// Cholesky factor of `matrix`, adding jitter 1e-10, 1e-9, ... times its mean diagonal until the
/// factorisation succeeds. Throws NumericalError when even 1e-3 of the diagonal does not help.
Eigen::MatrixXd choleskyWithJitter(const Eigen::MatrixXd& matrix, double* jitterUsed = nullptr);

/// x with (L L^T) x = b, for lower-triangular L.
Eigen::VectorXd choleskySolve(const Eigen::MatrixXd& lower, const Eigen::VectorXd& b);

} // namespace quantscope
