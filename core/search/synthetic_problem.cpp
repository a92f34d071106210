#include "search/synthetic_problem.h"

#include "common/error.h"

#include <algorithm>
#include <cmath>

namespace quantscope {

SyntheticProblem SyntheticProblem::standard(size_t layers, uint64_t seed)
{
    if (layers < 1)
        throw ConfigError("a synthetic problem needs at least one layer");
    SyntheticProblem problem;
    std::mt19937_64 rng(seed);
    std::normal_distribution<double> normal(0.0, 1.0);
    for (size_t i = 0; i < layers; ++i) {
        const double depth = layers > 1 ? double(i) / double(layers - 1) : 0.0;
        LayerInfo layer;
        layer.name = "layer" + std::to_string(i);
        // Weight counts grow with depth, from ~1e3 to ~1.5e5 (like the zoo's VGG).
        layer.weightCount = int64_t(1000 * std::pow(150.0, depth));
        layer.weightShape = {layer.weightCount};
        layer.macs = layer.weightCount * 100;
        problem.layers_.push_back(layer);
        problem.sensitivity_.push_back(0.35 * (1 + 1.5 * (1 - depth)) * std::exp(0.3 * normal(rng)));
    }
    problem.tasks_ = {{"quantize only", 1.0, 0.4, 0.25},
                      {"1 epoch", 0.45, 0.3, 1.25},
                      {"2 epochs", 0.3, 0.3, 2.25},
                      {"15 epochs", 0.15, 0.2, 15.25}};
    return problem;
}

SyntheticProblem SyntheticProblem::make(const SyntheticProblemSpec& spec)
{
    SyntheticProblem problem = standard(spec.layers, spec.seed);
    if (spec.costs.size() != problem.tasks_.size())
        throw ConfigError("a synthetic problem needs one cost per task (" + std::to_string(problem.tasks_.size())
                          + ")");
    for (size_t t = 0; t < spec.costs.size(); ++t)
        problem.tasks_[t].cost = spec.costs[t];
    std::mt19937_64 rng(spec.seed * 7907 + 11);
    std::normal_distribution<double> normal(0.0, 1.0);
    problem.taskSensitivity_.assign(problem.tasks_.size(), {});
    for (int t = 0; t + 1 < problem.taskCount(); ++t) {
        std::vector<double> s = problem.sensitivity_;
        if (t == spec.misleadingTask)
            std::reverse(s.begin(), s.end());
        if (spec.cheapSpread > 0)
            for (double& v : s)
                v *= std::exp(spec.cheapSpread * normal(rng));
        if (s != problem.sensitivity_)
            problem.taskSensitivity_[size_t(t)] = std::move(s);
    }
    return problem;
}

std::vector<SyntheticProblemSpec> SyntheticProblem::benchmarkFamily()
{
    return {
        {"strong 1:3", 8, 1, {1, 1.5, 2, 3}, 0, -1},           {"strong 1:14", 8, 2, {1, 2, 4, 14}, 0, -1},
        {"strong 1:100", 8, 3, {1, 5, 20, 100}, 0, -1},        {"weak 1:14", 8, 4, {1, 2, 4, 14}, 0.8, -1},
        {"misleading 1:14", 8, 5, {1, 2, 4, 14}, 0, 0},        {"strong 1:14, 12 layers", 12, 6, {1, 2, 4, 14}, 0, -1},
        {"strong 1:14, 6 layers", 6, 7, {1, 2, 4, 14}, 0, -1},
    };
}

double SyntheticProblem::trueAccuracy(const BitConfig& bits, int task) const
{
    if (bits.size() != layers_.size())
        throw ConfigError("synthetic problem has " + std::to_string(layers_.size()) + " layers, configuration "
                          + std::to_string(bits.size()));
    const std::vector<double>& sensitivity = taskSensitivity_.empty() || taskSensitivity_.at(size_t(task)).empty()
        ? sensitivity_
        : taskSensitivity_[size_t(task)];
    double damage = 0;
    for (size_t i = 0; i < layers_.size(); ++i) {
        const int w = bits[i].weight == 0 ? 32 : bits[i].weight;
        const int a = bits[i].activation == 0 ? 32 : bits[i].activation;
        const int b = std::min(w, a); // the coarser side dominates the damage
        damage += sensitivity[i] * std::pow(4.0, -(b - 1));
    }
    const double d = tasks_.at(size_t(task)).recovery * damage * (1 + gamma_ * damage);
    return chance_ + (top_ - chance_) * std::exp(-d);
}

double SyntheticProblem::observe(const BitConfig& bits, int task, std::mt19937_64& rng) const
{
    std::normal_distribution<double> noise(0.0, tasks_.at(size_t(task)).noiseSd);
    return trueAccuracy(bits, task) + noise(rng);
}

std::vector<BitConfig> SyntheticProblem::paretoFront() const
{
    struct Partial {
        double memory;
        double damage;
        std::vector<LayerBits> bits;
    };
    std::vector<Partial> front = {{0.0, 0.0, {}}};
    for (size_t i = 0; i < layers_.size(); ++i) {
        std::vector<Partial> next;
        for (const Partial& p : front) {
            for (int b = 1; b <= 8; ++b) {
                Partial extended = p;
                extended.memory += double(layers_[i].weightCount) * b;
                extended.damage += sensitivity_[i] * std::pow(4.0, -(b - 1));
                extended.bits.push_back({b, b});
                next.push_back(std::move(extended));
            }
        }
        std::sort(next.begin(), next.end(), [](const Partial& a, const Partial& b) {
            return a.memory != b.memory ? a.memory < b.memory : a.damage < b.damage;
        });
        front.clear();
        for (Partial& p : next)
            if (front.empty() || p.damage < front.back().damage)
                front.push_back(std::move(p));
    }
    std::vector<BitConfig> out;
    for (Partial& p : front)
        out.emplace_back(std::move(p.bits));
    return out;
}

double SyntheticProblem::memoryMB(const BitConfig& bits) const
{
    double total = 0;
    for (size_t i = 0; i < layers_.size(); ++i)
        total += double(layers_[i].weightCount) * (bits[i].isFloat() ? 32 : bits[i].weight);
    return total / 8 / 1e6;
}

} // namespace quantscope
