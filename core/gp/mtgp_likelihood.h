#pragma once

#include "gp/mtgp_data.h"
#include "gp/mtgp_hyperparameters.h"

#include <Eigen/Dense>

namespace quantscope {

/// The packing of ICM hyperparameters into the unconstrained vector ML-II optimises:
/// [kernel, task-specific kernel (when it has its own), W row-major (T r), log v (T),
/// log sigma2 (T), mu (T)], a kernel being [log lengthscales (d), and with input warping
/// log a (d) and log b (d)].
struct MtgpParameterLayout {
    int inputDim = 1;
    int taskCount = 1;
    int rank = 1;
    KernelKind kernel = KernelKind::Matern52;
    bool inputWarping = false;
    bool specificKernel = false; ///< the task-specific part has a kernel of its own

    int kernelSize() const { return inputDim * (inputWarping ? 3 : 1); } ///< parameters of the shared kernel
    /// Both kernels': the task-specific one is never warped (what one task does alone, e.g.
    /// collapsing at a bit width fine-tuning repairs, need not follow the shared warp).
    int kernelsSize() const { return kernelSize() + (specificKernel ? inputDim : 0); }
    int size() const { return kernelsSize() + taskCount * rank + 3 * taskCount; }
    Eigen::VectorXd pack(const MtgpHyperparameters& h) const;
    MtgpHyperparameters unpack(const Eigen::VectorXd& theta) const;
};

/// Negative log marginal likelihood of fixed data as a function of the packed hyperparameters,
/// with its analytic gradient: with Q = K^-1 - alpha alpha^T, d/d(theta) = tr(Q dK/d(theta)) / 2
/// for the covariance parameters and -sum of alpha over a task's observations for its mean.
/// Keeps its n x n work matrices between calls: an optimiser calls it hundreds of times, and
/// fresh allocations of that size cost more in page faults than the arithmetic.
class MtgpLikelihood {
public:
    MtgpLikelihood(const MtgpData& data, const MtgpParameterLayout& layout);

    /// Throws NumericalError when K cannot be factorised, even with jitter.
    double operator()(const Eigen::VectorXd& theta, Eigen::VectorXd* gradient);

private:
    const MtgpData& data_;
    MtgpParameterLayout layout_;
    Eigen::MatrixXd r2_, kx_, factor_, weights_, q_;
    Eigen::MatrixXd specificKx_, specificWeights_; // the task-specific kernel's, when it has its own
};

/// One-off evaluation of MtgpLikelihood.
double mtgpNegativeLogLikelihood(const MtgpData& data, const MtgpParameterLayout& layout, const Eigen::VectorXd& theta,
                                 Eigen::VectorXd* gradient);

} // namespace quantscope
