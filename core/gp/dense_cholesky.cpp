#include "gp/dense_cholesky.h"

#include "common/error.h"

extern "C" {
// LAPACK's Fortran interface (liblapack.so.3, provided by OpenBLAS).
void dpotrf_(const char* uplo, const int* n, double* a, const int* lda, int* info);
void dpotri_(const char* uplo, const int* n, double* a, const int* lda, int* info);
}

namespace quantscope {

bool choleskyInPlace(Eigen::MatrixXd& matrix)
{
    const int n = int(matrix.rows());
    if (n == 0)
        return true;
    int info = 0;
    const char lower = 'L';
    dpotrf_(&lower, &n, matrix.data(), &n, &info);
    if (info != 0)
        return false;
    matrix.triangularView<Eigen::StrictlyUpper>().setZero();
    return true;
}

void inverseFromCholesky(Eigen::MatrixXd& factor)
{
    const int n = int(factor.rows());
    if (n == 0)
        return;
    int info = 0;
    const char lower = 'L';
    dpotri_(&lower, &n, factor.data(), &n, &info);
    if (info != 0)
        throw NumericalError("GP covariance inverse failed (LAPACK dpotri info " + std::to_string(info) + ")");
    factor.triangularView<Eigen::StrictlyUpper>() = factor.transpose();
}

} // namespace quantscope
