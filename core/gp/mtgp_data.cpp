#include "gp/mtgp_data.h"

#include "common/error.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <vector>
#include <string>

namespace quantscope {
namespace {

/// Row j of `inputs` as a map key: identical configurations give identical keys.
std::vector<double> inputKey(const Eigen::MatrixXd& inputs, Eigen::Index j)
{
    const Eigen::VectorXd x = inputs.row(j).transpose();
    return std::vector<double>(x.data(), x.data() + x.size());
}

double meanOf(const std::vector<double>& values)
{
    double sum = 0;
    for (double v : values)
        sum += v;
    return sum / double(values.size());
}

/// The sum of squared deviations of `values` from their mean.
double squaredDeviations(const std::vector<double>& values)
{
    const double mean = meanOf(values);
    double squares = 0;
    for (double v : values)
        squares += (v - mean) * (v - mean);
    return squares;
}

} // namespace

void MtgpData::validate(int inputDim, int taskCount) const
{
    if (inputs.rows() != targets.size() || Eigen::Index(tasks.size()) != targets.size())
        throw ConfigError("GP data: " + std::to_string(inputs.rows()) + " inputs, " + std::to_string(tasks.size())
                          + " task labels and " + std::to_string(targets.size()) + " targets");
    if (targets.size() > 0 && inputs.cols() != inputDim)
        throw ConfigError("GP data: inputs have " + std::to_string(inputs.cols()) + " dimensions, the model "
                          + std::to_string(inputDim));
    for (Eigen::Index j = 0; j < targets.size(); ++j) {
        const std::string where = "GP observation " + std::to_string(j + 1);
        if (tasks[size_t(j)] < 0 || tasks[size_t(j)] >= taskCount)
            throw ConfigError(where + ": task " + std::to_string(tasks[size_t(j)]) + " is not in 0.."
                              + std::to_string(taskCount - 1));
        if (!std::isfinite(targets[j]))
            throw ConfigError(where + ": target is " + std::to_string(targets[j])
                              + " (NaN and infinities are rejected)");
        if (!inputs.row(j).allFinite())
            throw ConfigError(where + ": input has a NaN or infinite value");
    }
}

void MtgpData::append(const Eigen::VectorXd& x, int task, double y)
{
    inputs.conservativeResize(inputs.rows() + 1, x.size());
    inputs.row(inputs.rows() - 1) = x.transpose();
    tasks.push_back(task);
    targets.conservativeResize(targets.size() + 1);
    targets[targets.size() - 1] = y;
}

Eigen::VectorXd MtgpData::repeatVariance(int taskCount) const
{
    // Group identical (task, input) rows; pooled variance = sum of squared deviations from each
    // group's mean over (observations - groups).
    std::map<std::pair<int, std::vector<double>>, std::vector<double>> groups;
    for (Eigen::Index j = 0; j < size(); ++j)
        groups[{tasks[size_t(j)], inputKey(inputs, j)}].push_back(targets[j]);
    Eigen::VectorXd squares = Eigen::VectorXd::Zero(taskCount), freedom = Eigen::VectorXd::Zero(taskCount);
    for (const auto& [key, values] : groups) {
        if (values.size() < 2 || key.first < 0 || key.first >= taskCount)
            continue;
        const double mean = meanOf(values);
        for (double v : values)
            squares[key.first] += (v - mean) * (v - mean);
        freedom[key.first] += double(values.size() - 1);
    }
    return (freedom.array() > 0).select(squares.array() / freedom.array().max(1.0), 0.0).matrix();
}

Eigen::VectorXd MtgpData::taskVariance(int taskCount, int minimumCount) const
{
    Eigen::VectorXd sum = Eigen::VectorXd::Zero(taskCount), squares = sum, count = sum;
    for (Eigen::Index j = 0; j < size(); ++j) {
        const int task = tasks[size_t(j)];
        if (task < 0 || task >= taskCount)
            continue;
        sum[task] += targets[j];
        squares[task] += targets[j] * targets[j];
        count[task] += 1;
    }
    Eigen::VectorXd variance = Eigen::VectorXd::Zero(taskCount);
    for (int t = 0; t < taskCount; ++t)
        if (count[t] >= std::max(2, minimumCount)) {
            const double mean = sum[t] / count[t];
            variance[t] = std::max(0.0, (squares[t] - count[t] * mean * mean) / (count[t] - 1));
        }
    return variance;
}

double MtgpData::pairedVarianceRatio(int task, int reference, double minimumReferenceVariance) const
{
    std::map<std::vector<double>, std::pair<std::vector<double>, std::vector<double>>> byInput; // (task, reference)
    for (Eigen::Index j = 0; j < size(); ++j) {
        if (tasks[size_t(j)] != task && tasks[size_t(j)] != reference)
            continue;
        auto& values = byInput[inputKey(inputs, j)];
        (tasks[size_t(j)] == task ? values.first : values.second).push_back(targets[j]);
    }
    std::vector<double> own, other;
    for (const auto& [x, values] : byInput)
        if (!values.first.empty() && !values.second.empty()) {
            own.push_back(meanOf(values.first));
            other.push_back(meanOf(values.second));
        }
    if (own.size() < 2)
        return 0;
    const double referenceSpread = squaredDeviations(other);
    const double referenceVariance = referenceSpread / double(other.size() - 1);
    return referenceSpread > 1e-12 && referenceVariance > minimumReferenceVariance
        ? squaredDeviations(own) / referenceSpread
        : 0.0;
}

} // namespace quantscope
