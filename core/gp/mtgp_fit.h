#pragma once

#include "gp/mtgp_data.h"
#include "gp/mtgp_hyperparameters.h"

#include <cstdint>
#include <optional>

namespace quantscope {

struct MtgpFitOptions {
    KernelKind kernel = KernelKind::Matern52;
    int rank = 0;            ///< rank of W; 0 means the number of tasks (full rank, as NUQ's code)
    int restarts = 4;        ///< random restarts besides the start from `warmStart` or the default
    int maxIterations = 200; ///< L-BFGS-B iterations per start
    uint64_t seed = 0;
    /// Task covariances may be negative. Off by default: fine-tuning budgets of one network are
    /// positively correlated, and NUQ's prior (W ~ U(0, 1)) says so too; with few high-fidelity
    /// points an unconstrained W often finds spurious anti-correlation.
    bool allowNegativeCorrelation = false;
    /// Hyperparameters to start from (e.g. the last fit); its rank and kernel win over the options.
    std::optional<MtgpHyperparameters> warmStart;
};

struct MtgpFitReport {
    MtgpHyperparameters hyperparameters;
    double negativeLogLikelihood = 0;
    int starts = 0;
    int failedStarts = 0;  ///< starts whose factorisations failed throughout
    int evaluations = 0;   ///< likelihood-and-gradient evaluations over all starts
    double seconds = 0;
};

/// ML-II: maximises the marginal likelihood over ICM hyperparameters with L-BFGS-B (LBFGSpp) in
/// log space, from several starts, with a weak prior keeping each task mean near its data. Targets are standardised for the search, so the box bounds
/// are relative (lengthscales 0.01..100 on inputs in [0, 1], noise 1e-6..2 of the target
/// variance, ...); the result is in the targets' units. Throws ConfigError for invalid data and
/// NumericalError when no start could be evaluated.
MtgpFitReport fitMtgp(const MtgpData& data, int inputDim, int taskCount, const MtgpFitOptions& options = {});

/// Reasonable hyperparameters before any fit: lengthscale 0.5 sqrt(d), strongly correlated
/// tasks, per-task means of the data, noise 1 % of the target variance.
MtgpHyperparameters defaultMtgpHyperparameters(const MtgpData& data, int inputDim, int taskCount, int rank,
                                               KernelKind kernel);

} // namespace quantscope
