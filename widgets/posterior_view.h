#pragma once

#include "study/study_results.h"
#include "study/study_store.h"

#include <QWidget>

#include <Eigen/Dense>

class QComboBox;
class QCustomPlot;
class QLabel;
class QTabWidget;
class QTableWidget;

namespace quantscope {

/// What the GP believes, for the chosen task: its mean and standard deviation as heat maps over
/// the first two encoding coordinates (the whole plane for two-dimensional encodings; for more
/// dimensions a slice through the best-ranked configuration) with that task's observed trials on
/// them; the ranked candidates with median and 95 % interval and the strategy's acquisition value;
/// and the fitted task correlation matrix, each on a tab of its own so that the maps get the
/// dock's whole height. Follows the search: call setData() whenever results arrive.
class PosteriorView : public QWidget {
    Q_OBJECT
public:
    static constexpr int kGrid = PosteriorPlane::kSide; ///< heat-map cells per side

    explicit PosteriorView(QWidget* parent = nullptr);

    void setStudy(const StoredStudy& study);
    void setData(const std::vector<TrialRow>& trials, const StudyResults& results);
    void setTask(int task);

    // What is drawn, for tests.
    int heatCells() const { return cells_; }
    int observedPoints() const { return observed_; }
    int rankingRows() const;
    int correlationSize() const;
    int acquisitionValues() const; ///< ranked candidates with a known acquisition value
    QSize heatMapSize() const;     ///< of the mean's map, as laid out now
    /// The colour ranges of the mean's and the sd's maps (low, high), for tests.
    std::pair<double, double> meanColourRange() const;
    std::pair<double, double> sdColourRange() const;
    /// The grid's numbers behind the maps.
    const Eigen::VectorXd& gridMean() const { return gridMean_; }
    const Eigen::VectorXd& gridSd() const { return gridSd_; }
    QTableWidget* ranking() const { return ranking_; }
    /// Shows the heat maps' tab (the others: ranking, task correlation).
    void showMaps();
    /// The heat maps' numbers as CSV: coordinate 1, coordinate 2, mean, sd.
    QString csv() const;

private:
    void rebuild();

    QComboBox* task_;
    QLabel* note_;
    QCustomPlot* mean_;
    QCustomPlot* sd_;
    QTableWidget* ranking_;
    QTableWidget* correlation_;
    QTabWidget* tabs_;
    StoredStudy study_;
    std::vector<TrialRow> trials_;
    StudyResults results_;
    int cells_ = 0, observed_ = 0;
    Eigen::VectorXd gridMean_, gridSd_;
};

} // namespace quantscope
