#pragma once

#include <Eigen/Dense>

#include <string>

namespace quantscope {

enum class KernelKind {
    SquaredExponential, ///< k = exp(-r^2 / 2)
    Matern52,           ///< k = (1 + sqrt5 r + 5 r^2 / 3) exp(-sqrt5 r)
};

KernelKind parseKernelKind(const std::string& name); ///< "se" / "rbf" or "matern52"
std::string kernelName(KernelKind kind);

/// A stationary kernel with ARD lengthscales and unit variance (in the multi-task GP the task
/// covariance carries the scale): k(x, x') = f(r^2), r^2 = sum_i ((u_i - u'_i) / l_i)^2, on inputs
/// u = x or, with input warping, u_i = 1 - (1 - x_i^a_i)^b_i: the Kumaraswamy CDF (Snoek et al.,
/// "Input warping for Bayesian optimization of non-stationary functions", ICML 2014), which
/// stretches or squeezes each end of [0, 1] so that a stationary kernel fits a function that
/// changes fast near one end (accuracy falling off a cliff at 1-2 bits) and slowly elsewhere.
struct ArdKernel {
    KernelKind kind = KernelKind::Matern52;
    Eigen::VectorXd lengthscales;
    Eigen::VectorXd warpA; ///< Kumaraswamy a_i > 0, one per input; empty: no warping
    Eigen::VectorXd warpB; ///< Kumaraswamy b_i > 0

    bool warped() const { return warpA.size() > 0; }
    /// The inputs the distances are taken on (x itself without warping; x clamped to
    /// [1e-6, 1 - 1e-6] first with it, where the CDF's derivatives are finite).
    Eigen::MatrixXd warp(const Eigen::MatrixXd& x) const;
    /// d u_i / d(log a_i) and d u_i / d(log b_i) at the rows of `x` (both n x d).
    void warpDerivatives(const Eigen::MatrixXd& x, Eigen::MatrixXd& byLogA, Eigen::MatrixXd& byLogB) const;

    /// k between the rows of `a` and the rows of `b`.
    Eigen::MatrixXd matrix(const Eigen::MatrixXd& a, const Eigen::MatrixXd& b) const;
    /// Scaled squared distances r^2 between rows.
    Eigen::MatrixXd scaledSquaredDistances(const Eigen::MatrixXd& a, const Eigen::MatrixXd& b) const;
    /// The same into `out` (resized if needed; no allocation when it has the right size).
    void scaledSquaredDistances(const Eigen::MatrixXd& a, const Eigen::MatrixXd& b, Eigen::MatrixXd& out) const;
    /// f(r^2) into `value` and g(r^2) into `factor`, without temporaries.
    void evaluate(const Eigen::MatrixXd& r2, Eigen::MatrixXd& value, Eigen::MatrixXd& factor) const;
    /// f(r^2) elementwise.
    Eigen::MatrixXd value(const Eigen::MatrixXd& r2) const;
    /// g(r^2) elementwise, with dk/d(log l_i) = g * ((x_i - x'_i) / l_i)^2.
    Eigen::MatrixXd lengthscaleFactor(const Eigen::MatrixXd& r2) const;
};

} // namespace quantscope
