#pragma once

#include "common/layer_info.h"
#include "quant/bit_config.h"

#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace quantscope {

/// One fine-tuning budget of the synthetic problem.
struct SyntheticTask {
    std::string name;
    double recovery = 1; ///< r_l: the share of quantization damage that fine-tuning leaves
    double noiseSd = 0;  ///< observation noise, accuracy points
    double cost = 1;     ///< nominal cost of one evaluation
};

/// One problem of the benchmark family the search strategies are judged on: layers, task costs
/// (cheapest to target) and how the cheaper tasks relate to the target.
struct SyntheticProblemSpec {
    std::string name;
    size_t layers = 8;
    uint64_t seed = 0;
    std::vector<double> costs = {0.25, 1.25, 2.25, 15.25};
    /// Cheaper tasks see each layer's sensitivity times exp(spread * N(0, 1)), drawn per task:
    /// 0 keeps them strongly correlated with the target, larger weakens the correlation.
    double cheapSpread = 0;
    /// A task (or -1) whose layer sensitivities are the target's in reverse layer order: cheap
    /// evaluations there point the wrong way.
    int misleadingTask = -1;
};

/// A cheap stand-in for quantize-and-fine-tune, for tests and benchmarks. Layer i has a
/// sensitivity s_i (early layers more sensitive, seeded variation) and weight count w_i. With
/// e_i(b) = s_i 4^-(b-1) (quantization noise power falls 4x per bit),
///   D_l(b) = r_l sum_i e_i(b) (1 + gamma sum_i e_i(b))        (damage, super-additive)
///   a_l(b) = chance + (top - chance) exp(-D_l(b)) + noise_l
/// so tasks are strongly but not perfectly correlated (more fine-tuning recovers more, and
/// recovers most where damage is large), and configurations with more bits early win.
class SyntheticProblem {
public:
    /// `layers` layers with VGG-like growing weight counts; tasks after NUQ's budgets of 0, 1, 2
    /// and 15 epochs (costs 0.25, 1.25, 2.25, 15.25: one evaluation plus the epochs).
    static SyntheticProblem standard(size_t layers = 9, uint64_t seed = 0);
    /// The standard problem's tasks (recoveries and noise) with `spec`'s layers, costs and task
    /// relations; the target's surface, and so the true front, is that of `standard`.
    static SyntheticProblem make(const SyntheticProblemSpec& spec);
    /// The benchmark family (docs/benchmarks.md): cost ratios 1:3 to 1:100 with strongly
    /// correlated budgets, a weakly correlated and a misleading variant, and 6 to 12 layers.
    static std::vector<SyntheticProblemSpec> benchmarkFamily();

    size_t layerCount() const { return layers_.size(); }
    const std::vector<LayerInfo>& layers() const { return layers_; }
    const std::vector<SyntheticTask>& tasks() const { return tasks_; }
    int taskCount() const { return int(tasks_.size()); }
    int targetTask() const { return taskCount() - 1; }
    const std::vector<double>& sensitivities() const { return sensitivity_; }

    double trueAccuracy(const BitConfig& bits, int task) const;
    double observe(const BitConfig& bits, int task, std::mt19937_64& rng) const;
    double memoryMB(const BitConfig& bits) const; ///< weights at their bits, no scales

    /// The exact accuracy-vs-memory Pareto front over all 8^n coupled configurations (bits 1..8).
    /// Memory and damage add over layers and accuracy falls with damage, so the front is built
    /// layer by layer, keeping only non-dominated (memory, damage) partial sums.
    std::vector<BitConfig> paretoFront() const;

private:
    std::vector<LayerInfo> layers_;
    std::vector<double> sensitivity_;                  ///< the target task's
    std::vector<std::vector<double>> taskSensitivity_; ///< per task, where it differs (else empty)
    std::vector<SyntheticTask> tasks_;
    double gamma_ = 0.2;
    double top_ = 93.0;
    double chance_ = 10.0;
};

} // namespace quantscope
