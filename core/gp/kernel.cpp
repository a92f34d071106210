#include "gp/kernel.h"

#include "common/error.h"

#include <cmath>

namespace quantscope {

KernelKind parseKernelKind(const std::string& name)
{
    if (name == "se" || name == "rbf" || name == "squared-exponential")
        return KernelKind::SquaredExponential;
    if (name == "matern52" || name == "matern")
        return KernelKind::Matern52;
    throw ConfigError("unknown kernel '" + name + "': expected se or matern52");
}

std::string kernelName(KernelKind kind)
{
    return kind == KernelKind::SquaredExponential ? "se" : "matern52";
}

Eigen::MatrixXd ArdKernel::scaledSquaredDistances(const Eigen::MatrixXd& a, const Eigen::MatrixXd& b) const
{
    const Eigen::ArrayXd inverse = lengthscales.array().inverse();
    const Eigen::MatrixXd as = a * inverse.matrix().asDiagonal();
    const Eigen::MatrixXd bs = b * inverse.matrix().asDiagonal();
    Eigen::MatrixXd r2 = (-2.0 * as * bs.transpose()).colwise() + as.rowwise().squaredNorm();
    r2.rowwise() += bs.rowwise().squaredNorm().transpose();
    return r2.cwiseMax(0.0); // cancellation can leave tiny negatives
}

Eigen::MatrixXd ArdKernel::value(const Eigen::MatrixXd& r2) const
{
    if (kind == KernelKind::SquaredExponential)
        return (-0.5 * r2.array()).exp().matrix();
    const Eigen::ArrayXXd r = r2.array().sqrt();
    const double s5 = std::sqrt(5.0);
    return ((1.0 + s5 * r + (5.0 / 3.0) * r2.array()) * (-s5 * r).exp()).matrix();
}

Eigen::MatrixXd ArdKernel::lengthscaleFactor(const Eigen::MatrixXd& r2) const
{
    if (kind == KernelKind::SquaredExponential)
        return (-0.5 * r2.array()).exp().matrix();
    // dk/dr = -(5/3) r (1 + sqrt5 r) exp(-sqrt5 r) and dr/d(log l_i) = -(dx_i / l_i)^2 / r.
    const Eigen::ArrayXXd r = r2.array().sqrt();
    const double s5 = std::sqrt(5.0);
    return ((5.0 / 3.0) * (1.0 + s5 * r) * (-s5 * r).exp()).matrix();
}

Eigen::MatrixXd ArdKernel::matrix(const Eigen::MatrixXd& a, const Eigen::MatrixXd& b) const
{
    return value(scaledSquaredDistances(a, b));
}

} // namespace quantscope
