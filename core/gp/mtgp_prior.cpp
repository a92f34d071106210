#include "gp/mtgp_prior.h"

#include <cmath>

namespace quantscope {

MtgpPrior MtgpPrior::defaults(const MtgpParameterLayout& layout, const Eigen::VectorXd& taskMeans,
                              const Eigen::VectorXd& noiseMedians)
{
    MtgpPrior p;
    p.logLengthscale = Eigen::VectorXd::Constant(layout.inputDim, std::log(0.5 * std::sqrt(double(layout.inputDim))));
    p.taskFactorMean = std::sqrt(0.8 / layout.rank);
    p.taskFactorSd = 0.5 / std::sqrt(double(layout.rank));
    p.logTaskDiagonal = std::log(0.2);
    p.logNoise = noiseMedians.array().log().matrix();
    p.taskMean = taskMeans;
    return p;
}

double MtgpPrior::negativeLogDensity(const MtgpParameterLayout& layout, const Eigen::VectorXd& theta,
                                     Eigen::VectorXd* gradient) const
{
    double value = 0;
    int at = 0;
    // One block of independent normals: 1/2 ((theta - centre) / sd)^2, gradient (theta - centre) / sd^2.
    const auto block = [&](int count, const auto& centre, const auto& sdOf) {
        for (int i = 0; i < count; ++i, ++at) {
            const double sd = sdOf(i);
            const double z = (theta[at] - centre(i)) / sd;
            value += 0.5 * z * z;
            if (gradient)
                (*gradient)[at] += z / sd;
        }
    };
    const auto constant = [](double sd) { return [sd](int) { return sd; }; };
    const auto meanSdOf = [&](int task) { return taskMeanSds.size() > 0 ? taskMeanSds[task] : taskMeanSd; };
    // The task means: like `block`, with centres that may move with other means (taskMeanAnchors).
    const auto meansBlock = [&]() {
        const int first = at;
        const Eigen::VectorXd means = theta.segment(first, layout.taskCount);
        const bool anchored = taskMeanAnchors.size() > 0;
        for (int t = 0; t < layout.taskCount; ++t, ++at) {
            const double sd = meanSdOf(t);
            const double centre = taskMean[t] + (anchored ? taskMeanAnchors.row(t).dot(means) : 0.0);
            const double z = (theta[at] - centre) / sd;
            value += 0.5 * z * z;
            if (gradient) {
                (*gradient)[at] += z / sd;
                if (anchored)
                    gradient->segment(first, layout.taskCount) -= (z / sd) * taskMeanAnchors.row(t).transpose();
            }
        }
    };
    if (meansOnly) {
        at = layout.size() - layout.taskCount;
        meansBlock();
        return value;
    }
    block(
        layout.inputDim, [&](int i) { return logLengthscale[i]; }, constant(logLengthscaleSd));
    if (layout.inputWarping)
        block(
            2 * layout.inputDim, [](int) { return 0.0; }, constant(logWarpSd));
    if (layout.specificKernel) // lengthscales alike; never warped
        block(
            layout.inputDim, [&](int i) { return logLengthscale[i]; }, constant(logLengthscaleSd));
    const auto scaleOf = [&](int task) { return taskScale.size() > 0 ? taskScale[task] : 1.0; };
    for (int t = 0; t < layout.taskCount; ++t) { // W's row t, centre and sd scaled alike
        const double rowScale = std::sqrt(scaleOf(t));
        block(
            layout.rank, [&](int) { return rowScale * taskFactorMean; }, constant(rowScale * taskFactorSd));
    }
    block(
        layout.taskCount, [&](int t) { return logTaskDiagonal + std::log(scaleOf(t)); }, constant(logTaskDiagonalSd));
    block(
        layout.taskCount, [&](int i) { return logNoise[i]; }, constant(logNoiseSd));
    meansBlock();
    return value;
}

} // namespace quantscope
