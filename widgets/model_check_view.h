#pragma once

#include "study/study_results.h"
#include "study/study_store.h"

#include <QWidget>

#include <vector>

class QComboBox;
class QCustomPlot;
class QLabel;

namespace quantscope {

/// How honest the GP is, per task: every done trial's leave-one-out prediction (the model
/// conditioned on all the other trials) against what was measured, with its 95 % predictive
/// interval as an error bar and the line where prediction equals measurement; under it the share
/// of trials inside their interval and the RMSE, from 3 trials of the task on (with fewer the
/// figures say nothing). Follows the search: call setData() whenever results arrive.
class ModelCheckView : public QWidget {
    Q_OBJECT
public:
    static constexpr int kMinimumTrials = PredictionError::kMinimumTrials;

    explicit ModelCheckView(QWidget* parent = nullptr);

    void setStudy(const StoredStudy& study);
    void setData(const StudyResults& results);
    void setTask(int task);

    // What is shown, for tests.
    int points() const { return int(shown_.size()); }
    QString summary() const;
    /// The shown points as CSV: config, measured, predicted median, lower, upper.
    QString csv() const;

private:
    void rebuild();

    QComboBox* task_;
    QCustomPlot* plot_;
    QLabel* summary_;
    std::vector<LeaveOneOutCheck> checks_;
    std::vector<LeaveOneOutCheck> shown_;
};

} // namespace quantscope
