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
/// covariance carries the scale): k(x, x') = f(r^2), r^2 = sum_i ((x_i - x'_i) / l_i)^2.
struct ArdKernel {
    KernelKind kind = KernelKind::Matern52;
    Eigen::VectorXd lengthscales;

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
