#pragma once

#include "study/ebs_sweep.h"
#include "study/study_store.h"

#include <QWidget>

#include <vector>

class QComboBox;
class QCustomPlot;
class QLabel;

namespace quantscope {

/// The ebs strategy's search jobs (docs/ebs.md): for the chosen job, each layer's expected width
/// (its strengths' softmax over the candidates, weighted by their bits) over the job's steps, so a
/// person sees which layers settled early, which stayed undecided and where the budget pushed; under
/// it what the job searched for, found and cost, and what its trial measured. Studies of other
/// strategies say that they run no search jobs.
class SearchJobView : public QWidget {
    Q_OBJECT
public:
    explicit SearchJobView(QWidget* parent = nullptr);

    void setStudy(const StoredStudy& study);
    /// The study's jobs and trials as published after each step; keeps the chosen job.
    void setData(const std::vector<EbsSearchJob>& jobs, const std::vector<TrialRow>& trials);
    void setJob(int index);

    // What is shown, for tests.
    int curves() const;
    int pointsPerCurve() const;
    QString summary() const;
    /// The shown job's curves as CSV: step, layer, expected bits.
    QString csv() const;

private:
    void rebuild();

    QComboBox* job_;
    QCustomPlot* plot_;
    QLabel* summary_;
    StoredStudy study_;
    std::vector<EbsSearchJob> jobs_;
    std::vector<TrialRow> trials_;
};

} // namespace quantscope
