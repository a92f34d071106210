#pragma once

#include "search/strategy.h"

namespace quantscope {

/// Multi-fidelity expected hypervolume improvement of the target task's accuracy-vs-cost front
/// (docs/search.md). The target evaluation it would make is the available configuration with
/// the largest EHVI, V*, at cost lambda_T. A cheaper budget t at configuration x is worth it when
/// the plan "evaluate (x, t), then the best target evaluation" gains more per unit cost:
/// (V* + dV) / (lambda_t + lambda_T) > V* / lambda_T, where dV is the expected rise of the best
/// target EHVI once y_t(x) is known (a one-step look-ahead over the `lookahead` configurations
/// with the largest EHVI, integrated over y_t(x) by Gauss-Hermite quadrature). The rule spends
/// cheap budgets where they are informative and really cheaper, and none where they are not.
class FrontStrategy final : public Strategy {
public:
    explicit FrontStrategy(int lookahead = 16, int screened = 48) : lookahead_(lookahead), screened_(screened) {}
    std::string name() const override { return "ehvi"; }
    Proposal proposeOne(const AcquisitionContext& context, std::mt19937_64& rng) const override;
    /// The target task's EHVI of every candidate (0 where it was evaluated there).
    Eigen::VectorXd acquisition(const AcquisitionContext& context) const override;

private:
    int lookahead_; ///< configurations whose EHVI the look-ahead updates
    int screened_;  ///< configurations per cheap task whose look-ahead is computed
};

} // namespace quantscope
