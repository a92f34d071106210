#include "gp/slice_sampler.h"

#include <algorithm>
#include <cmath>

namespace quantscope {

std::vector<Eigen::VectorXd> sliceSample(const std::function<double(const Eigen::VectorXd&)>& logDensity,
                                         Eigen::VectorXd x, const Eigen::VectorXd& lower, const Eigen::VectorXd& upper,
                                         int samples, int burnIn, int thin, std::mt19937_64& rng, double width)
{
    std::uniform_real_distribution<double> unit(0.0, 1.0);
    std::exponential_distribution<double> exponential(1.0);
    double current = logDensity(x);
    std::vector<Eigen::VectorXd> out;
    const int sweeps = burnIn + samples * std::max(1, thin);
    for (int sweep = 0; sweep < sweeps; ++sweep) {
        for (Eigen::Index i = 0; i < x.size(); ++i) {
            const double level = current - exponential(rng); // log of a uniform height under the density
            double left = std::max(lower[i], x[i] - width * unit(rng));
            double right = std::min(upper[i], left + width);
            const auto densityAt = [&](double value) {
                Eigen::VectorXd y = x;
                y[i] = value;
                return logDensity(y);
            };
            for (int step = 0; step < 20 && left > lower[i] && densityAt(left) > level; ++step)
                left = std::max(lower[i], left - width);
            for (int step = 0; step < 20 && right < upper[i] && densityAt(right) > level; ++step)
                right = std::min(upper[i], right + width);
            const double old = x[i];
            for (int attempt = 0; attempt < 50; ++attempt) {
                const double proposal = left + unit(rng) * (right - left);
                const double density = densityAt(proposal);
                if (density > level) {
                    x[i] = proposal;
                    current = density;
                    break;
                }
                (proposal < old ? left : right) = proposal;
            }
        }
        if (sweep >= burnIn && (sweep - burnIn + 1) % std::max(1, thin) == 0)
            out.push_back(x);
    }
    return out;
}

} // namespace quantscope
