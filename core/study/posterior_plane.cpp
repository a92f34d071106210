#include "study/posterior_plane.h"

#include "search/encoding.h"
#include "study/study_surrogate.h"

namespace quantscope {

PosteriorPlane posteriorPlane(const StudySurrogate& surrogate, const std::vector<BitConfig>& ranking)
{
    PosteriorPlane plane;
    if (!surrogate.fitted())
        return plane;
    const Encoding& encoding = surrogate.encoding();
    const int side = PosteriorPlane::kSide;
    plane.base = Eigen::VectorXd::Constant(encoding.dim(), 0.5);
    if (encoding.dim() > 2 && !ranking.empty()) {
        plane.base = encoding.encode(ranking.front());
        plane.slicedAt = ranking.front();
    }
    Eigen::MatrixXd inputs(side * side, encoding.dim());
    for (int i = 0; i < side; ++i)
        for (int j = 0; j < side; ++j) {
            inputs.row(i * side + j) = plane.base.transpose();
            inputs(i * side + j, 0) = PosteriorPlane::coordinate(i);
            if (encoding.dim() > 1)
                inputs(i * side + j, 1) = PosteriorPlane::coordinate(j);
        }
    for (int task = 0; task < surrogate.taskCount(); ++task) {
        Eigen::VectorXd median, sd;
        surrogate.predict(inputs, task, median, sd);
        plane.median.push_back(std::move(median));
        plane.sd.push_back(std::move(sd));
    }
    return plane;
}

} // namespace quantscope
