#include "study/study_model.h"

#include "gp/mtgp_fit.h"
#include "gp/multitask_gp.h"
#include "search/encoding.h"

#include <cmath>

namespace quantscope {

StudyModel::StudyModel(const StoredStudy& study, const std::vector<TrialRow>& trials) :
    encoding_(makeEncoding(study.spec.encoding, study.layers.size())), tasks_(int(study.spec.tasks.size()))
{
    for (const LayerInfo& l : study.layers)
        names_.push_back(l.name);
    MtgpData data;
    data.inputs.resize(0, encoding_->dim());
    for (const TrialRow& t : trials)
        if (t.status == TrialStatus::Done && t.accuracy)
            data.append(encoding_->encode(BitConfig::parse(t.config, names_)), t.task, *t.accuracy);
    if (data.size() < 2)
        return;
    MtgpFitOptions fit;
    fit.restarts = 2;
    fit.seed = study.spec.seed;
    gp_ = std::make_unique<MultiTaskGP>(fitMtgp(data, encoding_->dim(), tasks_, fit).hyperparameters, data);
}

StudyModel::~StudyModel() = default;

StudyModel::Prediction StudyModel::predict(const BitConfig& bits) const
{
    Prediction out;
    if (!gp_)
        return out;
    const Eigen::VectorXd x = encoding_->encode(bits);
    Eigen::MatrixXd inputs(tasks_, x.size());
    std::vector<int> tasks;
    for (int t = 0; t < tasks_; ++t) {
        inputs.row(t) = x.transpose();
        tasks.push_back(t);
    }
    const Posterior p = gp_->predict(inputs, tasks);
    for (int t = 0; t < tasks_; ++t) {
        out.mean.push_back(p.mean[t]);
        out.sd.push_back(std::sqrt(std::max(0.0, p.variance[t])));
    }
    return out;
}

void StudyModel::predict(const Eigen::MatrixXd& inputs, int task, Eigen::VectorXd& mean, Eigen::VectorXd& sd) const
{
    if (!gp_) {
        mean.resize(0);
        sd.resize(0);
        return;
    }
    const Posterior p = gp_->predict(inputs, std::vector<int>(size_t(inputs.rows()), task));
    mean = p.mean;
    sd = p.variance.cwiseMax(0.0).cwiseSqrt();
}

Eigen::MatrixXd StudyModel::taskCorrelation() const
{
    return gp_ ? gp_->hyperparameters().taskCorrelation() : Eigen::MatrixXd();
}

} // namespace quantscope
