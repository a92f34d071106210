#pragma once

#include "gp/accuracy_transform.h"
#include "gp/mtgp_fit.h"
#include "quant/bit_config.h"
#include "study/study_results.h"
#include "study/study_store.h"

#include <Eigen/Dense>

#include <memory>
#include <string>
#include <vector>

namespace quantscope {

class Encoding;
class MultiTaskGP;

/// The study's surrogate: its multi-task GP fitted to the done trials (the network is "the model"
/// elsewhere), for predictions at any configuration:
/// the what-if editor's live numbers, the posterior view, the results. Immutable once built, so
/// one thread may build it and others query it.
class StudySurrogate {
public:
    /// Fits MAP hyperparameters (2 restarts, the study's seed) to the logit of the accuracies
    /// and, while trials are few, samples hyperparameters around it (docs/search.md). Without two
    /// done trials the model is empty (fitted() false).
    StudySurrogate(const StoredStudy& study, const std::vector<TrialRow>& trials);
    /// The same trials under hyperparameters already fitted to them (the search's fit of this
    /// step, StudyRunner::surrogate), so that predictions and acquisition values come from one fit.
    StudySurrogate(const StoredStudy& study, const std::vector<TrialRow>& trials, const MtgpFitReport& fit);
    ~StudySurrogate();

    bool fitted() const { return gp_ != nullptr; }
    int taskCount() const { return tasks_; }
    const Encoding& encoding() const { return *encoding_; }
    const std::vector<std::string>& layerNames() const { return names_; }

    /// Every task's accuracy at `bits` as a new evaluation would measure it (the task's noise
    /// included): posterior median and 95 % predictive interval, in percent. Empty when not fitted.
    std::vector<AccuracyInterval> predict(const BitConfig& bits) const;
    /// One task at many encoded inputs (rows): posterior median and the sd equivalent of the 95 %
    /// predictive interval (AccuracyInterval::equivalentSd), in percent.
    void predict(const Eigen::MatrixXd& inputs, int task, Eigen::VectorXd& median, Eigen::VectorXd& sd) const;
    /// The same at rows of `inputs`, as intervals.
    std::vector<AccuracyInterval> predictIntervals(const Eigen::MatrixXd& inputs, int task) const;
    const AccuracyTransform& transform() const { return transform_; }
    /// Every done trial's leave-one-out check (closed form, same hyperparameters), in trial
    /// order; empty when not fitted.
    std::vector<LeaveOneOutCheck> leaveOneOut() const;
    /// The fitted task correlation matrix (tasks x tasks); empty when not fitted.
    Eigen::MatrixXd taskCorrelation() const;
    const MultiTaskGP* gp() const { return gp_.get(); }

    /// Hyperparameter samples predictions average over: slice samples while the study has at most
    /// kSampleUpTo trials, kHyperparameterSamples of them, twice as many up to half as many trials
    /// and so on up to kMostHyperparameterSamples (32 up to 40 trials, 16 up to 80: with eight, the
    /// interval ends of a young study moved by several points with the seed); beyond, that many
    /// draws from a Laplace approximation at the MAP point (the MAP point alone was over-confident
    /// there; docs/calibration.md).
    static constexpr int kHyperparameterSamples = 8;
    static constexpr int kMostHyperparameterSamples = 32;
    static constexpr int kSampleUpTo = 160;
    /// How a study's GP is fitted, by its surrogate and by its search alike (so that one fit
    /// serves both): accuracyFitOptions with the samples above, two restarts, the spec's seed and
    /// its tasks' places on the budget axis.
    static MtgpFitOptions fitOptions(const StudySpec& spec);
    /// The same for trials from elsewhere (`quantscope-cli gp`): tasks placed by `axis`.
    static MtgpFitOptions fitOptions(uint64_t seed, const BudgetAxis& axis,
                                     const AccuracyTransform& transform = AccuracyTransform());

private:
    MtgpData collect(const StoredStudy& study, const std::vector<TrialRow>& trials);
    void condition(const MtgpData& data, const MtgpFitReport& fit);

    std::unique_ptr<Encoding> encoding_;
    std::vector<std::string> names_;
    std::vector<BitConfig> configs_; ///< per GP observation
    int tasks_ = 0;
    AccuracyTransform transform_;
    std::unique_ptr<MultiTaskGP> gp_; ///< the MAP fit
    std::vector<MultiTaskGP> models_; ///< what predictions average over: samples, or the MAP fit
};

} // namespace quantscope
