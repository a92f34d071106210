#pragma once

#include <Eigen/Dense>

#include <vector>

namespace quantscope {

/// Observations of a multi-task GP: row j of `inputs` was observed on task `tasks[j]` with value
/// `targets[j]`. Tasks need not share inputs (no full grid is assumed).
struct MtgpData {
    Eigen::MatrixXd inputs;
    std::vector<int> tasks;
    Eigen::VectorXd targets;

    Eigen::Index size() const { return targets.size(); }
    /// Throws ConfigError naming the first bad observation: sizes that disagree, a task outside
    /// 0..taskCount-1, or a NaN or infinite input or target.
    void validate(int inputDim, int taskCount) const;
    void append(const Eigen::VectorXd& x, int task, double y);
    /// Per task, the pooled variance of repeated observations (identical input and task: the
    /// seed-to-seed spread of re-evaluations), or 0 where the task has no repeats.
    Eigen::VectorXd repeatVariance(int taskCount) const;
    /// Per task, the sample variance of its targets, or 0 where it has fewer than `minimumCount`.
    Eigen::VectorXd taskVariance(int taskCount, int minimumCount = 2) const;
    /// Over the inputs observed on both `task` and `reference` (repeats averaged), the variance of
    /// task's values over reference's; 0 with fewer than two such inputs or where reference's
    /// sample variance over them is at most `minimumReferenceVariance` (a ratio over a spread that
    /// small is mostly noise).
    double pairedVarianceRatio(int task, int reference, double minimumReferenceVariance = 0) const;
};

} // namespace quantscope
