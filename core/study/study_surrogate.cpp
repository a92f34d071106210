#include "study/study_surrogate.h"

#include "gp/mtgp_fit.h"
#include "gp/multitask_gp.h"
#include "search/encoding.h"

#include <cmath>

namespace quantscope {

MtgpData StudySurrogate::collect(const StoredStudy& study, const std::vector<TrialRow>& trials)
{
    names_ = study.layerNames();
    MtgpData data;
    data.inputs.resize(0, encoding_->dim());
    for (const TrialRow& t : trials)
        if (t.status == TrialStatus::Done && t.accuracy) {
            data.append(encoding_->encode(t.bits), t.task, transform_.toLatent(*t.accuracy));
            configs_.push_back(t.bits);
        }
    return data;
}

void StudySurrogate::condition(const MtgpData& data, const MtgpFitReport& fit)
{
    models_ = conditionedModels(fit, data);
    gp_ = std::make_unique<MultiTaskGP>(conditionedMapModel(fit, data, models_));
}

MtgpFitOptions StudySurrogate::fitOptions(const StudySpec& spec)
{
    return fitOptions(spec.seed, spec.taskAxis());
}

MtgpFitOptions StudySurrogate::fitOptions(uint64_t seed, const BudgetAxis& axis, const AccuracyTransform& transform)
{
    MtgpFitOptions fit = accuracyFitOptions(transform);
    fit.restarts = 2;
    fit.seed = seed;
    fit.taskPositions = axis.positions;
    fit.taskGroups = axis.groups;
    fit.posteriorSamples = StudySurrogate::kHyperparameterSamples;
    fit.mostPosteriorSamples = StudySurrogate::kMostHyperparameterSamples;
    fit.sampleUpTo = StudySurrogate::kSampleUpTo;
    fit.laplaceBeyondSampling = true;
    return fit;
}

StudySurrogate::StudySurrogate(const StoredStudy& study, const std::vector<TrialRow>& trials) :
    encoding_(makeEncoding(study.spec.encoding, study.layers.size())), tasks_(int(study.spec.tasks.size()))
{
    const MtgpData data = collect(study, trials);
    if (data.size() >= 2)
        condition(data, fitMtgp(data, encoding_->dim(), tasks_, fitOptions(study.spec)));
}

StudySurrogate::StudySurrogate(const StoredStudy& study, const std::vector<TrialRow>& trials,
                               const MtgpFitReport& fit) :
    encoding_(makeEncoding(study.spec.encoding, study.layers.size())),
    tasks_(int(study.spec.tasks.size()))
{
    const MtgpData data = collect(study, trials);
    if (data.size() >= 2)
        condition(data, fit);
}

StudySurrogate::~StudySurrogate() = default;

std::vector<AccuracyInterval> StudySurrogate::predict(const BitConfig& bits) const
{
    if (!gp_)
        return {};
    const Eigen::VectorXd x = encoding_->encode(bits);
    Eigen::MatrixXd inputs(tasks_, x.size());
    std::vector<int> tasks;
    for (int t = 0; t < tasks_; ++t) {
        inputs.row(t) = x.transpose();
        tasks.push_back(t);
    }
    std::vector<AccuracyInterval> out;
    for (const NormalMixture& p : predictiveMixtures(models_, inputs, tasks, true))
        out.push_back(transform_.interval(p));
    return out;
}

std::vector<AccuracyInterval> StudySurrogate::predictIntervals(const Eigen::MatrixXd& inputs, int task) const
{
    if (!gp_)
        return {};
    std::vector<AccuracyInterval> out;
    for (const NormalMixture& p :
         predictiveMixtures(models_, inputs, std::vector<int>(size_t(inputs.rows()), task), true))
        out.push_back(transform_.interval(p));
    return out;
}

void StudySurrogate::predict(const Eigen::MatrixXd& inputs, int task, Eigen::VectorXd& median,
                             Eigen::VectorXd& sd) const
{
    const std::vector<AccuracyInterval> intervals = predictIntervals(inputs, task);
    median.resize(Eigen::Index(intervals.size()));
    sd.resize(Eigen::Index(intervals.size()));
    for (size_t i = 0; i < intervals.size(); ++i) {
        median[Eigen::Index(i)] = intervals[i].median;
        sd[Eigen::Index(i)] = intervals[i].equivalentSd;
    }
}

std::vector<LeaveOneOutCheck> StudySurrogate::leaveOneOut() const
{
    std::vector<LeaveOneOutCheck> out;
    if (!gp_)
        return out;
    const std::vector<NormalMixture> loo = leaveOneOutMixtures(models_); // noise included
    const MtgpData& data = gp_->data();
    for (Eigen::Index j = 0; j < data.size(); ++j)
        out.push_back({configs_[size_t(j)], data.tasks[size_t(j)], transform_.toAccuracy(data.targets[j]),
                       transform_.interval(loo[size_t(j)])});
    return out;
}

Eigen::MatrixXd StudySurrogate::taskCorrelation() const
{
    return gp_ ? gp_->hyperparameters().taskCorrelation() : Eigen::MatrixXd();
}

} // namespace quantscope
