#pragma once

#include "quant/bit_config.h"

#include <Eigen/Dense>

#include <optional>
#include <vector>

namespace quantscope {

class StudySurrogate;

/// The GP's median and sd on every task over a plane of the encoding's first two coordinates (the
/// whole plane for two-dimensional encodings; for more, a slice through `slicedAt`): the posterior
/// view's heat maps. Computed with a workbench's results, off the GUI thread: it costs kSide^2
/// predictions per task, each a mixture over the hyperparameter samples.
struct PosteriorPlane {
    static constexpr int kSide = 41; ///< cells per side

    Eigen::VectorXd base;                    ///< every coordinate; the first two vary over [0, 1]
    std::optional<BitConfig> slicedAt;       ///< the configuration the other coordinates come from
    std::vector<Eigen::VectorXd> median, sd; ///< per task, kSide^2 cells: (i, j) at i * kSide + j

    bool empty() const { return median.empty(); }
    /// Cell (i, j)'s coordinates 1 and 2: i / (kSide - 1), j / (kSide - 1).
    static double coordinate(int index) { return double(index) / (kSide - 1); }
};

/// The plane through the best of `ranking` (or the middle of the box without one, or for an
/// encoding of two coordinates or fewer), every task. Empty when `surrogate` is not fitted.
PosteriorPlane posteriorPlane(const StudySurrogate& surrogate, const std::vector<BitConfig>& ranking);

} // namespace quantscope
