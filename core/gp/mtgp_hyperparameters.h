#pragma once

#include "gp/kernel.h"

#include <Eigen/Dense>

#include <string>

namespace quantscope {

/// Hyperparameters of the ICM multi-task GP (Bonilla et al., NIPS 2008), in the units of the
/// targets: cov(f_s(x), f_t(x')) = B[s, t] k(x, x') with B = W W^T + diag(v), observation
/// y = mu_t + f_t(x) + e, e ~ N(0, sigma2_t). Per-task means and noises follow NUQ's paper.
/// Optionally the task-specific part has a kernel of its own (a linear model of coregionalisation
/// with two terms): cov = (W W^T)[s, t] k(x, x') + [s = t] v_t k_s(x, x'). The shared structure
/// and what only one task does (accuracy collapsing before fine-tuning repairs it) then need not
/// share one smoothness.
struct MtgpHyperparameters {
    ArdKernel kernel;
    ArdKernel specificKernel;      ///< k_s; no lengthscales: k_s = k (plain ICM)
    Eigen::MatrixXd taskFactor;    ///< W, tasks x rank
    Eigen::VectorXd taskDiagonal;  ///< v > 0, one per task
    Eigen::VectorXd taskMean;      ///< mu, one per task
    Eigen::VectorXd noiseVariance; ///< sigma2 > 0, one per task

    int taskCount() const { return int(taskMean.size()); }
    int inputDim() const { return int(kernel.lengthscales.size()); }
    bool hasSpecificKernel() const { return specificKernel.lengthscales.size() > 0; }
    /// The kernel of the task-specific part (k_s, or k when there is none of its own).
    const ArdKernel& taskSpecificKernel() const { return hasSpecificKernel() ? specificKernel : kernel; }
    Eigen::MatrixXd taskCovariance() const;  ///< B
    Eigen::MatrixXd taskCorrelation() const; ///< B normalised to unit diagonal

    /// Throws ConfigError when the sizes disagree or a variance is not positive.
    void validate() const;

    std::string toJson() const;
    static MtgpHyperparameters fromJson(const std::string& json); ///< ConfigError when malformed
};

} // namespace quantscope
