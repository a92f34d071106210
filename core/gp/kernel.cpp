#include "gp/kernel.h"

#include "common/error.h"

#include <algorithm>
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

namespace {

constexpr double kWarpMargin = 1e-6;

double clampToOpenUnit(double x)
{
    return std::clamp(x, kWarpMargin, 1.0 - kWarpMargin);
}

} // namespace

Eigen::MatrixXd ArdKernel::warp(const Eigen::MatrixXd& x) const
{
    if (!warped())
        return x;
    Eigen::MatrixXd u(x.rows(), x.cols());
    for (Eigen::Index i = 0; i < x.cols(); ++i)
        for (Eigen::Index j = 0; j < x.rows(); ++j)
            u(j, i) = 1.0 - std::pow(1.0 - std::pow(clampToOpenUnit(x(j, i)), warpA[i]), warpB[i]);
    return u;
}

void ArdKernel::warpDerivatives(const Eigen::MatrixXd& x, Eigen::MatrixXd& byLogA, Eigen::MatrixXd& byLogB) const
{
    byLogA.resize(x.rows(), x.cols());
    byLogB.resize(x.rows(), x.cols());
    for (Eigen::Index i = 0; i < x.cols(); ++i) {
        const double a = warpA[i], b = warpB[i];
        for (Eigen::Index j = 0; j < x.rows(); ++j) {
            const double xc = clampToOpenUnit(x(j, i));
            const double xa = std::pow(xc, a);
            const double m = 1.0 - xa; // > 0: xc < 1
            const double mb = std::pow(m, b);
            byLogA(j, i) = a * b * (mb / m) * xa * std::log(xc);
            byLogB(j, i) = -b * mb * std::log(m);
        }
    }
}

Eigen::MatrixXd ArdKernel::scaledSquaredDistances(const Eigen::MatrixXd& a, const Eigen::MatrixXd& b) const
{
    Eigen::MatrixXd out;
    scaledSquaredDistances(a, b, out);
    return out;
}

void ArdKernel::scaledSquaredDistances(const Eigen::MatrixXd& a, const Eigen::MatrixXd& b, Eigen::MatrixXd& out) const
{
    const Eigen::VectorXd inverse = lengthscales.cwiseInverse();
    const auto scaled = [&](const Eigen::MatrixXd& x) -> Eigen::MatrixXd {
        return warped() ? warp(x) * inverse.asDiagonal() : x * inverse.asDiagonal(); // no copy of x unwarped
    };
    const Eigen::MatrixXd as = scaled(a);
    const Eigen::MatrixXd bs = scaled(b);
    const Eigen::VectorXd aNorms = as.rowwise().squaredNorm();
    const Eigen::VectorXd bNorms = bs.rowwise().squaredNorm();
    out.resize(a.rows(), b.rows());
    out.noalias() = -2.0 * as * bs.transpose();
    for (Eigen::Index k = 0; k < out.cols(); ++k)
        for (Eigen::Index j = 0; j < out.rows(); ++j)
            out(j, k) = std::max(out(j, k) + aNorms[j] + bNorms[k], 0.0); // cancellation can leave tiny negatives
}

void ArdKernel::evaluate(const Eigen::MatrixXd& r2, Eigen::MatrixXd& value, Eigen::MatrixXd& factor) const
{
    value.resize(r2.rows(), r2.cols());
    factor.resize(r2.rows(), r2.cols());
    const double s5 = std::sqrt(5.0);
    for (Eigen::Index k = 0; k < r2.cols(); ++k) {
        for (Eigen::Index j = 0; j < r2.rows(); ++j) {
            const double d2 = r2(j, k);
            if (kind == KernelKind::SquaredExponential) {
                value(j, k) = factor(j, k) = std::exp(-0.5 * d2);
            } else {
                const double r = std::sqrt(d2);
                const double e = std::exp(-s5 * r);
                value(j, k) = (1.0 + s5 * r + (5.0 / 3.0) * d2) * e;
                factor(j, k) = (5.0 / 3.0) * (1.0 + s5 * r) * e;
            }
        }
    }
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
