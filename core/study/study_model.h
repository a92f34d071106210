#pragma once

#include "quant/bit_config.h"
#include "study/study_store.h"

#include <Eigen/Dense>

#include <memory>
#include <string>
#include <vector>

namespace quantscope {

class Encoding;
class MultiTaskGP;

/// The study's multi-task GP fitted to its done trials, for predictions at any configuration:
/// the what-if editor's live numbers, the posterior view, the results. Immutable once built, so
/// one thread may build it and others query it.
class StudyModel {
public:
    /// Fits ML-II hyperparameters (2 restarts, the study's seed). Without two done trials the
    /// model is empty (fitted() false).
    StudyModel(const StoredStudy& study, const std::vector<TrialRow>& trials);
    ~StudyModel();

    bool fitted() const { return gp_ != nullptr; }
    int taskCount() const { return tasks_; }
    const Encoding& encoding() const { return *encoding_; }
    const std::vector<std::string>& layerNames() const { return names_; }

    /// Posterior mean and standard deviation of every task's accuracy at `bits` (latent, noise
    /// excluded). Empty vectors when not fitted.
    struct Prediction {
        std::vector<double> mean, sd;
    };
    Prediction predict(const BitConfig& bits) const;
    /// Posterior of one task at many encoded inputs (rows).
    void predict(const Eigen::MatrixXd& inputs, int task, Eigen::VectorXd& mean, Eigen::VectorXd& sd) const;
    /// The fitted task correlation matrix (tasks x tasks); empty when not fitted.
    Eigen::MatrixXd taskCorrelation() const;
    const MultiTaskGP* gp() const { return gp_.get(); }

private:
    std::unique_ptr<Encoding> encoding_;
    std::vector<std::string> names_;
    int tasks_ = 0;
    std::unique_ptr<MultiTaskGP> gp_;
};

} // namespace quantscope
