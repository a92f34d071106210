#pragma once

#include <Eigen/Dense>

#include <utility>
#include <vector>

namespace quantscope {

/// `count` configurations evaluated on `task` before the strategy takes over.
struct InitialDesign {
    int task = 0;
    int count = 0;
};

/// The (candidate, task) pairs of an initial design over candidates with GP inputs `inputs`
/// (rows) and bit sums `bitSums`. The first entry's configurations are space-filling over every
/// candidate: the highest-bit and the lowest-bit ones, then each next the one farthest in the
/// encoding from those chosen (greedy maximin), so the model sees the whole range before the
/// acquisition takes over. Later entries reuse the first entries' configurations, from the
/// highest-bit one on by the same rule, so that tasks are observed at the same inputs and their
/// correlation shows in the data. Each configuration's evaluations are listed together
/// (cheap task, then the others), so that a design cut short still holds every task.
/// ConfigError for a task outside 0..taskCount-1.
std::vector<std::pair<size_t, int>> planInitialDesign(const Eigen::MatrixXd& inputs, const std::vector<double>& bitSums,
                                                      const std::vector<InitialDesign>& design, int taskCount);

} // namespace quantscope
