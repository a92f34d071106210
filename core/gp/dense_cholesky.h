#pragma once

#include <Eigen/Dense>

namespace quantscope {

/// Dense symmetric positive-definite kernels through LAPACK (OpenBLAS at run time: multithreaded
/// and vectorised for the CPU it runs on, where Eigen alone is built for baseline x86-64).

/// Overwrites the lower triangle of `matrix` with its Cholesky factor L (the strict upper triangle
/// is zeroed). Returns false, leaving `matrix` undefined, when it is not positive definite.
bool choleskyInPlace(Eigen::MatrixXd& matrix);

/// Overwrites a lower Cholesky factor L with the full symmetric inverse (L L^T)^-1.
void inverseFromCholesky(Eigen::MatrixXd& factor);

} // namespace quantscope
